"""The runs JSON API (described in /api/openapi.json). Status changes go through
`lifecycle`."""

from django.http import JsonResponse

from playground.api import ApiError, endpoint, query_int, read_json
from playground.datasets.catalog import catalog_for
from playground.runs import events, hooks, lifecycle, quotas
from playground.runs.lookup import get_run
from playground.runs.models import FINISHED, KeptWeights
from playground.runs.ownership import owner_id, owns
from playground.runs.problems import plain_problems, unavailable_cells, unavailable_choices
from playground.runs.queue_place import queue_place
from sequences.estimate import model_size, run_cost
from sequences.spec import SpecError, parse_spec


def parsed(data):
    """The spec, checked against the built-ins and the upload it names."""
    dataset = data.get("dataset") if isinstance(data, dict) else None
    catalog = catalog_for(dataset)
    return parse_spec(data, catalog), catalog


@endpoint("POST")
def check_spec(request):
    """Validate a spec without starting it: the build page's live parameter count. A spec
    that cannot run is a successful check too: 200 with ok false and the reason, every
    problem in plain words (`problems`), and the cells this task and paradigm cannot
    train and the choices the chosen cell cannot take (`unavailable`). A workshop's locks
    and quotas are checked here too."""
    data = read_json(request)
    catalog = catalog_for(data.get("dataset") if isinstance(data, dict) else None)
    unavailable = {
        "model.cell": unavailable_cells(data, catalog),
        **unavailable_choices(data, catalog),
    }
    try:
        spec = parse_spec(data, catalog)
    except SpecError as exc:
        return refused_check(exc.message, exc.details, unavailable)
    size = model_size(spec, catalog)
    try:
        # The admission hooks refuse what the workshop forbids (403); a refusal for
        # runs already going (429) depends on the moment, so Train answers it.
        hooks.admit(request, spec, size["parameters"])
    except ApiError as exc:
        if exc.status == 403:
            field = exc.extra.get("field", "spec")
            details = [{"field": field, "message": exc.message.removeprefix(f"{field}: ")}]
            return refused_check(exc.message, details, unavailable)
    body = {"ok": True, "spec": spec.model_dump(mode="json"), "unavailable": unavailable, **size}
    body["activation_mib"] = round(body.pop("activation_bytes") / 2**20, 1)
    return JsonResponse(body)


def refused_check(error: str, details: list[dict], unavailable: dict) -> JsonResponse:
    """A check that says no: the first problem (`error`), each one as the spec names it
    (`details`) and in a person's words (`problems`)."""
    body = {"ok": False, "error": error, "details": details, "problems": plain_problems(details)}
    return JsonResponse({**body, "unavailable": unavailable})


@endpoint("POST")
def create_run(request):
    data = read_json(request)
    try:
        spec, catalog = parsed(data)
    except SpecError as exc:
        raise ApiError(422, exc.message, details=exc.details) from None
    owner = owner_id(request)
    quotas.admit(owner, spec.training.steps)
    # Other apps may refuse the run, or tie it to something (a workshop's rules).
    fields = hooks.admit(request, spec, model_size(spec, catalog)["parameters"])
    run = lifecycle.create(spec, owner, cost=run_cost(spec, catalog), **fields)
    if run.error == lifecycle.QUEUE_DOWN:
        raise ApiError(503, lifecycle.QUEUE_DOWN, id=run.id)
    body = {
        "id": run.id,
        "url": f"/runs/{run.id}/",
        "ws": f"/ws/runs/{run.id}/",
        "status": "queued",
        "owner_token": run.owner_token,  # scripts without cookies send it as X-Owner-Token
    }
    return JsonResponse(body, status=201)


@endpoint("GET", "DELETE")
def run_detail(request, run_id):
    if request.method == "DELETE":
        return delete_run(request, run_id)
    # A reader never sees a dead worker's run as "running".
    lifecycle.reap(run_id)
    run = get_run(run_id)
    # A waiting run says where it stands, so a page can tell why it waits.
    place = queue_place(run)
    return JsonResponse({**run.as_api(), **({"queue": place} if place else {})})


def delete_run(request, run_id):
    """The owner removes a finished run: its events, weights and link go with it."""
    run = get_run(run_id)
    if not owns(request, run):
        raise ApiError(403, "Only the browser that started this run can delete it.")
    if run.status not in FINISHED:
        raise ApiError(409, f"This run is {run.status}; cancel it first, then delete it.")
    run.delete()
    return JsonResponse({"id": run_id, "deleted": True})


@endpoint("GET")
def run_events(request, run_id):
    after = query_int(request, "after")
    run = get_run(run_id)
    return JsonResponse({"status": run.status, "events": events.stored_after(run_id, after)})


@endpoint("GET")
def run_checkpoints(request, run_id):
    """The steps whose weights the run keeps (runs/checkpoints.py): a few, early to late."""
    get_run(run_id)
    kept = KeptWeights.objects.filter(run_id=run_id).values_list("step", flat=True)
    return JsonResponse({"steps": list(kept)})


@endpoint("POST")
def cancel_run(request, run_id):
    run = get_run(run_id)
    if not owns(request, run):
        raise ApiError(403, "Only the browser that started this run can cancel it.")
    if run.status in FINISHED:
        raise ApiError(409, f"This run already ended as {run.status}; there is nothing to cancel.")
    run = lifecycle.cancel(run_id, "Cancelled before it started.")
    return JsonResponse({"id": run.id, "status": run.status}, status=202)
