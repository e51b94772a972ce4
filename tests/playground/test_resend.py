"""Queues drain: a run handed to Celery whose message was lost is sent again, after
RUN_RESEND_SECONDS, or at once when the broker restarted. (tests/faults/test_redis_restart.py
restarts a real Redis under the running stack.)"""

import signal
from datetime import timedelta

import pytest
from django.utils import timezone

from playground.runs import lifecycle
from playground.runs.broker_restarts import BrokerRestarts
from playground.runs.models import Run
from playground.stack import redis_server
from playground.stack.redis_server import free_port
from sequences.estimate import run_cost
from sequences.spec import parse_spec

SPEC = parse_spec({"dataset": "adding", "model": {"cell": "gru", "hidden": 8}})


@pytest.fixture
def broker(monkeypatch, settings):
    """The task queue, at the network edge: what was sent to it, as (run id, queue kind)."""
    settings.RUN_QUEUE_AHEAD = 1
    settings.RUN_RESEND_SECONDS = 30
    sent: list[tuple[str, str]] = []

    def send(run_id, kind):
        sent.append((run_id, kind))
        return True

    monkeypatch.setattr(lifecycle, "send", send)
    return sent


def create(owner: str) -> Run:
    return lifecycle.create(SPEC, owner, cost=run_cost(SPEC))


def sent_ago(run: Run, seconds: float) -> None:
    Run.objects.filter(id=run.id).update(dispatched_at=timezone.now() - timedelta(seconds=seconds))


@pytest.mark.django_db
def test_handing_a_run_over_notes_when():
    before = timezone.now()
    run = create("a")
    assert run.dispatched and before <= run.dispatched_at <= timezone.now()
    assert create("b").dispatched_at is None  # waiting its turn in the database


@pytest.mark.django_db
def test_a_run_not_taken_within_the_bound_is_sent_again_once_per_bound(broker):
    run = create("a")
    assert lifecycle.resend_lost() == []  # sent just now: it may well be in the queue
    sent_ago(run, 31)
    assert lifecycle.resend_lost() == [run.id]
    assert broker == [(run.id, "cpu")]
    # The resend starts the bound again: the next sweeps leave it alone.
    assert lifecycle.resend_lost() == []
    sent_ago(run, 31)
    assert lifecycle.resend_lost() == [run.id]


@pytest.mark.django_db
def test_after_a_broker_restart_every_handed_over_run_is_sent_again_at_once(broker):
    fresh, waiting = create("a"), create("b")
    assert not waiting.dispatched
    assert lifecycle.resend_lost(everything=True) == [fresh.id]
    # Taken, it is never sent again.
    lifecycle.take(fresh.id)
    broker.clear()
    # The waiting run was handed over when the place came free.
    assert Run.objects.get(id=waiting.id).dispatched
    assert lifecycle.resend_lost(everything=True) == [waiting.id]
    assert broker == [(waiting.id, "cpu")]


@pytest.mark.django_db
def test_a_resend_the_broker_refuses_is_tried_again_at_the_next_sweep(broker, monkeypatch):
    run = create("a")
    sent_ago(run, 31)
    before = Run.objects.get(id=run.id).dispatched_at
    monkeypatch.setattr(lifecycle, "send", lambda run_id, kind: False)
    assert lifecycle.resend_lost() == []
    assert Run.objects.get(id=run.id).dispatched_at == before
    monkeypatch.setattr(lifecycle, "send", lambda run_id, kind: True)
    assert lifecycle.resend_lost() == [run.id]


@pytest.mark.django_db
def test_a_run_moved_to_another_queue_starts_its_bound_again(broker):
    run = create("a")
    sent_ago(run, 31)
    # Its queue lost every worker; the GPU queue has one.
    assert lifecycle.reroute({"cpu": 0, "gpu": 1}) == [run.id]
    assert Run.objects.get(id=run.id).queue == "gpu"
    assert lifecycle.resend_lost() == []


def test_a_broker_restart_is_seen_once_and_a_broker_away_is_not(tmp_path):
    port = free_port()
    server, url = redis_server.start_embedded(tmp_path, port)
    try:
        restarts = BrokerRestarts(url)
        assert restarts.seen()  # first seen: what it kept before is unknown
        assert not restarts.seen()
        server.send_signal(signal.SIGKILL)
        server.wait()
        assert not restarts.seen()  # away: the next sweep asks again
        server, _ = redis_server.start_embedded(tmp_path, port)
        assert restarts.seen()
        assert not restarts.seen()
    finally:
        server.kill()
        server.wait()
