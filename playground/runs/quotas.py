"""What one browser may ask of the shared workers: runs at once, and steps not yet trained.
A workshop adds its own quotas (its admission hook); these hold for every browser."""

from django.conf import settings
from django.db.models import F, Sum

from playground.api import ApiError
from playground.runs.models import ACTIVE, Run


def admit(owner: str, steps: int) -> None:
    """Raise a 429 that says the limit unless this browser may queue `steps` more."""
    active = Run.objects.filter(owner=owner, status__in=ACTIVE)
    going = active.count()
    if going >= settings.BROWSER_ACTIVE_RUNS:
        raise ApiError(
            429,
            f"You have {going} run{'s' if going != 1 else ''} queued or training; each browser "
            f"may have {settings.BROWSER_ACTIVE_RUNS} at a time. Wait for one to finish, or "
            "cancel one.",
        )
    waiting = active.aggregate(left=Sum(F("total_steps") - F("step")))["left"] or 0
    if waiting + steps > settings.BROWSER_QUEUED_STEPS:
        raise ApiError(
            429,
            f"Your runs still have {waiting:,} steps to train, and this one asks {steps:,} "
            f"more; each browser may have {settings.BROWSER_QUEUED_STEPS:,} waiting. Use fewer "
            "steps, or wait for a run to finish.",
            field="training.steps",
        )
