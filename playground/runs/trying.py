"""POST /api/runs/{id}/predict: try a finished run's model (see /api/openapi.json)."""

import io
from collections import OrderedDict

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
_loaded: OrderedDict = OrderedDict()


def loaded(run):
    """(task, model) of a finished run, rebuilt from its settings and saved weights."""
    if run.id in _loaded:
        _loaded.move_to_end(run.id)
        return _loaded[run.id]
    stored = RunWeights.objects.filter(run_id=run.id).first()
    if stored is None:
        raise ApiError(
            409, f"This run is {run.status}; its model can be tried once it has finished."
        )
    spec, task = spec_and_task(run)
    model = build_model(spec, task.signature)
    model.load_state_dict(torch.load(io.BytesIO(bytes(stored.data)), weights_only=True))
    model.eval()
    _loaded[run.id] = (task, model)
    if len(_loaded) > LOADED:
        _loaded.popitem(last=False)
    return task, model


@endpoint("POST")
def predict(request, run_id):
    run = get_run(run_id)
    try:
        asked = PredictRequest.model_validate(read_json(request))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "request"
        raise ApiError(422, f"{field}: {first['msg']}") from None
    task, model = loaded(run)
    try:
        return JsonResponse(answer(task, model, asked))
    except PredictError as exc:
        raise ApiError(422, str(exc)) from None
