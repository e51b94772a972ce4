"""Kill the web server mid-run: the launcher starts it again on the same socket, and a
watcher that reconnects with `?after=N` gets the rest of the run, every seq once."""

import os
import signal
import time

import pytest

from playground.stack.redis_server import free_port
from tests.conftest import Browserless, slow_spec
from tests.events_client import seqs
from tests.faults.conftest import fault_env
from tests.faults.resuming import ResumingWatcher
from tests.launching import Launcher, wait_for_line

pytestmark = pytest.mark.stack


@pytest.fixture
def supervised(django_db_setup, own_redis, tmp_path):
    """The launcher (`python -m playground.stack worker web sweeper`, as on one host of a
    deployment) on the test's own Redis, serving, with its worker answering."""
    port = free_port()
    env = {**os.environ, **fault_env(own_redis.url), "HOST": "127.0.0.1", "PORT": str(port)}
    launcher = Launcher(env, tmp_path / "launcher.log", "worker", "web", "sweeper")
    launcher.url = f"http://127.0.0.1:{port}"
    try:
        wait_for_line(launcher.log, "ready at")
        client = Browserless(launcher.url)
        deadline = time.monotonic() + 60
        while client.get("/api/health")[1].get("workers", 0) < 1:
            assert time.monotonic() < deadline, launcher.output()
            time.sleep(0.3)
        yield launcher
    finally:
        launcher.stop()


def test_a_killed_web_server_is_restarted_and_the_watcher_resumes_with_after(supervised):
    owner = Browserless(supervised.url)
    code, run = owner.post("/api/runs", slow_spec(steps=1000))
    assert code == 201, run
    watcher = ResumingWatcher(supervised.url, run["id"])
    # Into the training: a few metrics events have come.
    watcher.read_until(lambda w: sum(e["type"] == "metrics" for e in w.events) >= 2)
    web = supervised.child("playground.stack.web")

    os.kill(int(web), signal.SIGKILL)
    killed_at = time.monotonic()
    events = watcher.read_to_end(timeout=60)
    watcher.close()

    # The socket dropped once, and the watcher resumed after the last seq it had.
    (after,) = watcher.reconnected_after
    assert 0 < after < events[-1]["seq"]
    assert seqs(events) == list(range(1, events[-1]["seq"] + 1))
    assert events[-1]["type"] == "done"
    restarted = supervised.wait_for_child("playground.stack.web", other_than=web)
    assert restarted != web
    wait_for_line(supervised.log, "The web-1 process stopped (killed by SIGKILL)")
    print(
        f"\nweb killed at seq {after}; socket open again after "
        f"{watcher.back_at - killed_at:.1f} s; run completed at seq {events[-1]['seq']}"
    )
