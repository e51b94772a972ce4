"""Runs are kept RUN_RETENTION_DAYS after they finish; then the sweeper deletes them, with
their events and weights."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from playground.runs.models import FINISHED, Run


def delete_expired_runs() -> int:
    """Delete every run that finished more than RUN_RETENTION_DAYS ago; how many went."""
    if settings.RUN_RETENTION_DAYS <= 0:
        return 0
    before = timezone.now() - timedelta(days=settings.RUN_RETENTION_DAYS)
    expired = Run.objects.filter(status__in=FINISHED, finished_at__lt=before)
    # The events and weights go with each run (their foreign keys cascade).
    deleted, by_model = expired.delete()
    return by_model.get(Run._meta.label, 0)
