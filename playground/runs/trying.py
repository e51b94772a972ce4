"""POST /api/runs/{id}/predict: try a finished run's model (see /api/openapi.json).

Models are rebuilt from a run's settings and stored weights and kept in memory, a few at a
time, keyed by (run, step): "Try it" uses the final weights, a look (runs/looking.py) any
kept checkpoint's."""

import io
from collections import OrderedDict
from collections.abc import Callable

import torch
from django.http import JsonResponse
from pydantic import ValidationError

from playground.api import ApiError, endpoint, read_json
from playground.runs.lookup import get_run
from playground.runs.models import RunWeights
from playground.runs.rebuild import spec_and_task
from sequences.models import build_model
from sequences.predict import PredictError, PredictRequest, answer

LOADED = 8  # models kept in memory: a workshop tries the same few runs over and over
TASKS = 8  # runs whose rebuilt data is kept: looking at another step reuses it
_loaded: OrderedDict = OrderedDict()
_tasks: OrderedDict = OrderedDict()


def kept(cache: OrderedDict, key, most: int, make: Callable):
    """The cached value for `key`, made (and the oldest dropped) when missing."""
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    cache[key] = value = make()
    if len(cache) > most:
        cache.popitem(last=False)
    return value


def rebuilt_with(run, weights: bytes):
    """(task, model) of a run with the given weights (a state dict as torch.save wrote it)."""
    # A web process answers one small model at a time: one intra-op thread is fastest for
    # it, and leaves the other cores to the workers (sequences/threads.py).
    torch.set_num_threads(1)
    spec, task = kept(_tasks, run.id, TASKS, lambda: spec_and_task(run))
    model = build_model(spec, task.signature)
    model.load_state_dict(torch.load(io.BytesIO(weights), weights_only=True))
    model.eval()
    return task, model


def loaded(run):
    """(task, model) of a finished run, rebuilt from its settings and saved weights."""

    def final():
        stored = RunWeights.objects.filter(run_id=run.id).first()
        if stored is None:
            raise ApiError(
                409, f"This run is {run.status}; its model can be tried once it has finished."
            )
        return rebuilt_with(run, bytes(stored.data))

    return kept(_loaded, (run.id, "final"), LOADED, final)


def loaded_at(run, step: int, weights: Callable[[], bytes]):
    """(task, model) of a run as it was at a kept step; `weights` reads them when needed."""
    return kept(_loaded, (run.id, step), LOADED, lambda: rebuilt_with(run, weights()))


# The tags pydantic puts in a look's intervention error path.
KINDS = ("clamp", "unit", "head")


def field_of(loc: tuple) -> str:
    """A pydantic error path as the request names it: ("interventions", 0, "unit", "value")
    -> "interventions[0].value" (the kind tag and a union's member types are left out)."""
    name = ""
    for index, part in enumerate(loc):
        if isinstance(part, int):
            name += f"[{part}]"
        elif "[" in part or part in ("str", "int", "float"):
            continue
        elif part in KINDS and index and isinstance(loc[index - 1], int):
            continue
        else:
            name += f".{part}" if name else part
    return name or "request"


def invalid(exc: ValidationError) -> ApiError:
    """A request that does not validate (predict's or a look's), as a 422 naming its first
    bad field."""
    first = exc.errors()[0]
    return ApiError(422, f"{field_of(first['loc'])}: {first['msg']}")


@endpoint("POST")
def predict(request, run_id):
    run = get_run(run_id)
    try:
        asked = PredictRequest.model_validate(read_json(request))
    except ValidationError as exc:
        raise invalid(exc) from None
    task, model = loaded(run)
    try:
        return JsonResponse(answer(task, model, asked))
    except PredictError as exc:
        raise ApiError(422, str(exc)) from None
