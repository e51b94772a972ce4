"""A run's life, in one place: every status move of a run happens here.

    create ──> queued ──take──> running ──finish──> completed | diverged | cancelled
                 │   ^             ├──fail───────> failed
                 │   │             ├──reap───────> failed  (its workers were lost too often)
                 │   └─────────────┴──reap, hand_back      (its worker was lost, or shut down)
                 └──cancel──> cancelled              (a running run is asked, and finishes cancelled)

A run survives its worker: it saves a checkpoint every few seconds (runs/checkpoints.py).
When its lease lapses (the worker died) or its worker shuts down cleanly (a deploy), it
goes back to the queue, and the worker that takes it next resumes from the checkpoint
(from step 0 when it had none yet); its event log goes on with the next seq. A run whose
workers were lost RUN_MAX_ATTEMPTS times fails instead: it may be what kills them.

Queued runs wait in the database and are handed to Celery a few at a time (`dispatch`),
lowest round first, oldest first within a round. A run's round is how many runs its
browser already had waiting or training, so each browser's first waiting run goes before
anyone's second: one browser's queue never delays another browser's first run. Each run
goes to the queue its estimated cost fits, CPU or GPU (`routing`), and each queue has its
own few places, so big runs waiting for a GPU never hold up small ones on the CPUs. A run
handed to a queue that then loses every worker is sent again to the other (`reroute`), and
one whose message the queue lost is sent again after a while (`resend_lost`).

Every move is a compare-and-set, recorded as a `status` event in the run's log, and told
to the change hooks (a workshop board). Views, the task, the sweeper and workshops call
these functions; nothing else changes a run's status.
"""

import functools
import logging
from datetime import timedelta
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from playground.runs import events, hooks, routing
from playground.runs.models import ACTIVE, FINISHED, Checkpoint, Run
from worker.celery import app

log = logging.getLogger(__name__)

TASK = "runs.train"
QUEUE_DOWN = (
    "The training queue (Redis) is not answering, so the run could not start. "
    "Try again in a moment."
)


def lapsed_too_often(attempts: int) -> str:
    """Why a run whose workers kept dying failed."""
    return (
        f"The worker training this run stopped answering {attempts} times, so the run was "
        "marked failed: it may need more memory or time than a worker has. Try a smaller "
        "model, batch or sequence length, or start it again."
    )


def handed_back(step: int, why: str) -> str:
    """The status message of a run going back to the queue (an event clients show)."""
    where = f"resuming from step {step}" if step else "starting again from step 0"
    return f"{why}; {where}."


LOST = "The worker training this run stopped answering"
SHUT_DOWN = "The worker training this run shut down"


class Outcome(Protocol):
    """How training ended (`sequences.train` returns one)."""

    status: str  # completed, diverged or cancelled
    message: str
    result: dict


def create(spec, owner: str, cost: int, **fields) -> Run:
    """Store a new run, queued in its browser's next round, and dispatch the queue. `cost`
    is its estimated work (sequences.estimate.run_cost), which decides where it trains;
    `fields` are what the admission hooks added (a workshop and participant)."""
    run = Run.objects.create(
        spec=spec.model_dump(mode="json"),
        owner=owner,
        total_steps=spec.training.steps,
        cost=cost,
        round=Run.objects.filter(owner=owner, status__in=ACTIVE).count(),
        **fields,
    )
    events.record(run.id, "status", {"status": "queued"})
    hooks.changed(run.id, "status")
    dispatch()
    run.refresh_from_db()
    return run


def dispatch() -> list[str]:
    """Hand waiting runs to Celery, lowest round first, each to the queue its cost fits,
    until RUN_QUEUE_AHEAD of them wait on each queue; return their ids. Called whenever a
    place may have come free (a run was created, taken, finished or cancelled) and by the
    sweeper, so nothing waits forever."""
    workers = routing.live()
    sent: list[str] = []
    down: list[str] = []
    for kind in routing.KINDS:
        fitting = Run.objects.filter(routing.fits(kind, workers), status="queued", dispatched=False)
        while not down and waiting_on(kind) < settings.RUN_QUEUE_AHEAD:
            waiting = fitting.order_by("round", "created_at").values_list("id", flat=True).first()
            if waiting is None:
                break
            # Compare-and-set: when two processes dispatch at once, each run goes once.
            handed = Run.objects.filter(id=waiting, dispatched=False)
            if not handed.update(dispatched=True, queue=kind, dispatched_at=timezone.now()):
                continue
            sent.append(waiting)
            # Sent once committed, so a worker never looks for a run it cannot see yet. When
            # the queue is down, that run says so; the others wait for the sweeper.
            transaction.on_commit(functools.partial(hand_over, waiting, kind, down))
    return sent


def waiting_on(kind: str) -> int:
    """Runs handed to the queue of this kind and not yet taken."""
    return Run.objects.filter(status="queued", dispatched=True, queue=kind).count()


def hand_over(run_id: str, kind: str, down: list[str]) -> None:
    """Send the run's task; when the queue does not answer, the run fails saying so."""
    if not send(run_id, kind):
        down.append(run_id)
        move(run_id, "queued", "failed", QUEUE_DOWN, error=QUEUE_DOWN)


def send(run_id: str, kind: str) -> bool:
    """Put the run's task on the run queue of this kind (cpu or gpu: settings.RUN_QUEUES);
    False when the broker does not answer. The only way a run reaches Celery."""
    try:
        app.send_task(TASK, args=[run_id], queue=settings.RUN_QUEUES[kind])
    except Exception:
        log.exception("could not queue run %s", run_id)
        return False
    return True


def take(run_id: str, worker: str = "") -> Run | None:
    """queued → running, by exactly one worker (`worker` names it), as its next attempt.
    None when the run is not waiting (a redelivered task, a run cancelled meanwhile, or one
    sent again to another queue and taken there): then there is nothing to do."""
    if not move(run_id, "queued", "running", worker=worker, attempts=F("attempts") + 1):
        return None
    dispatch()  # its place in the Celery queue came free
    return Run.objects.get(id=run_id)


def finish(run_id: str, outcome: Outcome, attempt: int | None = None) -> None:
    """running → how training ended, with its result (while it is still that attempt's)."""
    result = outcome.result
    kept = {"result": result, "step": result["steps"], "expected_attempt": attempt}
    if outcome.status == "completed":
        move(run_id, "running", "completed", then=[("done", {"result": result})], **kept)
    elif outcome.status == "diverged":
        move(run_id, "running", "diverged", outcome.message, error=outcome.message, **kept)
    else:
        move(run_id, "running", "cancelled", outcome.message, **kept)
    dispatch()


def fail(run_id: str, message: str, attempt: int | None = None) -> None:
    """running → failed, saying why (while it is still that attempt's)."""
    move(run_id, "running", "failed", message, expected_attempt=attempt, error=message)
    dispatch()


def cancel(run_id: str, message: str) -> Run:
    """Ask the run to stop. Its worker reads the flag with its lease and finishes it as
    cancelled at the next step; a run no worker has taken yet is cancelled here and now."""
    Run.objects.filter(id=run_id).update(cancel_requested=True)
    if move(run_id, "queued", "cancelled", message):
        dispatch()
    return Run.objects.get(id=run_id)


def renew(run_id: str, attempt: int) -> bool | None:
    """Renew a running run's lease for this attempt; say whether its owner asked to cancel.
    None when the run is no longer this attempt's (it was reaped and handed to another
    worker): then that worker writes nothing more."""
    held = Run.objects.filter(id=run_id, status="running", attempts=attempt)
    if not held.update(heartbeat_at=timezone.now()):
        return None
    return Run.objects.filter(id=run_id, cancel_requested=True).exists()


def reap(run_id: str | None = None) -> int:
    """Hand back to the queue every running run (or just this one) whose lease has lapsed,
    to resume from its checkpoint; fail those whose workers were lost too often."""
    lapsed_before = timezone.now() - timedelta(seconds=settings.RUN_LEASE_SECONDS)
    stale = Run.objects.filter(status="running", heartbeat_at__lt=lapsed_before)
    if run_id is not None:
        stale = stale.filter(id=run_id)
    reaped = 0
    # Each while it is the attempt whose lease lapsed: one taken meanwhile is left alone.
    for i, attempts in stale.values_list("id", "attempts"):
        if attempts >= settings.RUN_MAX_ATTEMPTS:
            message = lapsed_too_often(attempts)
            reaped += move(
                i, "running", "failed", message, expected_attempt=attempts, error=message
            )
        else:
            reaped += requeue(i, LOST, expected_attempt=attempts)
    if reaped:
        dispatch()
    return reaped


def hand_back(run_id: str, attempt: int) -> bool:
    """running → queued when its worker shuts down cleanly (it saved a checkpoint first).
    The attempt is given back: a deploy is not the run's fault."""
    if not requeue(run_id, SHUT_DOWN, attempts=attempt - 1, expected_attempt=attempt):
        return False
    dispatch()
    return True


def requeue(run_id: str, why: str, expected_attempt: int | None = None, **fields) -> bool:
    """running → queued, to be dispatched again and resumed from its checkpoint; the status
    event says from which step. A run whose owner asked to cancel it is cancelled instead. `expected_attempt`: only while it is still that attempt."""
    step = Checkpoint.objects.filter(run_id=run_id).values_list("step", flat=True).first() or 0
    if Run.objects.filter(id=run_id, cancel_requested=True).exists():
        # Its owner asked it to stop before its worker went: it ends here, rather than
        # train on elsewhere.
        return move(
            run_id,
            "running",
            "cancelled",
            f"Cancelled at step {step}.",
            expected_attempt=expected_attempt,
            heartbeat_at=None,
        )
    return move(
        run_id,
        "running",
        "queued",
        handed_back(step, why),
        expected_attempt=expected_attempt,
        dispatched=False,
        step=step,
        heartbeat_at=None,
        **fields,
    )


def resend_lost(everything: bool = False) -> list[str]:
    """Send again the runs handed to Celery and not taken since RUN_RESEND_SECONDS ago, or,
    with `everything`, all runs handed over and not taken (the broker restarted); return
    their ids.

    Celery keeps a task message in Redis only: a Redis that restarts without persistence
    (an embedded one keeps nothing) or evicts keys loses it, and a message a worker had
    reserved comes back only after the transport's visibility timeout (an hour by default,
    Celery's Redis caveats), for a worker that died holding it. The run stays queued in the
    database, where nothing would hand it over again. Sending again costs at most one
    extra message per run and bound: a run still waiting behind busy slots is simply taken
    once (`take` is a compare-and-set; the extra copy finds it taken and does nothing).
    Each resend restarts the run's bound, so a run waiting long is not sent at every sweep.
    """
    now = timezone.now()
    handed = Run.objects.filter(status="queued", dispatched=True)
    if not everything:
        due = now - timedelta(seconds=settings.RUN_RESEND_SECONDS)
        handed = handed.filter(Q(dispatched_at__lt=due) | Q(dispatched_at__isnull=True))
    resent: list[str] = []
    for run_id, kind, sent_at in handed.values_list("id", "queue", "dispatched_at"):
        # Compare-and-set: with two sweepers, or a dispatch meanwhile, each run goes once.
        if not Run.objects.filter(id=run_id, status="queued", dispatched_at=sent_at).update(
            dispatched_at=now
        ):
            continue
        if send(run_id, kind):
            resent.append(run_id)
        else:  # the broker is down: the next sweep tries again
            Run.objects.filter(id=run_id, dispatched_at=now).update(dispatched_at=sent_at)
    return resent


def reroute(workers: dict[str, int] | None) -> list[str]:
    """Send again every run handed to a queue that has no live worker left, to the queue
    that fits it now, when that one has workers; return their ids. With no worker on any
    queue (or no word from them) runs stay where they are: they start when a worker does,
    and /api/health says meanwhile that none is running. The copy left behind is harmless:
    only one worker can take a run."""
    moved: list[str] = []
    if workers is None:
        return moved
    for kind in routing.KINDS:
        if workers[kind]:
            continue
        stranded = Run.objects.filter(status="queued", dispatched=True, queue=kind)
        for run_id, cost in stranded.values_list("id", "cost"):
            target = routing.queue_for(cost, workers)
            if target == kind:
                continue
            # Compare-and-set: a run taken or moved meanwhile stays as it is.
            moving = Run.objects.filter(id=run_id, status="queued", queue=kind)
            if not moving.update(queue=target, dispatched_at=timezone.now()):
                continue
            if send(run_id, target):
                moved.append(run_id)
            else:  # the broker is down: the next sweep tries again
                Run.objects.filter(id=run_id, queue=target).update(queue=kind)
    return moved


def move(
    run_id: str,
    old: str,
    new: str,
    message: str = "",
    then=(),
    expected_attempt: int | None = None,
    **fields,
) -> bool:
    """Move a run from `old` to `new` if nobody moved it first (and, with
    `expected_attempt`, while it is still that attempt); record the change, and the
    (type, data) events in `then` after it, in the same transaction."""
    now = timezone.now()
    if new in FINISHED:
        fields.setdefault("finished_at", now)
    if new == "running":
        # A resumed run keeps the time it first started.
        fields.update(started_at=Coalesce("started_at", Value(now)), heartbeat_at=now)
    data = {"status": new, "message": message} if message else {"status": new}
    current = Run.objects.filter(id=run_id, status=old)
    if expected_attempt is not None:
        current = current.filter(attempts=expected_attempt)
    with transaction.atomic():
        num_updated = current.update(status=new, **fields)
        if num_updated == 0:
            # Nothing got updated: another process got there first (a cancel, the reaper,
            # a redelivered task), and its word stands.
            return False
        for type, extra in [("status", data), *then]:
            events.record(run_id, type, extra)
        if new in FINISHED:  # nothing will resume it: only its kept weights stay
            Checkpoint.objects.filter(run_id=run_id).delete()
    hooks.changed(run_id, "status")
    return True
