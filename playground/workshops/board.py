"""The workshop board: its event log (the shared numbered log, one per workshop), the
snapshot a screen starts from, and the runs it shows."""

import time

from playground.eventlog.log import EventLog
from playground.runs.models import Run
from playground.workshops import curves
from playground.workshops.models import BoardEvent, Workshop

BOARD_LOG = EventLog(owner=Workshop, events=BoardEvent, owner_field="workshop", group="workshop")
# Seconds between a run's loss updates on its board.
BOARD_INTERVAL = 2.0
_posted: dict[str, float] = {}


def record(code: str, data: dict) -> dict:
    """Store one board event with the workshop's next seq, then tell every screen."""
    return BOARD_LOG.record(code, data)


def post_run(run_id: str, what: str) -> None:
    """The change hook: put a workshop run's row on its board (other runs are no news
    here). Status changes always go up; a new loss at most every BOARD_INTERVAL, so a full
    room does not flood every screen."""
    if what == "metrics" and not due(run_id):
        return
    run = Run.objects.filter(id=run_id, workshop__isnull=False).first()
    if run is not None:
        # Its newest validation points ride along: every screen extends its curve with them.
        update = {"type": "run", "run": run_row(run), "points": curves.recent(run.id)}
        record(run.workshop_id, update)


def due(run_id: str) -> bool:
    now = time.monotonic()
    if now - _posted.get(run_id, -BOARD_INTERVAL) < BOARD_INTERVAL:
        return False
    if len(_posted) > 10_000:
        _posted.clear()
    _posted[run_id] = now
    return True


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
    runs = list(workshop.runs.select_related("participant").order_by("created_at"))
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
        "curves": curves.room(runs),
        "baselines": curves.guessing(),
    }
