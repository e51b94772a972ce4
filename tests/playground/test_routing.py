"""Routing by cost, in-process: small runs to the CPU queue, big ones to the GPU queue,
each queue with its own places, and a fallback when a queue has no live worker. (The live
workers are the heartbeat's answer, given here; tests/stack/test_scale_out.py runs it all
on real workers.)"""

import pytest

from playground.runs import lifecycle, routing
from playground.runs.models import Run
from sequences.spec import parse_spec

SPEC = parse_spec({"dataset": "adding", "model": {"cell": "gru", "hidden": 8}})
GPU_COST = 10**9
SMALL, BIG = GPU_COST - 1, GPU_COST
BOTH = {"cpu": 1, "gpu": 1}
CPU_ONLY = {"cpu": 2, "gpu": 0}
GPU_ONLY = {"cpu": 0, "gpu": 1}
NONE = {"cpu": 0, "gpu": 0}


@pytest.fixture(autouse=True)
def threshold(settings):
    """One place ahead on each queue, and a GPU threshold of GPU_COST."""
    settings.RUN_QUEUE_AHEAD = 1
    settings.RUN_GPU_COST = GPU_COST


@pytest.fixture
def sent(settings, monkeypatch):
    """The Celery queue each task went to, by run id (the broker is the network edge)."""
    tasks: dict[str, list[str]] = {}

    def send_task(name, args, queue):
        assert name == lifecycle.TASK
        tasks.setdefault(args[0], []).append(queue)

    monkeypatch.setattr(lifecycle.app, "send_task", send_task)
    return tasks


@pytest.fixture
def workers(monkeypatch):
    """Set the live workers per queue, as the heartbeat would say."""
    return lambda answer: monkeypatch.setattr(routing, "live", lambda: answer)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a lifecycle call as a request would: its tasks are sent once it commits."""

    def call(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return call


@pytest.fixture
def create(committed):
    return lambda owner, cost: committed(lifecycle.create, SPEC, owner, cost=cost)


def queue_of(run: Run) -> str:
    return Run.objects.get(id=run.id).queue


@pytest.mark.parametrize(
    ("answer", "small", "big"),
    [
        (BOTH, "cpu", "gpu"),
        (CPU_ONLY, "cpu", "cpu"),  # no GPU worker: big runs train on the CPUs
        (GPU_ONLY, "gpu", "gpu"),  # a GPU host alone takes everything
        (NONE, "cpu", "gpu"),  # nobody anywhere: each waits where its cost says
        (None, "cpu", "gpu"),  # no word from the heartbeat: the same
    ],
)
def test_a_run_goes_where_its_cost_fits_or_where_workers_are(answer, small, big):
    assert routing.queue_for(0, answer) == routing.queue_for(SMALL, answer) == small
    assert routing.queue_for(BIG, answer) == routing.queue_for(10 * BIG, answer) == big


@pytest.mark.django_db
@pytest.mark.parametrize("answer", [BOTH, CPU_ONLY, GPU_ONLY, NONE, None])
def test_the_database_filter_picks_the_runs_the_choice_would(answer):
    costs = {
        Run.objects.create(spec={}, owner="o", total_steps=1, cost=c).id: c
        for c in (0, SMALL, BIG, 10 * BIG)
    }
    for kind in routing.KINDS:
        picked = set(Run.objects.filter(routing.fits(kind, answer)).values_list("id", flat=True))
        assert picked == {i for i, c in costs.items() if routing.queue_for(c, answer) == kind}


@pytest.mark.django_db
def test_small_runs_go_to_the_cpu_queue_and_big_ones_to_the_gpu_queue(
    sent, workers, settings, create
):
    workers(BOTH)
    small, big = create("a", SMALL), create("b", BIG)
    assert (queue_of(small), queue_of(big)) == ("cpu", "gpu")
    assert sent == {small.id: [settings.RUN_QUEUES["cpu"]], big.id: [settings.RUN_QUEUES["gpu"]]}
    assert settings.RUN_QUEUES["gpu"] != settings.RUN_QUEUES["cpu"]


@pytest.mark.django_db
def test_big_runs_waiting_for_a_gpu_never_hold_up_small_ones(sent, workers, create, committed):
    workers(BOTH)
    first_big, second_big = create("a", BIG), create("b", BIG)
    small = create("c", SMALL)
    # One place ahead on each queue: the second big run waits in the database, and the
    # small run, created after it, is handed to the CPU queue at once.
    assert set(sent) == {first_big.id, small.id}
    committed(lifecycle.take, first_big.id, worker="gpu0@host")
    assert set(sent) == {first_big.id, small.id, second_big.id}


@pytest.mark.django_db
def test_without_a_gpu_worker_a_big_run_falls_back_to_the_cpu_queue(
    sent, workers, settings, create
):
    workers(CPU_ONLY)
    big = create("a", BIG)
    assert queue_of(big) == "cpu" and sent[big.id] == [settings.RUN_QUEUES["cpu"]]


@pytest.mark.django_db
def test_a_run_stranded_on_a_queue_that_lost_its_workers_is_sent_to_the_other(
    sent, workers, settings, create
):
    workers(BOTH)
    big = create("a", BIG)
    # The GPU worker goes away before taking it. With no worker anywhere the run waits
    # where it is (health says no worker is running) ...
    assert lifecycle.reroute(NONE) == [] and lifecycle.reroute(None) == []
    assert queue_of(big) == "gpu"
    # ... and once the heartbeat knows the CPU queue has workers, it is sent there.
    assert lifecycle.reroute(CPU_ONLY) == [big.id]
    assert queue_of(big) == "cpu"
    assert sent[big.id] == [settings.RUN_QUEUES["gpu"], settings.RUN_QUEUES["cpu"]]
    assert lifecycle.reroute(CPU_ONLY) == []  # once


@pytest.mark.django_db
def test_only_one_copy_of_a_rerouted_run_trains(sent, workers, create):
    workers(BOTH)
    big = create("a", BIG)
    lifecycle.reroute(CPU_ONLY)
    assert lifecycle.take(big.id, worker="worker@cpu-host") is not None
    assert lifecycle.take(big.id, worker="gpu0@gpu-host") is None  # the copy left behind
    assert Run.objects.get(id=big.id).worker == "worker@cpu-host"
