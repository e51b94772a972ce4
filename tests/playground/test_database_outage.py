"""Riding out a database outage in-process: the event pump keeps every point, in order and
once; the retry helper reconnects with backoff and gives up at its bound; the final status
is recorded once. Faults are injected by `Outage`, which makes database work fail as a
restarting server does (tests/faults/test_postgres_restart.py restarts a real one)."""

import logging
import time
from dataclasses import dataclass, field

import pytest
from django.db import IntegrityError, OperationalError, connection

from playground import retrying
from playground.runs import events, lifecycle, pump
from playground.runs.models import Run, RunEvent
from playground.runs.pump import EventPump
from playground.runs.tasks import record_end

SPEC = {"dataset": "adding", "model": {"cell": "gru"}}
STEPS = 60
PROBE_EVERY = 10


class Outage:
    """Wraps database work so that its first `fails` calls raise OperationalError: before
    the work (the server refused), or with `after_commit` after it (the commit happened and
    its answer was lost)."""

    def __init__(self, work, fails: int, after_commit: bool = False):
        self.work, self.fails, self.after_commit = work, fails, after_commit
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls > self.fails:
            return self.work(*args, **kwargs)
        if self.after_commit:
            self.work(*args, **kwargs)
        raise OperationalError("server closed the connection unexpectedly")


def a_running_run() -> str:
    return Run.objects.create(spec=SPEC, owner="someone", total_steps=STEPS, status="running").id


def train_beside(pump_: EventPump) -> None:
    """Hand over what a training loop would: a point every step, a probe every tenth,
    at a loop's pace, so that the pump's flushes meet the outage."""
    for step in range(1, STEPS + 1):
        pump_.metrics({"step": step, "loss": 1 / step})
        if step % PROBE_EVERY == 0:
            pump_.probe({"step": step})
        time.sleep(0.01)


def stored(run_id: str) -> list[dict]:
    return [event.as_message() for event in RunEvent.objects.filter(run_id=run_id)]


def assert_every_point_once_in_order(run_id: str) -> None:
    log = stored(run_id)
    assert [e["seq"] for e in log] == list(range(1, len(log) + 1))
    assert points_in(log) == list(range(1, STEPS + 1))
    assert [e["step"] for e in log if e["type"] == "probe"] == list(
        range(PROBE_EVERY, STEPS + 1, PROBE_EVERY)
    )
    # A probe comes after every point the loop handed over before it.
    for probe in (e for e in log if e["type"] == "probe"):
        assert set(range(1, probe["step"] + 1)) <= set(points_in(log[: probe["seq"] - 1]))


def points_in(log: list[dict]) -> list[int]:
    """The steps of every metrics point in these events, in order."""
    return [p["step"] for e in log if e["type"] == "metrics" for p in e["points"]]


@pytest.mark.django_db(transaction=True)
def test_the_pump_keeps_every_point_in_order_across_a_database_outage(monkeypatch):
    run_id = a_running_run()
    outage = Outage(events.record, fails=4)
    monkeypatch.setattr(events, "record", outage)
    with EventPump(run_id, give_up_after=30) as watched:
        train_beside(watched)
    assert outage.calls > 4
    assert watched.dropped == 0
    assert_every_point_once_in_order(run_id)


@pytest.mark.django_db(transaction=True)
def test_a_store_whose_answer_was_lost_is_not_stored_twice(monkeypatch):
    run_id = a_running_run()
    monkeypatch.setattr(events, "record", Outage(events.record, fails=2, after_commit=True))
    with EventPump(run_id, give_up_after=30) as watched:
        train_beside(watched)
    assert watched.dropped == 0
    assert_every_point_once_in_order(run_id)


@pytest.mark.django_db(transaction=True)
def test_the_pump_gives_up_at_its_bound_and_says_what_it_dropped(monkeypatch, caplog):
    run_id = a_running_run()
    monkeypatch.setattr(events, "record", Outage(events.record, fails=10**6))
    with caplog.at_level(logging.ERROR), EventPump(run_id, give_up_after=0.5) as watched:
        train_beside(watched)
    assert watched.dropped == STEPS + STEPS // PROBE_EVERY
    assert f"dropped {watched.dropped} item(s) of run {run_id}" in caplog.text
    assert stored(run_id) == []


@pytest.mark.django_db(transaction=True)
def test_an_event_the_database_rejects_is_dropped_and_the_rest_stored(monkeypatch):
    run_id = a_running_run()
    real = events.record

    def rejecting_probes(run, type, data, **fields):
        if type == "probe" and data["step"] == PROBE_EVERY:
            raise IntegrityError("not retried: trying again would not help")
        return real(run, type, data, **fields)

    monkeypatch.setattr(events, "record", rejecting_probes)
    with EventPump(run_id) as watched:
        train_beside(watched)
    assert watched.dropped == 1
    log = stored(run_id)
    assert [e["step"] for e in log if e["type"] == "probe"][0] == 2 * PROBE_EVERY
    assert points_in(log) == list(range(1, STEPS + 1))


def test_what_waits_for_the_database_is_capped_oldest_first(monkeypatch, caplog):
    monkeypatch.setattr(pump, "MAX_HELD", 5)
    waiting = EventPump("a-run")  # not started: the test moves points into its outbox
    for step in range(1, 9):
        waiting.metrics({"step": step})
    with caplog.at_level(logging.ERROR):
        waiting.take_pending()
    assert [p["step"] for p in waiting.outbox[0].payload] == [4, 5, 6, 7, 8]
    assert waiting.dropped == 3
    assert "dropped the oldest 3 item(s) of run a-run" in caplog.text


def test_waits_double_from_the_first_to_the_longest():
    backoff = retrying.waits(first=0.2, longest=5.0)
    assert [next(backoff) for _ in range(7)] == [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0]


@dataclass
class Tries:
    """Database work that fails `fails` times; records the connection each try used."""

    fails: int
    connections: list = field(default_factory=list)

    def __call__(self) -> int:
        connection.ensure_connection()
        self.connections.append(connection.connection)
        if len(self.connections) <= self.fails:
            raise OperationalError("the connection is closed")
        return Run.objects.count()


@pytest.mark.django_db(transaction=True)
def test_retrying_opens_a_fresh_connection_for_each_try():
    work = Tries(fails=2)
    assert retrying.retrying("counting runs", work, give_up_after=10) == 0
    assert len(work.connections) == 3
    # A broken connection is never used again.
    assert len({id(c) for c in work.connections}) == 3


@pytest.mark.django_db(transaction=True)
def test_retrying_gives_up_at_its_bound_with_the_last_error(caplog):
    work = Tries(fails=10**6)
    with caplog.at_level(logging.ERROR), pytest.raises(OperationalError):
        retrying.retrying("counting runs", work, give_up_after=0.5)
    # It tried again before giving up (at 0 and 0.2 s: the next would be past 0.5 s).
    assert len(work.connections) >= 2
    assert f"gave up counting runs after {len(work.connections)} tries" in caplog.text


def test_retrying_leaves_other_errors_alone():
    calls = []

    def broken():
        calls.append(1)
        raise IntegrityError("a bug, not an outage")

    with pytest.raises(IntegrityError):
        retrying.retrying("breaking", broken, give_up_after=10)
    assert len(calls) == 1


@dataclass
class Completed:
    """How training ended, as sequences.train reports it."""

    status: str = "completed"
    message: str = ""
    result: dict = field(default_factory=lambda: {"steps": STEPS})


@pytest.mark.django_db(transaction=True)
def test_the_final_status_is_recorded_once_when_its_first_answer_was_lost():
    run_id = a_running_run()
    finish = Outage(lifecycle.finish, fails=1, after_commit=True)
    record_end(finish, run_id, Completed())
    assert finish.calls == 2
    assert Run.objects.get(id=run_id).status == "completed"
    ends = [e["type"] for e in stored(run_id)]
    assert ends == ["status", "done"]
