"""Fair queueing for workshops: round-robin across participants, not first come, first
served. Workshop runs wait in the database; only a few at a time are handed to the task
queue, and the next is always the lowest round (each participant's 1st run, then their
2nd, ...), oldest first within a round. So one participant's ten runs never starve the
others: a newcomer's first run goes ahead of everyone's second."""

import logging

from django.conf import settings

from playground.runs.models import Run

log = logging.getLogger(__name__)


def next_round(participant_id: int) -> int:
    """The round of a participant's next run: how many they have started before."""
    return Run.objects.filter(participant_id=participant_id).count()


def release() -> list[str]:
    """Hand waiting workshop runs to the queue until WORKSHOP_QUEUE_AHEAD are there;
    return their ids. Called whenever a place may have come free (a run was created,
    started, finished or cancelled) and by the sweeper, so nothing waits forever."""
    from playground.runs.views import QUEUE_DOWN, enqueue

    released = []
    while True:
        ahead = Run.objects.filter(workshop__isnull=False, dispatched=True, status="queued").count()
        if ahead >= settings.WORKSHOP_QUEUE_AHEAD:
            return released
        waiting = (
            Run.objects.filter(workshop__isnull=False, dispatched=False, status="queued")
            .order_by("round", "created_at")
            .values_list("id", flat=True)
            .first()
        )
        if waiting is None:
            return released
        # Compare-and-set: when two processes release at once, each run goes once.
        if Run.objects.filter(id=waiting, dispatched=False).update(dispatched=True):
            if not enqueue(waiting):
                from playground.runs import status

                status.move(waiting, "queued", "failed", QUEUE_DOWN, error=QUEUE_DOWN)
            released.append(waiting)
