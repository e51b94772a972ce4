"""Celery tasks: thin, like views. They pass ids, and leave training to `sequences`."""

import logging

from worker.celery import app

log = logging.getLogger(__name__)


@app.task(name="runs.train", ignore_result=True)
def train_run(run_id: str) -> None:
    """Train one run and record how it ended."""
    # Imported here so the worker's parent process never loads torch (nor touches CUDA).
    from playground.datasets.catalog import catalog_for
    from playground.runs import status
    from playground.runs.models import Run
    from sequences.spec import SpecError, parse_spec
    from sequences.tasks import make_task
    from sequences.train import train
    from worker.lease import LeaseKeeper
    from worker.pump import EventPump

    # 1. Take the run. Only one worker ever moves it from queued to running; a redelivered
    #    or cancelled run stops here.
    run = Run.objects.filter(id=run_id).first()
    if run is None or not status.move(run_id, "queued", "running"):
        log.info("run %s is not waiting to start; nothing to do", run_id)
        return

    # 2. Validate the spec again: limits may have changed since it was stored.
    try:
        catalog = catalog_for(run.spec.get("dataset"))
        spec = parse_spec(run.spec, catalog)
        task = make_task(spec, catalog)
    except SpecError as exc:
        message = f"The run's settings are no longer valid: {exc.message}"
        status.move(run_id, "running", "failed", message, error=message)
        return

    # 3. Train, with the lease renewed and events pumped beside the loop.
    share_the_cores()
    try:
        with LeaseKeeper(run_id) as keeper:
            with EventPump(run_id) as pump:
                outcome = train(
                    spec,
                    task,
                    reporter=pump,
                    should_stop=keeper.cancel_requested.is_set,
                    probes=True,
                )
    except Exception as exc:
        log.exception("run %s failed", run_id)
        message = f"Training failed: {type(exc).__name__}: {exc}"
        status.move(run_id, "running", "failed", message, error=message)
        return

    # 4. Keep the weights (before the status says done, so a finished run always has them),
    #    then record the outcome. Diverged weights hold NaNs: nothing worth keeping.
    result = outcome.result
    if outcome.status != "diverged":
        try:
            save_weights(run_id, outcome.model)
        except Exception:  # the run itself is fine; only its download will be missing
            log.exception("could not save the weights of run %s", run_id)
    if outcome.status == "completed":
        status.move(
            run_id,
            "running",
            "completed",
            result=result,
            step=result["steps"],
            then=[("done", {"result": result})],
        )
    elif outcome.status == "diverged":
        status.move(
            run_id,
            "running",
            "diverged",
            outcome.message,
            result=result,
            error=outcome.message,
            step=result["steps"],
        )
    else:
        status.move(
            run_id, "running", "cancelled", outcome.message, result=result, step=result["steps"]
        )


def save_weights(run_id: str, model) -> None:
    import io

    import torch

    from playground.runs.models import RunWeights

    buffer = io.BytesIO()
    torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, buffer)
    RunWeights.objects.update_or_create(run_id=run_id, defaults={"data": buffer.getvalue()})


def share_the_cores() -> None:
    """Worker slots on one machine split its cores instead of each taking all of them
    (oversubscribed threads slow every run, and the web server with them)."""
    import os

    import torch

    slots = max(1, int(os.environ.get("WORKER_CONCURRENCY", "1")))
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // slots))
