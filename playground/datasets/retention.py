"""Uploads are kept UPLOAD_RETENTION_DAYS; then the sweeper deletes them, unless a run is
still training on one."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from playground.datasets.catalog import forget
from playground.datasets.models import Dataset
from playground.runs.models import ACTIVE, Run


def delete_expired_uploads() -> int:
    """Delete every upload older than UPLOAD_RETENTION_DAYS that no active run uses."""
    if settings.UPLOAD_RETENTION_DAYS <= 0:
        return 0
    before = timezone.now() - timedelta(days=settings.UPLOAD_RETENTION_DAYS)
    in_use = Run.objects.filter(status__in=ACTIVE).values_list("spec__dataset", flat=True)
    expired = Dataset.objects.filter(created_at__lt=before).exclude(id__in=list(in_use))
    ids = list(expired.values_list("id", flat=True))
    Dataset.objects.filter(id__in=ids).delete()
    for dataset_id in ids:
        forget(dataset_id)
    return len(ids)
