"""Where a waiting run stands in the queue, so a page can say why it waits."""

from django.db.models import Q

from playground.runs.models import Run


def queue_place(run: Run) -> dict | None:
    """For a queued run: how many queued runs go before it (the order `lifecycle.dispatch`
    hands them over in) and how many runs are training now; None for any other run."""
    if run.status != "queued":
        return None
    queued = Run.objects.filter(status="queued").exclude(id=run.id)
    if run.dispatched:
        # Handed to its queue already: only those handed over before it go first.
        before = queued.filter(
            dispatched=True, queue=run.queue, dispatched_at__lt=run.dispatched_at
        )
    else:
        before = queued.filter(
            Q(dispatched=True)
            | Q(round__lt=run.round)
            | Q(round=run.round, created_at__lt=run.created_at)
        )
    return {
        "ahead": before.count(),
        "training": Run.objects.filter(status="running").count(),
    }
