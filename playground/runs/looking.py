"""POST /api/runs/{id}/look: the inside of a run's model on any input, at any kept
checkpoint, with interventions and one step's arithmetic (sequences/probes/what_if.py).

It runs here, in the web process, beside "Try it" and its model cache (runs/trying.py):
a look is one small forward and backward on one sequence, and never touches a worker.
Like "Try it" it only reads: anyone with the run's link may look."""

from django.conf import settings
from django.http import JsonResponse
from pydantic import ValidationError

from playground.api import ApiError, endpoint, read_json
from playground.runs.checkpoints import kept_steps
from playground.runs.lookup import get_run
from playground.runs.models import KeptWeights
from playground.runs.trying import invalid, loaded_at
from sequences.probes.asking import LookError, LookRequest
from sequences.probes.what_if import what_if


def weights_at(run, step: int):
    """The kept weights at `step`, read when the model is not cached already."""

    def read() -> bytes:
        row = KeptWeights.objects.filter(run_id=run.id, step=step).first()
        if row is None:  # thinned out since the steps were listed
            raise ApiError(
                409,
                f"The checkpoint at step {step} was just replaced by a later one; "
                f"ask /api/runs/{run.id}/checkpoints again.",
            )
        return bytes(row.data)

    return read


def refuse_costly(model, task, asked: LookRequest) -> None:
    """A look holds the web process while it runs: one too large for that is refused."""
    parameters = sum(p.numel() for p in model.parameters())
    passes = 2 if asked.interventions else 1
    cost = parameters * task.signature.length * passes
    if cost > settings.LOOK_MAX_COST:
        raise ApiError(
            422,
            f"input: this model ({parameters:,} parameters reading {task.signature.length:,} "
            f"steps{', twice for the interventions' if passes == 2 else ''}) is too large to "
            "look inside on request here; its looks during training are on the run page. "
            "A smaller model or a shorter sequence can be asked.",
        )


@endpoint("POST")
def look(request, run_id):
    run = get_run(run_id)
    try:
        asked = LookRequest.model_validate(read_json(request))
    except ValidationError as exc:
        raise invalid(exc) from None
    steps = kept_steps(run.id)
    if not steps:
        raise ApiError(
            409,
            f"This run is {run.status} and has kept no checkpoint yet; its model can be "
            "looked at once it has saved one (every few seconds while it trains).",
        )
    step = steps[-1] if asked.step is None else asked.step
    if step not in steps:
        raise ApiError(
            422,
            f"step: {step} is not a kept checkpoint of this run; choose one of "
            f"{', '.join(map(str, steps))}.",
        )
    task, model = loaded_at(run, step, weights_at(run, step))
    refuse_costly(model, task, asked)
    try:
        return JsonResponse({"step": step, **what_if(task, model, asked)})
    except LookError as exc:
        raise ApiError(422, str(exc)) from None
