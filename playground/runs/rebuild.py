"""A stored run's settings and data, rebuilt (for trying its model, or exporting it)."""

from playground.api import ApiError
from playground.datasets.catalog import catalog_for


def spec_and_task(run):
    """(spec, task) from the run's stored spec; 409 when it no longer validates (an upload
    it trained on was removed, or the limits changed)."""
    from sequences.spec import SpecError, parse_spec
    from sequences.tasks import make_task

    catalog = catalog_for(run.spec["dataset"])
    try:
        spec = parse_spec(run.spec, catalog)
    except SpecError as exc:
        raise ApiError(
            409, f"This run's settings can no longer be rebuilt: {exc.message}"
        ) from None
    return spec, make_task(spec, catalog)
