"""A paused web server loses notices, and its watchers still get the end.

Redis drops a Pub/Sub subscriber whose output buffer passes its limit
(`client-output-buffer-limit pubsub`), and the channel layer then resubscribes without a
word: every notice published meanwhile is gone. Here the web process is paused (SIGSTOP),
notices pile up until Redis drops it, the run finishes while nobody listens, and the web
process is let go again. The store holds the end; the watcher must get it from there.
"""

import json
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings
from websockets.sync.client import connect

from playground.runs.models import Run
from playground.workshops.models import Workshop
from tests.conftest import Browserless, tiny_spec
from tests.events_client import EventClient, seqs
from tests.faults.conftest import redis_of_its_own, shared_fault_stack

pytestmark = pytest.mark.stack

# A subscriber is dropped once 64 KiB wait for it beyond what the sockets hold: a paused
# process reaches it after a few MB of notices, a live one never.
TIGHT_PUBSUB = ("--client-output-buffer-limit", "pubsub", "64kb", "0", "0")
# Quiet seconds before a web process checks the store on its own (short, for a fast test).
QUIET = "2"
# A copy of an early notice, padded: a duplicate, which every watcher drops. Small enough
# that Redis writes each one out at once to a process that reads; at most FLOOD_LIMIT of
# them (64 MB), far more than the sockets between Redis and a paused process hold.
PADDING = 4 * 1024
FLOOD_LIMIT = 16 * 1024
# Long enough that the run is still training when the web process is paused.
SPEC = tiny_spec(steps=800)
PREFIX = settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]


@pytest.fixture(scope="module")
def tight_redis():
    """A Redis of the module's own that drops a Pub/Sub subscriber that falls behind."""
    with redis_of_its_own(extra=TIGHT_PUBSUB) as server:
        yield server


@pytest.fixture(scope="module")
def whole_stack(django_db_setup, tight_redis):
    """One stack for the module: each test pauses its web process and lets it go on."""
    with shared_fault_stack(tight_redis.url, EVENT_QUIET_SECONDS=QUIET) as whole:
        yield whole


@pytest.fixture
def tight_stack(whole_stack):
    """The module's stack, whole."""
    return whole_stack()


@pytest.fixture
def read_store(django_db_blocker):
    """Read the stack's database from the test (the web server, paused, cannot answer)."""

    def read(query):
        with django_db_blocker.unblock():
            return query()

    return read


@contextmanager
def paused(*processes) -> Iterator[None]:
    """SIGSTOP the processes' groups (a leader and its children); SIGCONT on leaving."""
    for process in processes:
        os.killpg(process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGCONT)


def flood_until_dropped(redis_url: str, group: str, notice: dict) -> int:
    """Publish padded copies of `notice` to `group` until Redis has dropped its one
    subscriber (the paused web process); return how many copies it took. Fails unless
    someone listened at first and nobody at the end: the loss is proven, not assumed."""
    layer = RedisPubSubChannelLayer(hosts=[redis_url], prefix=PREFIX)
    padded = {"type": "log.event", "event": {**notice, "padding": "x" * PADDING}}
    payload = layer.serialize(padded)
    # The channel layer's own name for a group's Pub/Sub channel.
    channel = f"{PREFIX}__group__{group}"
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.publish(channel, payload) == 1, "the web process does not listen"
        for sent in range(2, FLOOD_LIMIT + 1):
            if client.publish(channel, payload) == 0:
                return sent
    finally:
        client.close()
    raise AssertionError(f"Redis kept the paused subscriber after {FLOOD_LIMIT} notices")


def wait_until(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.1)
    return found


def started_run(base_url: str, client: Browserless | None = None) -> str:
    status, made = (client or Browserless(base_url)).post("/api/runs", SPEC)
    assert status == 201, made
    return made["id"]


def lose_the_end(stack, redis_url: str, group: str, notice: dict, run_id: str, read_store):
    """Pause the web process; flood `group` until Redis drops it; let the run complete
    meanwhile, so that its last notices reach nobody; let the web process go on. Return the
    copies it took and the seconds the web process was paused."""
    web, worker = stack.processes["web-1"], stack.processes["worker"]
    began = time.monotonic()
    with paused(web):
        # The worker waits too while the notices pile up, so the run ends only once Redis
        # has dropped the web process.
        with paused(worker):
            assert read_store(lambda: Run.objects.get(id=run_id).status) == "running"
            copies = flood_until_dropped(redis_url, group, notice)
        wait_until(
            lambda: read_store(lambda: Run.objects.filter(id=run_id, status="completed").exists()),
            timeout=60,
            what="the run completed",
        )
    return copies, time.monotonic() - began


def test_a_run_watcher_gets_the_end_after_the_web_server_lost_its_notices(
    tight_stack, tight_redis, read_store
):
    stack = tight_stack
    run_id = started_run(stack.url)
    watcher = EventClient(stack.url, run_id)
    first = watcher.until(lambda e: e["type"] == "metrics", timeout=60)[0]
    copies, pause = lose_the_end(stack, tight_redis.url, f"run.{run_id}", first, run_id, read_store)
    stored = read_store(lambda: Run.objects.get(id=run_id).last_seq)
    seen, resumed = watcher.events[-1]["seq"], time.monotonic()
    try:
        events = watcher.until_finished(timeout=30)
    except TimeoutError:
        pytest.fail(
            f"the watcher stayed at seq {watcher.events[-1]['seq']}; the store holds {stored}"
        )
    watcher.close()
    print(
        f"Redis dropped the paused web process after {copies} notices; paused {pause:.1f} s; "
        f"the watcher had seq {seen} of {stored}, and the end {time.monotonic() - resumed:.1f} s "
        "after the web process went on"
    )
    assert seen < stored  # the end was still to come when the web process was paused
    assert seqs(events) == list(range(1, stored + 1))  # contiguous, none twice
    assert [e["type"] for e in events[-2:]] == ["status", "done"]
    assert events[-2]["status"] == "completed"


def board_reader(base_url: str, code: str):
    url = base_url.replace("http://", "ws://") + f"/ws/workshops/{code}/"
    return connect(url, open_timeout=10)


def test_a_board_watcher_gets_a_runs_end_after_the_web_server_lost_its_notices(
    tight_stack, tight_redis, read_store
):
    stack = tight_stack
    teacher, student = Browserless(stack.url), Browserless(stack.url)
    status, made = teacher.post("/api/workshops", {"title": "Paused"})
    assert status == 201, made
    code = made["code"]
    assert student.post(f"/api/workshops/{code}/join", {"name": "Ada"})[0] == 201
    with board_reader(stack.url, code) as board:
        snapshot = json.loads(board.recv(timeout=10))
        assert snapshot["type"] == "snapshot"
        run_id = started_run(stack.url, student)
        seen = [snapshot]
        while seen[-1].get("run", {}).get("status") != "running":
            seen.append(json.loads(board.recv(timeout=60)))
        copies, pause = lose_the_end(
            stack, tight_redis.url, f"workshop.{code}", seen[-1], run_id, read_store
        )
        stored = read_store(lambda: Workshop.objects.get(code=code).last_seq)
        at, resumed = seen[-1]["seq"], time.monotonic()
        try:
            while seen[-1].get("run", {}).get("status") != "completed":
                seen.append(json.loads(board.recv(timeout=30)))
        except TimeoutError:
            pytest.fail(f"the board stayed at seq {seen[-1]['seq']}; the store holds {stored}")
    print(
        f"Redis dropped the paused web process after {copies} notices; paused {pause:.1f} s; "
        f"the board had seq {at} of {stored}, and the run's end {time.monotonic() - resumed:.1f} s "
        "after the web process went on"
    )
    assert at < stored  # the run's end was still to come when the web process was paused
    after = [e["seq"] for e in seen[1:]]
    assert after == list(range(snapshot["seq"] + 1, seen[-1]["seq"] + 1))  # contiguous
