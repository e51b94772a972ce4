"""The workshops JSON API (described in /api/openapi.json), and the instructor's actions."""

import csv
import io

from django.http import HttpResponse, JsonResponse
from pydantic import Field, ValidationError

from playground.api import ApiError, endpoint, read_json
from playground.csv_safety import csv_row
from playground.runs import lifecycle
from playground.runs.models import ACTIVE, Run
from playground.runs.ownership import owner_id
from playground.workshops import board, codes
from playground.workshops.models import DEFAULT_QUOTAS, Participant, Workshop
from playground.workshops.rules import is_instructor
from sequences.spec import SpecError, parse_spec
from sequences.strict import Strict


class Quotas(Strict):
    concurrent_runs: int = Field(DEFAULT_QUOTAS["concurrent_runs"], ge=1, le=20)
    max_steps: int = Field(DEFAULT_QUOTAS["max_steps"], ge=1, le=20_000)
    max_parameters: int = Field(DEFAULT_QUOTAS["max_parameters"], ge=100, le=5_000_000)


class WorkshopRequest(Strict):
    title: str = Field(min_length=1, max_length=120)
    preset: dict = Field(default_factory=dict)
    locked: list[str] = Field(default_factory=list, max_length=50)
    hidden: list[str] = Field(default_factory=list, max_length=50)
    quotas: Quotas = Field(default_factory=Quotas)


class JoinRequest(Strict):
    name: str = Field(min_length=1, max_length=40)


def checked(model, data):
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        raise ApiError(422, f"{field}: {first['msg']}", field=field) from None


def checked_preset(preset: dict, locked: list[str]) -> None:
    """A preset must be a valid run spec, and every locked path a setting in it."""
    try:
        full = parse_spec(preset).model_dump(mode="json")
    except SpecError as exc:
        raise ApiError(422, f"preset.{exc.message}", details=exc.details) from None
    for path in locked:
        group, _, name = path.partition(".")
        known = group in full and (
            not name or group == "dataset_options" or name in (full[group] or {})
        )
        if not known:
            raise ApiError(422, f"locked: '{path}' is not a setting of a run spec", field="locked")


def get_workshop(request, code: str) -> Workshop:
    workshop = codes.find(request, code)  # wrong codes are limited per address
    if workshop is None:
        raise ApiError(404, f"There is no workshop '{code}'. Check the code.")
    return workshop


def instructor(request, code: str) -> Workshop:
    workshop = get_workshop(request, code)
    if not is_instructor(request, workshop):
        raise ApiError(403, "Only the instructor (with the instructor link) can do this.")
    return workshop


@endpoint("POST")
def create_workshop(request):
    asked = checked(WorkshopRequest, read_json(request))
    checked_preset(asked.preset, asked.locked)
    workshop = Workshop.objects.create(
        title=asked.title.strip(),
        preset=asked.preset,
        locked=asked.locked,
        hidden=asked.hidden,
        quotas=asked.quotas.model_dump(),
    )
    request.session["instructing"] = [*request.session.get("instructing", []), workshop.code]
    body = {
        "code": workshop.code,
        "join_url": f"/w/{workshop.code}/",
        "instructor_url": f"/w/{workshop.code}/instructor/?key={workshop.secret}",
        "board_ws": f"/ws/workshops/{workshop.code}/",
    }
    return JsonResponse(body, status=201)


@endpoint("GET")
def workshop_detail(request, code):
    snapshot = board.snapshot(get_workshop(request, code))
    snapshot.pop("type")
    return JsonResponse(snapshot)


@endpoint("POST")
def join(request, code):
    workshop = get_workshop(request, code)
    if workshop.status != "open":
        raise ApiError(403, "This workshop has closed; its board stays open to read.")
    asked = checked(JoinRequest, read_json(request))
    name = " ".join(asked.name.split())
    if not name:
        raise ApiError(422, "name: type the name others will see", field="name")
    # Joining adds to the session and never replaces it (no flush, no new session): the
    # browser keeps its owner id, so its runs and uploads stay its own.
    owner_id(request)
    # A browser that joins again stays the same participant, with the runs it has going:
    # re-joining never starts its workshop quotas afresh.
    participant = Participant.objects.filter(
        id=request.session.get("participant"), workshop=workshop
    ).first()
    if participant is None:
        participant = Participant.objects.create(workshop=workshop, name=name)
    elif participant.name != name:
        Participant.objects.filter(id=participant.id).update(name=name)
        participant.name = name
    request.session["participant"] = participant.id  # runs from this browser now belong here
    board.record(workshop.code, {"type": "participant", "participant": participant.as_board()})
    body = {"participant": participant.id, "board_ws": f"/ws/workshops/{workshop.code}/"}
    return JsonResponse(body, status=201)


def run_of(workshop: Workshop, request) -> Run:
    data = read_json(request)
    run_id = data.get("run") if isinstance(data, dict) else None
    run = Run.objects.filter(id=run_id, workshop=workshop).first() if run_id else None
    if run is None:
        raise ApiError(404, f"There is no run '{run_id}' in this workshop.")
    return run


@endpoint("POST")
def stop_run(request, code):
    workshop = instructor(request, code)
    run = run_of(workshop, request)
    if run.status not in ACTIVE:
        raise ApiError(409, f"This run already ended as {run.status}.")
    lifecycle.cancel(run.id, "Stopped by the instructor.")
    return JsonResponse({"id": run.id, "stopping": True}, status=202)


@endpoint("POST")
def spotlight(request, code):
    workshop = instructor(request, code)
    data = read_json(request)
    run_id = (
        None if isinstance(data, dict) and data.get("run") is None else run_of(workshop, request).id
    )
    Workshop.objects.filter(code=workshop.code).update(spotlight=run_id or "")
    board.record(workshop.code, {"type": "spotlight", "run": run_id})
    return JsonResponse({"spotlight": run_id})


@endpoint("POST")
def push_preset(request, code):
    workshop = instructor(request, code)
    data = read_json(request)
    asked = checked(
        WorkshopRequest, {"title": workshop.title, **(data if isinstance(data, dict) else {})}
    )
    checked_preset(asked.preset, asked.locked)
    Workshop.objects.filter(code=workshop.code).update(
        preset=asked.preset, locked=asked.locked, hidden=asked.hidden
    )
    message = {
        "type": "preset",
        "preset": asked.preset,
        "locked": asked.locked,
        "hidden": asked.hidden,
    }
    board.record(workshop.code, message)
    return JsonResponse(message)


@endpoint("POST")
def close(request, code):
    workshop = instructor(request, code)
    Workshop.objects.filter(code=workshop.code).update(status="closed")
    board.record(workshop.code, {"type": "status", "status": "closed"})
    return JsonResponse({"status": "closed"})


@endpoint("GET")
def results(request, code):
    """Every run of the workshop as CSV, for the instructor."""
    workshop = instructor(request, code)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "participant",
            "run",
            "task",
            "paradigm",
            "cell",
            "layers",
            "hidden",
            "parameters",
            "steps",
            "status",
            "best_val_loss",
            "final_val_loss",
            "final_val_accuracy",
            "created_at",
        ]
    )
    for run in workshop.runs.select_related("participant").order_by("created_at"):
        result, model = run.result or {}, run.spec["model"]
        # Names are strangers' text: csv_row keeps a spreadsheet from reading one as a formula.
        writer.writerow(
            csv_row(
                [
                    run.participant.name if run.participant else "",
                    run.id,
                    run.spec["dataset"],
                    run.spec["paradigm"],
                    model["cell"],
                    model["layers"],
                    model["hidden"],
                    result.get("parameters"),
                    run.step,
                    run.status,
                    result.get("best_val_loss"),
                    result.get("final_val_loss"),
                    result.get("final_val_accuracy"),
                    run.created_at.isoformat(),
                ]
            )
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="workshop-{workshop.code}.csv"'
    return response
