"""Leases: a running run's worker renews one; a lapsed lease means the worker died."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from playground.runs import status
from playground.runs.models import Run

LAPSED = (
    "The worker training this run stopped answering, so the run was marked failed. Start it again."
)


def renew(run_id: str) -> bool:
    """Renew the lease; also says whether the owner asked to cancel."""
    Run.objects.filter(id=run_id, status="running").update(heartbeat_at=timezone.now())
    return Run.objects.filter(id=run_id, cancel_requested=True).exists()


def lapsed_before():
    return timezone.now() - timedelta(seconds=settings.RUN_LEASE_SECONDS)


def reap(run_id: str | None = None) -> int:
    """Mark failed every running run (or just this one) whose lease has lapsed."""
    stale = Run.objects.filter(status="running", heartbeat_at__lt=lapsed_before())
    if run_id is not None:
        stale = stale.filter(id=run_id)
    ids = list(stale.values_list("id", flat=True))
    return sum(status.move(i, "running", "failed", LAPSED, error=LAPSED) for i in ids)
