"""The event log: every event is numbered and stored, then announced to watchers."""

import logging
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import F

from playground.runs.models import Run, RunEvent

log = logging.getLogger(__name__)


def group_name(run_id: str) -> str:
    return f"run.{run_id}"


def append(run_id: str, type: str, data: dict, **run_fields) -> dict:
    """Store one event with the run's next seq (and any run fields, in the same
    transaction); return it as sent on the wire."""
    with transaction.atomic():
        # The UPDATE takes the row's write lock first, so two writers never share a seq.
        Run.objects.filter(id=run_id).update(last_seq=F("last_seq") + 1, **run_fields)
        seq = Run.objects.values_list("last_seq", flat=True).get(id=run_id)
        event = RunEvent.objects.create(
            run_id=run_id, seq=seq, type=type, time=time.time(), data=data
        )
    return event.as_message()


def announce(run_id: str, message: dict) -> None:
    """Tell live watchers; a lost notice is fine, since they re-read the store on a gap."""
    try:
        async_to_sync(get_channel_layer().group_send)(
            group_name(run_id), {"type": "run.event", "event": message}
        )
    except Exception:  # the store already has the event; watchers catch up from it
        log.warning("could not announce event %s of run %s", message["seq"], run_id, exc_info=True)


def record(run_id: str, type: str, data: dict, **run_fields) -> dict:
    """Store, then announce: the order every event goes through. A workshop run's status
    changes and validation losses also go up on the workshop's board."""
    message = append(run_id, type, data, **run_fields)
    announce(run_id, message)
    if type == "status" or (type == "metrics" and "val_loss" in data and due_on_board(run_id)):
        post_to_board(run_id)
    return message


BOARD_INTERVAL = 2.0  # seconds between a run's loss updates on its workshop's board
_posted: dict[str, float] = {}


def due_on_board(run_id: str) -> bool:
    """A board shows a room of runs: a run's new loss goes up at most every BOARD_INTERVAL
    (its status changes always do), so a full room does not flood every screen."""
    now = time.monotonic()
    if now - _posted.get(run_id, -BOARD_INTERVAL) < BOARD_INTERVAL:
        return False
    if len(_posted) > 10_000:
        _posted.clear()
    _posted[run_id] = now
    return True


def post_to_board(run_id: str) -> bool:
    """Put a workshop run's row on its board; False (and nothing done) for other runs."""
    run = Run.objects.filter(id=run_id, workshop__isnull=False).first()
    if run is None:
        return False
    from playground.workshops import board

    board.record(run.workshop_id, {"type": "run", "run": board.run_row(run)})
    return True


def stored_after(run_id: str, after: int, limit: int = 1000) -> list[dict]:
    events = RunEvent.objects.filter(run_id=run_id, seq__gt=after).order_by("seq")[:limit]
    return [event.as_message() for event in events]
