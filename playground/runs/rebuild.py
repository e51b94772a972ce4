"""A stored run's settings and data, rebuilt (to train it, try its model, or export it)."""

from playground.api import ApiError
from playground.datasets.catalog import catalog_for
from sequences.spec import SpecError, parse_spec
from sequences.tasks import make_task


def rebuild(run):
    """(spec, task) from the run's stored spec, validated again: the limits may have
    changed since it was stored, or an upload it names was removed (`SpecError`)."""
    catalog = catalog_for(run.spec["dataset"])
    spec = parse_spec(run.spec, catalog)
    return spec, make_task(spec, catalog)


def spec_and_task(run):
    """`rebuild` for the API: 409 when the run no longer validates."""
    try:
        return rebuild(run)
    except SpecError as exc:
        raise ApiError(
            409, f"This run's settings can no longer be rebuilt: {exc.message}"
        ) from None
