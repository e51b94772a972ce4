"""Restart PostgreSQL mid-run: no metrics event is lost.

The stack runs on a PostgreSQL server of the test's own (tests/faults/postgres_server.py),
which the test restarts while a run trains and a watcher is connected. Every open
connection breaks; the worker's pump, lease and final record must ride it out: the run
completes, its log holds a metrics point for every logged step, seqs run 1, 2, 3 … with
no gap and no duplicate, and the watcher gets the end."""

import json
import secrets
import time

import psycopg
import pytest

from sequences.train import logging_interval
from tests.conftest import Browserless, slow_spec
from tests.events_client import EventClient, seqs
from tests.faults.postgres_server import MISSING, binaries, own_postgres_server

pytestmark = pytest.mark.stack

STEPS = 2400
# Down long enough for several pump flushes and lease renewals to fail.
OUTAGE_SECONDS = 2


@pytest.fixture
def own_postgres():
    # Not skipped: PostgreSQL's server programs are part of what the suite needs.
    if binaries() is None:
        pytest.fail(MISSING, pytrace=False)
    yield from own_postgres_server()


@pytest.fixture
def database(own_postgres):
    return own_postgres.create_database(f"fault_{secrets.token_hex(4)}")


def stored_events(database: str, run_id: str) -> list[dict]:
    """The run's log as stored, in seq order."""
    with psycopg.connect(database) as db:
        rows = db.execute(
            "SELECT seq, type, data FROM runs_runevent WHERE run_id = %s ORDER BY seq", [run_id]
        ).fetchall()
    return [{"seq": seq, "type": type, **data} for seq, type, data in rows]


def database_now(database: str):
    with psycopg.connect(database) as db:
        return db.execute("SELECT now()").fetchone()[0]


def renewed_since(database: str, run_id: str, moment) -> bool:
    """Whether the run's lease was renewed after `moment`."""
    with psycopg.connect(database) as db:
        query = "SELECT heartbeat_at > %s FROM runs_run WHERE id = %s"
        return db.execute(query, [moment, run_id]).fetchone()[0]


def has_weights(database: str, run_id: str) -> bool:
    with psycopg.connect(database) as db:
        query = "SELECT count(*) FROM runs_runweights WHERE run_id = %s"
        return db.execute(query, [run_id]).fetchone()[0] == 1


def wait_for(condition, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.1)


def running_step(client: EventClient, at_least: int) -> int:
    """Read the stream until the run has logged `at_least` steps; return the step."""
    client.until(lambda e: e["type"] == "metrics" and e["step"] >= at_least, timeout=60)
    return client.events[-1]["step"]


def test_no_metrics_event_is_lost_when_postgresql_restarts_mid_run(
    own_postgres, database, own_redis, make_fault_stack
):
    stack = make_fault_stack(own_redis.url, DATABASE_URL=database)
    # The web processes and workers read no table until asked: they start while the
    # database is migrated; the sweeper reads from the start.
    stack.start("web", "worker")
    stack.manage("migrate", "--no-input", "-v0", "--skip-checks")
    stack.start("sweeper")
    stack.wait_ready()

    owner = Browserless(stack.url)
    code, body = owner.post("/api/runs", slow_spec(steps=STEPS))
    assert code == 201, body
    run_id = body["id"]
    watcher = EventClient(stack.url, run_id)

    # 1. Mid-run: a twentieth of the way in, the database goes away for a while.
    before = running_step(watcher, STEPS // 20)
    own_postgres.stop()
    time.sleep(OUTAGE_SECONDS)
    own_postgres.start()
    restarted_at = database_now(database)
    after = running_step(watcher, before + 1)
    assert after < STEPS, "the run ended before the database came back: make it longer"
    # The worker's lease is renewed again: the sweeper would otherwise reap the run.
    wait_for(
        lambda: renewed_since(database, run_id, restarted_at),
        "a renewal after the restart",
        timeout=15,
    )

    # 2. The watcher gets the end, and the run completed.
    events = watcher.until_finished(timeout=120)
    assert [e["status"] for e in events if e["type"] == "status"][-1] == "completed"
    _, run = owner.get(f"/api/runs/{run_id}")
    assert run["status"] == "completed", run
    assert has_weights(database, run_id)
    # The sweeper rode out the restart too.
    assert stack.processes["sweeper"].poll() is None

    # 3. The stored log: seqs contiguous, no duplicates, every logged step's point once.
    stored = stored_events(database, run_id)
    assert seqs(stored) == list(range(1, len(stored) + 1))
    points = [p["step"] for e in stored if e["type"] == "metrics" for p in e["points"]]
    every = logging_interval(STEPS)
    assert points == list(range(every, STEPS + 1, every))
    # The watcher saw what the store holds, ending with the run's end.
    assert seqs(events)[-1] == stored[-1]["seq"], json.dumps(stored[-3:])
