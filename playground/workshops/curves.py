"""The room's loss curves: each workshop run's validation points, thinned so that a room
of runs stays light on every screen, and the guessing baseline of the tasks that have one."""

from playground.runs.models import FINISHED, Run, RunEvent


def guessing() -> dict[str, float]:
    """Validation loss of always answering the mean, for each task that states it (the
    catalog's baseline_mse, the line the compare page draws too): a run must go below it to
    have learned anything."""
    # Imported here, not above: the catalog imports torch, which a worker's parent process
    # (it loads this app) must never load; only its slots do.
    from sequences.datasets import CATALOG  # noqa: PLC0415

    return {
        info.id: info.summary["baseline_mse"]
        for info in CATALOG.values()
        if "baseline_mse" in info.summary
    }


# Points a curve keeps in a snapshot; the newest is always kept.
MAX_POINTS = 100
# Metrics events a live update reads back: the board posts a run at most every two
# seconds, so it carries the validation points of its newest few events, not only the last.
RECENT_EVENTS = 8
# Finished runs' curves kept in this process, at most.
KEPT_FINISHED = 5_000
_finished: dict[str, list[list]] = {}


def validated(points: list[dict]) -> list[list]:
    """[step, validation loss] of each point that was validated."""
    return [[p["step"], p["val_loss"]] for p in points if p.get("val_loss") is not None]


def thinned(curve: list[list], most: int = MAX_POINTS) -> list[list]:
    if len(curve) <= most:
        return curve
    every = -(-len(curve) // most)  # ceil: at most `most` points
    kept = curve[::every]
    return kept if kept[-1] is curve[-1] else [*kept, curve[-1]]


def room(runs: list[Run]) -> dict[str, list[list]]:
    """Every run's validation curve, read in one query. A finished run's curve never
    changes again, so it is kept and not read again for the next screen that connects."""
    curves = {run.id: _finished[run.id] for run in runs if run.id in _finished}
    unread = [run for run in runs if run.id not in curves]
    found: dict[str, list[list]] = {run.id: [] for run in unread}
    events = RunEvent.objects.filter(run__in=unread, type="metrics").order_by("run_id", "seq")
    for run_id, data in events.values_list("run_id", "data"):
        extend(found[run_id], validated(data.get("points") or [data]))
    for run in unread:
        curves[run.id] = thinned(found[run.id])
        if run.status in FINISHED:
            if len(_finished) > KEPT_FINISHED:
                _finished.clear()
            _finished[run.id] = curves[run.id]
    return curves


def extend(curve: list[list], arriving: list[list]) -> None:
    """Add points in step order. A run resumed from a checkpoint validates the steps after
    it again: the later points replace the earlier ones from that step on."""
    while curve and arriving and curve[-1][0] >= arriving[0][0]:
        curve.pop()
    curve.extend(arriving)


def recent(run_id: str) -> list[list]:
    """The validation points of the run's newest metrics events, oldest first."""
    newest = RunEvent.objects.filter(run_id=run_id, type="metrics").order_by("-seq")
    found: list[list] = []
    for data in reversed(list(newest.values_list("data", flat=True)[:RECENT_EVENTS])):
        found.extend(validated(data.get("points") or [data]))
    return found
