"""The datasets JSON API (see API.md: Datasets)."""

from django.http import JsonResponse

from playground.api import endpoint
from sequences.datasets import CATALOG


@endpoint("GET")
def dataset_list(request):
    return JsonResponse({"datasets": [info.describe() for info in CATALOG.values()]})
