"""Finding a run by the id in its link."""

from playground.api import ApiError
from playground.runs.models import Run


def get_run(run_id: str) -> Run:
    """The run, or a 404 that says to check the link."""
    run = Run.objects.filter(id=run_id).first()
    if run is None:
        raise ApiError(404, f"There is no run '{run_id}'. Check the link.")
    return run
