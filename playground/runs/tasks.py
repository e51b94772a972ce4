"""The Celery task that trains a run: take it, train it (from its checkpoint, when an
earlier worker was lost or shut down), record how it ended. Like a view, it is thin: it
passes an id, and leaves training to `sequences`."""

import logging
import os

from celery import shared_task
from django.conf import settings

from playground.retrying import retrying
from playground.runs import lifecycle
from playground.runs.lease import LeaseKeeper
from playground.runs.pump import EventPump
from worker import shutdown

log = logging.getLogger(__name__)


@shared_task(name=lifecycle.TASK, ignore_result=True, bind=True)
def train_run(self, run_id: str) -> None:
    # Imported here, not at the top: Celery imports this module in the worker's parent
    # process, which must never load torch (nor touch CUDA).
    from playground.runs import checkpoints  # noqa: PLC0415
    from playground.runs.rebuild import rebuild  # noqa: PLC0415
    from playground.runs.weights import keep_weights  # noqa: PLC0415
    from sequences.spec import SpecError  # noqa: PLC0415
    from sequences.threads import use_threads_for  # noqa: PLC0415
    from sequences.train import train  # noqa: PLC0415

    # 1. Take the run: only one worker moves it from queued to running (and says which),
    #    as its next attempt; every later write carries the attempt.
    run = lifecycle.take(run_id, worker=self.request.hostname or "")
    if run is None:
        log.info("run %s is not waiting to start; nothing to do", run_id)
        return
    attempt = run.attempts
    try:
        spec, task = rebuild(run)
    except SpecError as exc:
        lifecycle.fail(run_id, f"The run's settings are no longer valid: {exc.message}", attempt)
        return

    # 2. Train with the threads this model's steps gain from, from the last checkpoint if
    #    there is one; the lease renewed, events pumped and checkpoints written beside the
    #    loop, which stops for another worker to carry on when this one shuts down.
    try:
        use_threads_for(spec, task.signature, slot_threads())
        resume = checkpoints.resume_state(run_id)
        with (
            shutdown.terminate_means_hand_back(),
            LeaseKeeper(run_id, attempt) as lease,
            EventPump(run_id, lease.lost) as pump,
            checkpoints.CheckpointWriter(run_id, attempt) as saved,
        ):
            # The run's best validation loss, kept on the run for boards, goes on from the
            # checkpoint's (the steps after it are trained again).
            pump.best_val_loss = resume.best_val_loss if resume else None
            outcome = train(
                spec,
                task,
                reporter=pump,
                should_stop=lease.cancel_requested.is_set,
                probes=True,
                resume=resume,
                checkpoints=saved,
                should_interrupt=lease.interrupt.is_set,
            )
    except Exception as exc:
        log.exception("run %s failed", run_id)
        record_end(lifecycle.fail, run_id, f"Training failed: {type(exc).__name__}: {exc}", attempt)
        return
    log.info(
        "run %s: %d checkpoint(s) written in %.2f s beside the loop",
        run_id,
        len(saved.written),
        saved.write_seconds,
    )

    # 3. Stopped for another worker: the checkpoint is written (leaving the block above),
    #    so the run goes back to the queue, unless it was already taken from this worker.
    if outcome.status == "interrupted":
        if not lease.lost.is_set():
            record_end(lifecycle.hand_back, run_id, attempt)
        log.info("run %s stopped at step %d for another worker", run_id, outcome.result["steps"])
        return

    if lease.lost.is_set():  # another worker has the run now: its word stands
        return

    # 4. Keep the weights before the status says done, so a finished run always has them
    #    (diverged weights hold NaNs: nothing worth keeping); then record how it ended.
    if outcome.status != "diverged" and outcome.model is not None:
        keep_weights(run_id, outcome.model, step=outcome.result["steps"])
    record_end(lifecycle.finish, run_id, outcome, attempt)


def record_end(move, run_id: str, *args) -> None:
    """Record how the run ended, riding out a short database outage (a restart): given up,
    the run would stay running until the reaper handed it back. A status move is a
    compare-and-set, so a try whose answer was lost is harmless to repeat."""
    what = f"recording how run {run_id} ended"
    retrying(what, move, run_id, *args, give_up_after=settings.RUN_LEASE_SECONDS)


def slot_threads() -> int:
    """The threads this worker slot may use: its share of the machine's cores (worker/)."""
    return max(1, int(os.environ.get("OMP_NUM_THREADS") or os.cpu_count() or 1))
