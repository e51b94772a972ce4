"""Restart Redis mid-run, with runs queued behind the training one: Redis comes back empty
(like an embedded one, it keeps nothing), so the queued run's message is gone. Every run
still completes, as the sweeper sees the restart and sends the lost run again at once (the
bound here, RUN_RESEND_SECONDS, is longer than the test: resending after the bound is
tests/playground/test_resend.py's), and each watcher gets its run's end."""

import time

import pytest

from tests.conftest import Browserless, slow_spec, tiny_spec
from tests.events_client import seqs
from tests.faults.resuming import ResumingWatcher

pytestmark = pytest.mark.stack


def test_after_a_redis_restart_every_queued_run_completes_and_watchers_get_the_end(
    whole_fault_stack, shared_redis
):
    stack, own_redis = whole_fault_stack, shared_redis
    assert stack.env["WORKER_CONCURRENCY"] == "1" and stack.env["RUN_RESEND_SECONDS"] == "300"
    owner = Browserless(stack.url)
    ids = []
    for spec in (slow_spec(steps=1000), tiny_spec(), tiny_spec(), tiny_spec()):
        code, run = owner.post("/api/runs", spec)
        assert code == 201, run
        ids.append(run["id"])
    watchers = [ResumingWatcher(stack.url, run_id) for run_id in ids]
    training = watchers[0]
    training.read_until(lambda w: sum(e["type"] == "metrics" for e in w.events) >= 2)
    # One run waits in Redis behind the training one; the others wait in the database.
    assert [owner.get(f"/api/runs/{i}")[1]["status"] for i in ids[1:]] == ["queued"] * 3

    seq_at_restart, asked_before = training.last_seq, len(training.asked_after)
    own_redis.restart()
    restarted_at = time.time()
    for watcher in watchers:
        events = watcher.read_to_end(timeout=50)
        watcher.close()
        assert seqs(events) == list(range(1, events[-1]["seq"] + 1)), watcher.run_id
        assert events[-1]["type"] == "done"
    for run_id in ids:
        assert owner.get(f"/api/runs/{run_id}")[1]["status"] == "completed"
    # The web process's channel layer came back by itself: the training run's events
    # kept arriving live, and its watcher never had to ask the store after a quiet spell.
    assert training.asked_after[asked_before:] == [] and training.reconnected_after == []
    print(f"\nRedis restarted at seq {seq_at_restart} of the training run; after it (s):")
    for watcher in watchers:
        moments = {e["status"]: e["time"] - restarted_at for e in watcher.events if "status" in e}
        print(
            f"  {watcher.run_id}: running {moments['running']:.1f}, completed "
            f"{moments['completed']:.1f}, last seq {watcher.last_seq}, "
            f"reconnects {watcher.reconnected_after}, asked {watcher.asked_after}"
        )
