"""The worker path on real services: a Celery worker process, Redis, WebSockets."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import LEASE_SECONDS, slow_spec, tiny_spec
from tests.events_client import EventClient, seqs

pytestmark = pytest.mark.stack


def start(client, spec) -> str:
    code, body = client.post("/api/runs", spec)
    assert code == 201, body
    return body["id"]


def test_a_run_streams_status_metrics_and_done_in_order(live, stack):
    run_id = start(live, tiny_spec())
    watcher = EventClient(stack.url, run_id)
    events = watcher.until_finished()
    watcher.close()

    assert seqs(events) == list(range(1, len(events) + 1))  # 1..N, no gaps
    kinds = [e["type"] for e in events]
    assert kinds[:2] == ["status", "status"] and kinds[-2:] == ["status", "done"]
    assert [e["status"] for e in events if e["type"] == "status"] == [
        "queued",
        "running",
        "completed",
    ]
    metrics = [e for e in events if e["type"] == "metrics"]
    assert metrics, "no metrics arrived"
    steps = [p["step"] for e in metrics for p in e["points"]]
    assert steps == sorted(steps) and steps[-1] == 60
    assert all(isinstance(p["loss"], float) for e in metrics for p in e["points"])
    assert events[-1]["result"]["steps"] == 60

    _, run = live.get(f"/api/runs/{run_id}")
    assert run["status"] == "completed" and run["progress"] == {"step": 60, "total_steps": 60}
    assert run["result"]["final_loss"] == events[-1]["result"]["final_loss"]
    assert run["started_at"] and run["finished_at"]
    _, stored = live.get(f"/api/runs/{run_id}/events?after=0")
    assert stored["events"] == events  # the socket sent exactly the stored log


def test_metrics_are_batched_to_at_most_about_five_events_a_second(live, stack):
    # Some seconds of training: a few dozen events (the test needs three).
    run_id = start(live, slow_spec(steps=800))
    events = EventClient(stack.url, run_id).until_finished()
    metrics = [e for e in events if e["type"] == "metrics"]
    assert len(metrics) >= 3
    gaps = [b["time"] - a["time"] for a, b in zip(metrics, metrics[1:], strict=False)]
    # At most one event every 0.2 s while training; only the closing flush, when training
    # ends, never waits.
    assert min(gaps[:-1]) > 0.15, gaps
    duration = metrics[-1]["time"] - metrics[0]["time"]
    assert len(metrics) <= 5 * duration + 2
    assert sum(len(e["points"]) for e in metrics) > len(metrics)  # several points per event


def test_a_late_watcher_gets_the_backlog_then_live_events_once(live, stack):
    # The late watcher joins a fifth of the way in: most of the run is still to come live.
    run_id = start(live, slow_spec(steps=1000))
    first = EventClient(stack.url, run_id)
    first.until(lambda e: e["type"] == "metrics" and e["step"] >= 200)

    # Both watchers read at the same time, as two pages would: neither waits on the other.
    late = EventClient(stack.url, run_id)  # joins mid-run
    with ThreadPoolExecutor(max_workers=2) as readers:
        first_read = readers.submit(first.until_finished)
        late_events = late.until_finished()
        first_events = first_read.result()
    for client in (first, late):
        client.close()

    # The backlog, then live events, none twice.
    assert seqs(late_events) == list(range(1, len(late_events) + 1))
    assert late_events == first_events
    joined_at = next(
        i for i, e in enumerate(late_events) if e["type"] == "metrics" and e["step"] >= 200
    )
    assert any(e["type"] == "metrics" for e in late_events[joined_at + 1 :]), (
        "nothing live after the backlog"
    )


def test_a_watcher_can_resume_after_a_seq_without_repeats(live, stack):
    run_id = start(live, tiny_spec())
    everything = EventClient(stack.url, run_id).until_finished()

    resumed = EventClient(stack.url, run_id, after=3)
    assert seqs(resumed.until_finished()) == list(range(4, len(everything) + 1))
    resumed.send({"after": 0})  # asking again sends nothing twice on this connection
    assert resumed.quiet_for(1.0)
    resumed.send({"after": "soon"})
    assert "error" in resumed.next(timeout=5)
    resumed.close()

    replay = EventClient(stack.url, run_id, after=len(everything))
    replay.send({"after": len(everything) - 2})
    assert replay.quiet_for(1.0)  # those two were never sent here, but the cursor only moves on
    replay.close()


def test_cancel_ends_a_running_run_as_cancelled(client_of, stack):
    owner, stranger = client_of(), client_of()
    run_id = start(owner, slow_spec(steps=20000))
    watcher = EventClient(stack.url, run_id)
    watcher.until(lambda e: e["type"] == "metrics")

    code, body = stranger.post(f"/api/runs/{run_id}/cancel")
    assert code == 403 and "Only the browser" in body["error"]
    code, body = owner.post(f"/api/runs/{run_id}/cancel")
    assert code == 202

    events = watcher.until_finished(timeout=30)
    watcher.close()
    assert events[-1]["status"] == "cancelled"
    run = owner.wait_for_status(run_id, {"cancelled"}, timeout=5)
    assert 0 < run["progress"]["step"] < 20000
    assert run["result"]["steps"] == run["progress"]["step"]


def test_a_run_whose_worker_dies_goes_back_to_the_queue(live, stack):
    run_id = start(live, slow_spec(steps=20000))
    watcher = EventClient(stack.url, run_id)
    watcher.until(lambda e: e["type"] == "metrics")

    stack.kill("worker")  # the worker and its pool, at once, as a crash would
    killed_at = time.monotonic()
    try:
        # Never left "running": handed back for the next worker to resume
        # (tests/faults/test_worker_killed.py follows it to the end).
        events = watcher.until(
            lambda e: e["type"] == "status" and e["status"] == "queued" and e["seq"] > 1,
            timeout=LEASE_SECONDS + 30,
        )
        assert "stopped answering" in events[-1]["message"]
        assert time.monotonic() - killed_at < LEASE_SECONDS + 20
        _, run = live.get(f"/api/runs/{run_id}")
        assert run["status"] == "queued" and run["finished_at"] is None  # no worker to take it
    finally:
        watcher.close()
        live.post(f"/api/runs/{run_id}/cancel")  # not 20000 steps for the next tests to wait on
        stack.start("worker")
        stack.wait_ready()


def test_probe_events_show_the_insides_of_the_running_model(live, stack):
    spec = tiny_spec()
    spec["model"]["cell"] = "lstm"
    spec["probe"] = {"every": 10}
    run_id = start(live, spec)
    events = EventClient(stack.url, run_id).until_finished()
    assert seqs(events) == list(range(1, len(events) + 1))
    probes = [e for e in events if e["type"] == "probe"]
    assert probes and probes[-1]["step"] == 60  # the last look is stored before the run ends
    first = probes[0]
    assert first["cell"] == "lstm" and "l0.forget" in first["heatmaps"]
    assert len(first["grad_by_time"]) == len(first["time"])
    assert all(len(json.dumps(e)) < 64 * 1024 for e in probes)
