"""A look runs in the web process, so one too large for it is refused with a sentence, and
the interventions' second pass counts."""

import pytest

from playground.api import ApiError
from playground.runs.looking import refuse_costly
from sequences.models import build_model
from sequences.probes.asking import LookRequest
from sequences.spec import parse_spec
from sequences.tasks import make_task

SPEC = {
    "dataset": "adding",
    "dataset_options": {"length": 20},
    "model": {"cell": "lstm", "hidden": 16},
}
CLAMP = {"kind": "clamp", "layer": 0, "gate": "forget", "value": 1.0}


def test_a_look_costlier_than_the_limit_is_refused_naming_the_model(settings):
    spec = parse_spec(SPEC)
    task = make_task(spec)
    model = build_model(spec, task.signature)
    cost = sum(p.numel() for p in model.parameters()) * 20
    plain, intervened = (
        LookRequest.model_validate({}),
        LookRequest.model_validate({"interventions": [CLAMP]}),
    )
    settings.LOOK_MAX_COST = cost
    refuse_costly(model, task, plain)
    with pytest.raises(ApiError) as refused:
        refuse_costly(model, task, intervened)
    assert refused.value.status == 422
    assert "too large to look inside" in refused.value.message
    assert "twice for the interventions" in refused.value.message
    settings.LOOK_MAX_COST = cost - 1
    with pytest.raises(ApiError):
        refuse_costly(model, task, plain)
