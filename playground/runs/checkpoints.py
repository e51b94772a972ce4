"""A running run's checkpoints, in the database where every worker can read them.

1. Every RUN_CHECKPOINT_SECONDS the training loop hands over its state (copied: the loop
   pays for the copy only) and a thread writes it: one row per run, overwritten
   (`Checkpoint`), which the next worker resumes from when this one is lost.
2. Each write also keeps the weights at that step (`KeptWeights`), thinned to
   RUN_KEPT_CHECKPOINTS spread from early to late, so the model can be looked at as it was.
3. When the run finishes, the task keeps its final weights too, and the state to resume
   from goes (lifecycle.move). Everything goes with the run (foreign keys cascade).

Writes carry the attempt that made them: a worker the run was taken from (its lease lapsed
while it was only slow) never overwrites the next one's checkpoint.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection, transaction

from playground.retrying import TRANSIENT, forget_connection
from playground.runs.models import Checkpoint, KeptWeights, Run
from sequences.resume import TrainingState, weights_bytes

log = logging.getLogger(__name__)


class CheckpointWriter:
    """The `Checkpoints` of sequences.resume for one attempt at a run: due every
    RUN_CHECKPOINT_SECONDS; `save` leaves the state for the writing thread, which stores
    the newest one it finds (an older one still waiting is skipped: only the latest matters).
    Leaving the block writes what is still waiting (the state an interrupted run saved)."""

    def __init__(self, run_id: str, attempt: int):
        self.run_id, self.attempt = run_id, attempt
        self.every = settings.RUN_CHECKPOINT_SECONDS
        self.next_due = time.monotonic() + self.every
        self.waiting: TrainingState | None = None
        self.lock = threading.Lock()
        self.arrived = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.loop, name=f"checkpoints-{run_id}", daemon=True)
        self.written: list[int] = []  # steps stored, in order
        self.write_seconds = 0.0  # spent writing, beside the loop

    # The Checkpoints interface of sequences.resume
    def due(self) -> bool:
        return time.monotonic() >= self.next_due

    def save(self, state: TrainingState) -> None:
        with self.lock:
            self.waiting = state
        self.next_due = time.monotonic() + self.every
        self.arrived.set()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.arrived.set()
        self.thread.join()
        self.write_waiting()

    def loop(self):
        try:
            while not self.stopping.is_set():
                self.arrived.wait()
                self.arrived.clear()
                self.write_waiting()
        finally:
            connection.close()  # this thread's own database connection

    def write_waiting(self) -> None:
        with self.lock:
            state, self.waiting = self.waiting, None
        if state is None:
            return
        started = time.perf_counter()
        try:
            close_old_connections()
            if store(self.run_id, self.attempt, state):
                self.written.append(state.step)
        # A missed checkpoint is survivable: the next one comes in a few seconds.
        except Exception as exc:
            log.exception(
                "could not save a checkpoint of run %s at step %d", self.run_id, state.step
            )
            if isinstance(exc, TRANSIENT):
                # The database restarted: the next write opens a fresh connection.
                forget_connection()
        self.write_seconds += time.perf_counter() - started


def store(run_id: str, attempt: int, state: TrainingState) -> bool:
    """Store the state to resume from and keep its weights; False when the run is no longer
    this attempt's (nothing is written then)."""
    data, weights = state.to_bytes(), weights_bytes(state.model)
    with transaction.atomic():
        if not Run.objects.filter(id=run_id, status="running", attempts=attempt).exists():
            return False
        Checkpoint.objects.update_or_create(
            run_id=run_id, defaults={"step": state.step, "attempt": attempt, "data": data}
        )
        keep(run_id, state.step, weights)
    return True


def keep(run_id: str, step: int, weights: bytes) -> None:
    """Keep the weights at this step, then thin the kept ones to RUN_KEPT_CHECKPOINTS."""
    KeptWeights.objects.update_or_create(run_id=run_id, step=step, defaults={"data": weights})
    kept = list(KeptWeights.objects.filter(run_id=run_id).values_list("step", flat=True))
    for step in thinned_out(kept, settings.RUN_KEPT_CHECKPOINTS):
        KeptWeights.objects.filter(run_id=run_id, step=step).delete()


def thinned_out(steps: list[int], most: int) -> list[int]:
    """The steps to drop so that `most` stay, spread out: the first and the last always
    stay (with room for two); each drop takes the step whose neighbours are closest."""
    steps, dropped = sorted(steps), []
    if most < 2:  # the latest alone, or none
        return steps[: len(steps) - max(most, 0)]
    while len(steps) > most:
        inner = range(1, len(steps) - 1)
        crowded = min(inner, key=lambda i: (steps[i + 1] - steps[i - 1], i))
        dropped.append(steps.pop(crowded))
    return dropped


def resume_state(run_id: str) -> TrainingState | None:
    """The state to resume a run from, if it saved one. Weights kept after that step go:
    the resumed run trains those steps again."""
    row = Checkpoint.objects.filter(run_id=run_id).first()
    if row is None:
        return None
    KeptWeights.objects.filter(run_id=run_id, step__gt=row.step).delete()
    return TrainingState.from_bytes(bytes(row.data))


def kept_steps(run_id: str) -> list[int]:
    return list(KeptWeights.objects.filter(run_id=run_id).values_list("step", flat=True))
