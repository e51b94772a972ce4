"""A run's event log: the shared numbered log, one per run."""

from playground.eventlog.log import EventLog
from playground.runs import hooks
from playground.runs.models import FINISHED, Run, RunEvent


def ended(event: dict) -> bool:
    """A run's last word: its final status, or the result recorded with it (`done`)."""
    return event["type"] == "done" or (event["type"] == "status" and event["status"] in FINISHED)


RUN_LOG = EventLog(owner=Run, events=RunEvent, owner_field="run", group="run", ends=ended)


def record(run_id: str, type: str, data: dict, **run_fields) -> dict:
    """Store one event (with any run fields, in the same transaction), then announce it.
    A new validation loss is news to the change hooks (a workshop board ranks by it)."""
    message = RUN_LOG.record(run_id, {"type": type, **data}, **run_fields)
    if type == "metrics" and "val_loss" in data:
        hooks.changed(run_id, "metrics")
    return message


def stored_after(run_id: str, after: int) -> list[dict]:
    return RUN_LOG.stored_after(run_id, after)


def newest(run_id: str, type: str) -> dict | None:
    """The data of the run's newest stored event of this type; None when it has none."""
    found = RunEvent.objects.filter(run_id=run_id, type=type).order_by("-seq")
    return found.values_list("data", flat=True).first()
