"""The pages: build a model, watch a run."""

from django.http import Http404
from django.shortcuts import render

from playground.datasets.catalog import describe
from playground.datasets.models import Dataset
from playground.runs.form import form
from playground.runs.models import Run
from playground.runs.ownership import owns
from sequences.datasets import CATALOG


def dataset_choices(request) -> list[dict]:
    """Each dataset as the API shows it, with its options' schema for the form: the
    built-ins, then this browser's uploads."""
    builtins = [
        {**info.describe(), "options_schema": info.options.model_json_schema()}
        for info in CATALOG.values()
    ]
    mine = Dataset.objects.filter(owner=request.session.get("owner", "")).defer("data")[:50]
    return builtins + [describe(row) for row in mine]


def build(request):
    context = {
        "datasets": dataset_choices(request),
        "form": form(),
        # Only this browser's runs: a run is private until its link is shared.
        "recent": Run.objects.filter(owner=request.session.get("owner", "")).only(
            "id", "spec", "status"
        )[:10],
    }
    return render(request, "build.html", context)


def run_page(request, run_id):
    run = Run.objects.filter(id=run_id).first()
    if run is None:
        raise Http404("There is no such run.")
    context = {"run": run, "is_owner": owns(request, run), "run_api": run.as_api()}
    return render(request, "run.html", context)
