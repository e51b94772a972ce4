"""The runs JSON API (see API.md: Runs)."""

import logging

from django.http import JsonResponse

from playground.api import ApiError, endpoint, query_int, read_json
from playground.datasets.catalog import catalog_for
from playground.runs import events, lease, status
from playground.runs.models import FINISHED, Run
from playground.runs.ownership import owner_id, owns
from playground.workshops.dispatch import next_round, release
from playground.workshops.rules import admit, participant_of
from sequences.estimate import model_size
from sequences.spec import SpecError, parse_spec

log = logging.getLogger(__name__)

QUEUE_DOWN = (
    "The training queue (Redis) is not answering, so the run could not start. "
    "Try again in a moment."
)


def get_run(run_id: str) -> Run:
    run = Run.objects.filter(id=run_id).first()
    if run is None:
        raise ApiError(404, f"There is no run '{run_id}'. Check the link.")
    return run


def parsed(data):
    """The spec, checked against the built-ins and the upload it names."""
    dataset = data.get("dataset") if isinstance(data, dict) else None
    catalog = catalog_for(dataset)
    return parse_spec(data, catalog), catalog


@endpoint("POST")
def check_spec(request):
    """Validate a spec without starting it: the build page's live parameter count. A spec
    that cannot run is a successful check too: 200 with ok false and the reason."""
    try:
        spec, catalog = parsed(read_json(request))
    except SpecError as exc:
        return JsonResponse({"ok": False, "error": exc.message, "details": exc.details})
    size = model_size(spec, catalog)
    body = {"ok": True, "spec": spec.model_dump(mode="json"), **size}
    body["activation_mib"] = round(size.pop("activation_bytes") / 2**20, 1)
    return JsonResponse(body)


@endpoint("POST")
def create_run(request):
    data = read_json(request)
    try:
        spec, catalog = parsed(data)
    except SpecError as exc:
        raise ApiError(422, exc.message, details=exc.details) from None
    # A workshop participant's run obeys the workshop, and waits for its fair turn.
    participant = participant_of(request)
    if participant is not None:
        admit(participant, spec, model_size(spec, catalog)["parameters"])
    run = Run.objects.create(
        spec=spec.model_dump(mode="json"),
        owner=owner_id(request),
        total_steps=spec.training.steps,
        workshop_id=participant.workshop_id if participant else None,
        participant=participant,
        dispatched=participant is None,
        round=next_round(participant.id) if participant else 0,
    )
    events.record(run.id, "status", {"status": "queued"})
    if participant is not None:
        release()
    elif not enqueue(run.id):
        status.move(run.id, "queued", "failed", QUEUE_DOWN, error=QUEUE_DOWN)
        raise ApiError(503, QUEUE_DOWN, id=run.id)
    body = {
        "id": run.id,
        "url": f"/runs/{run.id}/",
        "ws": f"/ws/runs/{run.id}/",
        "status": "queued",
        "owner_token": run.owner_token,  # scripts without cookies send it as X-Owner-Token
    }
    return JsonResponse(body, status=201)


def enqueue(run_id: str) -> bool:
    from worker.tasks import train_run

    try:
        train_run.delay_on_commit(run_id)
    except Exception:
        log.exception("could not queue run %s", run_id)
        return False
    return True


@endpoint("GET", "DELETE")
def run_detail(request, run_id):
    if request.method == "DELETE":
        return delete_run(request, run_id)
    lease.reap(run_id)  # a reader never sees a dead worker's run as "running"
    return JsonResponse(get_run(run_id).as_api())


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


@endpoint("POST")
def cancel_run(request, run_id):
    run = get_run(run_id)
    if not owns(request, run):
        raise ApiError(403, "Only the browser that started this run can cancel it.")
    if run.status in FINISHED:
        raise ApiError(409, f"This run already ended as {run.status}; there is nothing to cancel.")
    # 1. Ask the worker to stop at its next step (it reads the flag with its lease).
    Run.objects.filter(id=run_id).update(cancel_requested=True)
    # 2. A run no worker has taken yet is cancelled here and now.
    status.move(run_id, "queued", "cancelled", "Cancelled before it started.")
    run.refresh_from_db()
    return JsonResponse({"id": run.id, "status": run.status}, status=202)
