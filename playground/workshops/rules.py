"""What a workshop allows a participant's run: its locks and its quotas, checked by the
server (the page hides and locks controls too, but the server has the last word)."""

import secrets

from playground.api import ApiError
from playground.runs.models import ACTIVE
from playground.workshops.models import Participant


def participant_of(request) -> Participant | None:
    """The workshop participant this browser joined as, if any."""
    participant_id = request.session.get("participant")
    if participant_id is None:
        return None
    return Participant.objects.select_related("workshop").filter(id=participant_id).first()


def is_instructor(request, workshop, key: str = "") -> bool:
    """Whoever holds the instructor key (from the link, or a script's X-Instructor-Key
    header), or a browser that has opened the instructor link before."""
    key = key or request.headers.get("X-Instructor-Key") or ""
    if key and secrets.compare_digest(key, workshop.secret):
        return True
    return workshop.code in request.session.get("instructing", [])


def dotted(data: dict, path: str):
    for key in path.split("."):
        data = data.get(key) if isinstance(data, dict) else None
    return data


def preset_spec(workshop) -> dict:
    """The preset with every default filled in: what a locked setting must stay at."""
    # Imported here, not at the top: this module plugs into the runs' hooks when Django
    # starts, in a Celery worker's parent process too, which must never load torch.
    from sequences.spec import parse_spec  # noqa: PLC0415

    return parse_spec(workshop.preset).model_dump(mode="json")


def admit_run(request, spec, parameters: int) -> dict:
    """The admission hook for runs: a participant's run obeys their workshop (or is
    refused with the reason) and belongs to it; other browsers' runs are no concern here.
    Once the workshop has closed, the browser trains on its own again."""
    participant = participant_of(request)
    if participant is None:
        return {}
    if participant.workshop.status != "open":
        request.session.pop("participant", None)
        return {}
    admit(participant, spec, parameters)
    return {"workshop_id": participant.workshop_id, "participant": participant}


def admit(participant: Participant, spec, parameters: int) -> None:
    """Raise ApiError (403 or 429, with the reason) unless the workshop allows this run."""
    workshop = participant.workshop
    if workshop.status != "open":
        raise ApiError(403, "This workshop has closed; its board stays open to read.")
    obeys(workshop, spec, parameters)
    going = participant.runs.filter(status__in=ACTIVE).count()
    if going >= workshop.quota("concurrent_runs"):
        raise ApiError(
            429,
            f"You have {going} run{'s' if going != 1 else ''} queued or training; this workshop allows "
            f"{workshop.quota('concurrent_runs')} at a time. Wait for one to finish, or cancel one.",
        )


def obeys(workshop, spec, parameters: int) -> None:
    """Raise ApiError 403 (with the reason) unless the run keeps the workshop's locks and
    fits its per-run quotas (steps, parameters)."""
    wanted = spec.model_dump(mode="json")
    fixed = preset_spec(workshop)
    for path in workshop.locked:
        if dotted(wanted, path) != dotted(fixed, path):
            raise ApiError(
                403, f"{path} is locked to {dotted(fixed, path)!r} in this workshop.", field=path
            )
    if spec.training.steps > workshop.quota("max_steps"):
        raise ApiError(
            403,
            f"training.steps: this workshop allows at most {workshop.quota('max_steps'):,} "
            f"steps a run, not {spec.training.steps:,}.",
            field="training.steps",
        )
    if parameters > workshop.quota("max_parameters"):
        raise ApiError(
            403,
            f"model: this model has {parameters:,} parameters; this workshop allows at most "
            f"{workshop.quota('max_parameters'):,}. Use fewer layers or a smaller hidden size.",
            field="model",
        )
