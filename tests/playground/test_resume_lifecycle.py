"""Runs that outlive their worker, in-process: a lapsed lease or a clean shutdown hands the
run back to the queue with the step it resumes from, a run that keeps losing its workers
fails saying so, a worker the run was taken from writes nothing more, and the kept weight
snapshots stay few and spread out. (tests/faults/test_worker_killed.py does it for real.)"""

import csv
import io
import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from playground.runs import checkpoints, events, lifecycle
from playground.runs.models import Checkpoint, KeptWeights, Run
from sequences.estimate import run_cost
from sequences.resume import TrainingState, weights_bytes
from sequences.spec import parse_spec
from sequences.train import train

SPEC = parse_spec({"dataset": "adding", "model": {"cell": "gru", "hidden": 8}})


def running(owner: str = "a") -> Run:
    run = lifecycle.create(SPEC, owner, cost=run_cost(SPEC))
    taken = lifecycle.take(run.id, worker="worker-1")
    assert taken is not None
    return taken


def lapse(run_id: str, settings) -> None:
    ago = timedelta(seconds=settings.RUN_LEASE_SECONDS + 1)
    Run.objects.filter(id=run_id).update(heartbeat_at=timezone.now() - ago)


def statuses(run_id: str) -> list[tuple[str, str]]:
    events = Run.objects.get(id=run_id).events.filter(type="status")
    return [(e.data["status"], e.data.get("message", "")) for e in events]


@pytest.fixture(scope="module")
def state_at_step_7() -> TrainingState:
    calls = itertools.count(1)
    small = SPEC.model_copy(deep=True)
    small.training.steps = 20
    outcome = train(small, device="cpu", should_interrupt=lambda: next(calls) >= 7)
    assert outcome.state is not None
    return outcome.state


@pytest.mark.django_db
def test_a_run_whose_lease_lapsed_goes_back_to_the_queue_to_resume_from_its_checkpoint(
    settings, state_at_step_7
):
    run = running()
    assert run.attempts == 1
    assert checkpoints.store(run.id, 1, state_at_step_7)
    lapse(run.id, settings)

    assert lifecycle.reap() == 1
    run.refresh_from_db()
    assert run.status == "queued" and run.dispatched and run.step == 7
    assert run.heartbeat_at is None and run.error is None
    assert statuses(run.id)[-1] == (
        "queued",
        "The worker training this run stopped answering; resuming from step 7.",
    )
    # The next worker takes it as its second attempt and finds the state to go on from.
    again = lifecycle.take(run.id, worker="worker-2")
    assert again is not None and again.attempts == 2 and again.started_at == run.started_at
    assert checkpoints.resume_state(run.id).step == 7


@pytest.mark.django_db
def test_a_run_lost_before_its_first_checkpoint_starts_again_from_step_0(settings):
    run = running()
    lapse(run.id, settings)
    lifecycle.reap(run.id)
    assert statuses(run.id)[-1] == (
        "queued",
        "The worker training this run stopped answering; starting again from step 0.",
    )
    assert checkpoints.resume_state(run.id) is None


@pytest.mark.django_db
def test_a_run_that_keeps_losing_its_workers_fails_saying_so(settings):
    settings.RUN_MAX_ATTEMPTS = 3
    run = running()
    for attempt in (1, 2):
        lapse(run.id, settings)
        assert lifecycle.reap(run.id) == 1
        assert lifecycle.take(run.id).attempts == attempt + 1
    lapse(run.id, settings)
    assert lifecycle.reap(run.id) == 1
    run.refresh_from_db()
    assert run.status == "failed" and run.finished_at
    assert run.error == (
        "The worker training this run stopped answering 3 times, so the run was marked "
        "failed: it may need more memory or time than a worker has. Try a smaller model, "
        "batch or sequence length, or start it again."
    )
    assert [s for s, _ in statuses(run.id)] == [
        "queued",
        "running",
        "queued",
        "running",
        "queued",
        "running",
        "failed",
    ]


@pytest.mark.django_db
def test_a_clean_shutdown_hands_the_run_back_and_gives_its_attempt_back(state_at_step_7):
    run = running()
    checkpoints.store(run.id, 1, state_at_step_7)
    assert lifecycle.hand_back(run.id, 1)
    run.refresh_from_db()
    assert run.status == "queued" and run.attempts == 0 and run.step == 7
    assert statuses(run.id)[-1] == (
        "queued",
        "The worker training this run shut down; resuming from step 7.",
    )
    assert not lifecycle.hand_back(run.id, 1)  # once only


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["shut down", "lost"])
def test_a_run_its_owner_cancelled_ends_cancelled_when_its_worker_goes(
    how, settings, state_at_step_7
):
    run = running()
    checkpoints.store(run.id, 1, state_at_step_7)
    lifecycle.cancel(run.id, "Cancelled by its owner.")  # the worker has not read it yet
    if how == "shut down":
        assert lifecycle.hand_back(run.id, 1)
    else:
        lapse(run.id, settings)
        assert lifecycle.reap() == 1
    run.refresh_from_db()
    assert run.status == "cancelled" and run.finished_at is not None
    assert statuses(run.id)[-1] == ("cancelled", "Cancelled at step 7.")
    assert lifecycle.take(run.id, worker="worker-2") is None  # no other worker trains it


@pytest.mark.django_db
def test_a_worker_the_run_was_taken_from_writes_nothing_more(settings, state_at_step_7):
    run = running()
    lapse(run.id, settings)
    lifecycle.reap(run.id)
    lifecycle.take(run.id, worker="worker-2")  # attempt 2

    assert lifecycle.renew(run.id, 1) is None  # the first worker hears it lost the run
    assert lifecycle.renew(run.id, 2) is False
    assert not checkpoints.store(run.id, 1, state_at_step_7)
    assert not Checkpoint.objects.filter(run_id=run.id).exists()
    lifecycle.fail(run.id, "Training failed: late", attempt=1)
    assert not lifecycle.hand_back(run.id, 1)
    assert Run.objects.get(id=run.id).status == "running"


@pytest.mark.django_db
def test_a_finished_run_keeps_its_weights_and_drops_its_resume_state(state_at_step_7):
    run = running()
    checkpoints.store(run.id, 1, state_at_step_7)
    assert checkpoints.kept_steps(run.id) == [7]
    lifecycle.fail(run.id, "Training failed: boom", attempt=1)
    assert not Checkpoint.objects.filter(run_id=run.id).exists()
    assert checkpoints.kept_steps(run.id) == [7]
    Run.objects.filter(id=run.id).delete()
    assert not KeptWeights.objects.filter(run_id=run.id).exists()


@pytest.mark.django_db
def test_resuming_drops_the_kept_weights_of_steps_it_trains_again(state_at_step_7):
    run = running()
    checkpoints.store(run.id, 1, state_at_step_7)
    checkpoints.keep(run.id, 9, weights_bytes(state_at_step_7.model))
    assert checkpoints.resume_state(run.id).step == 7
    assert checkpoints.kept_steps(run.id) == [7]


@pytest.mark.django_db
def test_the_kept_weights_stay_few_and_spread_from_early_to_late(settings):
    settings.RUN_KEPT_CHECKPOINTS = 10
    run = running()
    for step in range(10, 3001, 10):  # a checkpoint every few seconds of a long run
        checkpoints.keep(run.id, step, b"weights")
    kept = checkpoints.kept_steps(run.id)
    gaps = [b - a for a, b in itertools.pairwise(kept)]
    print(f"kept {kept}, gaps {gaps}")
    assert len(kept) == 10 and kept[0] == 10 and kept[-1] == 3000
    even = (3000 - 10) / 9
    assert max(gaps) < 2 * even and min(gaps) > even / 4


@pytest.mark.django_db
def test_the_metrics_export_keeps_the_points_of_the_try_that_went_on(client):
    run = running()
    first_try = [{"step": s, "loss": 10.0 + s, "grad_norm": 1.0, "lr": 0.1} for s in range(1, 10)]
    second_try = [{"step": s, "loss": float(s), "grad_norm": 1.0, "lr": 0.1} for s in range(7, 13)]
    for points in (first_try[:5], first_try[5:], second_try[:2], second_try[2:]):
        events.record(run.id, "metrics", {**points[-1], "points": points})

    rows = list(csv.DictReader(io.StringIO(client.get(f"/api/runs/{run.id}/export/metrics").text)))
    assert [int(r["step"]) for r in rows] == list(range(1, 13))
    assert [float(r["loss"]) for r in rows] == [10.0 + s for s in range(1, 7)] + [
        float(s) for s in range(7, 13)
    ]


def test_thinning_keeps_the_latest_alone_when_there_is_room_for_one():
    assert checkpoints.thinned_out([5, 10, 15], 1) == [5, 10]
    assert checkpoints.thinned_out([5, 10, 15], 0) == [5, 10, 15]
    assert checkpoints.thinned_out([5, 10, 15], 3) == []
