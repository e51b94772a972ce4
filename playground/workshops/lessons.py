"""The lessons a workshop's participant is offered: only those whose every run the
workshop would admit (its locks, steps and parameters a run, and its runs at a time, since
a lesson trains its runs together). Offering one that is refused at Train helps no one."""

import functools
import json

from playground.api import ApiError
from playground.workshops.rules import obeys, participant_of


def lessons_for(request, presets: list[dict]) -> list[dict]:
    """The lessons hook: every lesson for a browser outside an open workshop."""
    participant = participant_of(request)
    if participant is None or participant.workshop.status != "open":
        return presets
    return [lesson for lesson in presets if fits(participant.workshop, lesson)]


def fits(workshop, lesson: dict) -> bool:
    if len(lesson["runs"]) > workshop.quota("concurrent_runs"):
        return False
    for spec in lesson["runs"]:
        parsed, parameters = sized(json.dumps(spec, sort_keys=True))
        try:
            obeys(workshop, parsed, parameters)
        except ApiError:
            return False
    return True


@functools.lru_cache(maxsize=64)
def sized(spec_json: str):
    """A lesson's run spec, parsed, and its model's parameter count (lessons never change,
    so each is sized once per process)."""
    # Imported here: this module plugs into the runs' hooks when Django starts, in a Celery
    # worker's parent process too, which must never load torch.
    from sequences.estimate import model_size  # noqa: PLC0415
    from sequences.spec import parse_spec  # noqa: PLC0415

    spec = parse_spec(json.loads(spec_json))
    return spec, model_size(spec)["parameters"]
