"""The workshop board's event log: numbered, stored, then announced to every screen."""

import logging
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import F

from playground.workshops.models import BoardEvent, Workshop

log = logging.getLogger(__name__)


def group_name(code: str) -> str:
    return f"workshop.{code}"


def record(code: str, data: dict) -> dict:
    """Store one board event with the workshop's next seq, then tell every screen."""
    with transaction.atomic():
        Workshop.objects.filter(code=code).update(last_seq=F("last_seq") + 1)
        seq = Workshop.objects.values_list("last_seq", flat=True).get(code=code)
        event = BoardEvent.objects.create(workshop_id=code, seq=seq, time=time.time(), data=data)
    message = {"seq": event.seq, "time": event.time, **data}
    try:
        async_to_sync(get_channel_layer().group_send)(
            group_name(code), {"type": "board.event", "event": message}
        )
    except Exception:  # stored: screens catch up from the snapshot
        log.warning("could not announce board event %s of %s", seq, code, exc_info=True)
    return message


def run_row(run) -> dict:
    """One run as the board shows it."""
    result = run.result or {}
    return {
        "id": run.id,
        "participant": run.participant_id,
        "title": run.title,
        "task": run.spec["dataset"],
        "cell": run.spec["model"]["cell"],
        "hidden": run.spec["model"].get("hidden"),
        "layers": run.spec["model"].get("layers"),
        "parameters": result.get("parameters"),
        "status": run.status,
        "step": run.step,
        "total_steps": run.total_steps,
        "val_loss": run.val_loss,
        "best_val_loss": result.get("best_val_loss", run.best_val_loss),
    }


def snapshot(workshop: Workshop) -> dict:
    """Everything on the board now, and the seq it is current to."""
    runs = workshop.runs.select_related("participant").order_by("created_at")
    return {
        "type": "snapshot",
        "seq": workshop.last_seq,
        "title": workshop.title,
        "code": workshop.code,
        "status": workshop.status,
        "spotlight": workshop.spotlight or None,
        "preset": workshop.preset,
        "locked": workshop.locked,
        "hidden": workshop.hidden,
        "quotas": {
            k: workshop.quota(k) for k in ("concurrent_runs", "max_steps", "max_parameters")
        },
        "participants": [p.as_board() for p in workshop.participants.order_by("joined_at")],
        "runs": [run_row(r) for r in runs],
    }
