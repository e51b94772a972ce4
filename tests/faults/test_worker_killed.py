"""A run survives its worker: killed mid-run (SIGKILL, as a crash or the OOM killer would)
or shut down cleanly (SIGTERM, as a deploy does), the run goes back to the queue and the
next worker resumes it from its checkpoint. A watcher connected all along sees one event
log, seqs 1..N with no gap and no duplicate, and the metrics after the hand-back start just
after the step the run resumed from."""

import re
import time

import pytest

from sequences.train import logging_interval
from tests.conftest import Browserless, slow_spec
from tests.events_client import EventClient, seqs

pytestmark = pytest.mark.stack

# A checkpoint a second, so the test waits little for one.
CHECKPOINT_SECONDS = "1"
# Mid-run for seconds after a checkpoint at STEPS/6, even when the machine is quiet (600
# steps took 1.6 s then: the run ended in the second a worker's lease thread takes to see
# the shutdown, and nothing was handed back).
STEPS = 1200
LOG_EVERY = logging_interval(STEPS)
RESUMING = re.compile(r"; resuming from step (\d+)\.$")


@pytest.fixture
def resumable_stack(whole_fault_stack):
    """The package's shared stack (a checkpoint a second): each test kills or stops the
    worker and starts it again."""
    assert whole_fault_stack.env["RUN_CHECKPOINT_SECONDS"] == CHECKPOINT_SECONDS
    return whole_fault_stack


def started_with_a_checkpoint(stack) -> tuple[Browserless, str, EventClient]:
    """A run training with a watcher connected, once it has stored a checkpoint well into
    the run (the first steps are the slowest: a checkpoint a second may land on step 1)."""
    client = Browserless(stack.url)
    code, body = client.post("/api/runs", slow_spec(steps=STEPS))
    assert code == 201, body
    run_id = body["id"]
    watcher = EventClient(stack.url, run_id)
    watcher.until(lambda e: e["type"] == "metrics")
    deadline = time.monotonic() + 30
    while max(kept_steps(client, run_id), default=0) < STEPS // 6:
        assert time.monotonic() < deadline, "no checkpoint was stored"
        time.sleep(0.2)
    return client, run_id, watcher


def kept_steps(client, run_id: str) -> list[int]:
    return client.get(f"/api/runs/{run_id}/checkpoints")[1]["steps"]


def progress(client, run_id: str) -> int:
    _, run = client.get(f"/api/runs/{run_id}")
    assert run["status"] == "running" and run["progress"]["step"] < STEPS
    return run["progress"]["step"]


def resumed_from(events: list[dict], why: str) -> tuple[int, int]:
    """The step the run resumed from, from its hand-back status event, and that event's
    index in the log."""
    for index, event in enumerate(events):
        if event["type"] == "status" and event["status"] == "queued" and index > 0:
            assert event["message"].startswith(why), event["message"]
            found = RESUMING.search(event["message"])
            assert found, event["message"]
            return int(found.group(1)), index
    raise AssertionError("the run was never handed back")


def check_one_continuous_log(client, run_id: str, events: list[dict], why: str) -> int:
    """The watcher's log is the store's, 1..N; the run went queued → running → queued →
    running → completed; the metrics after the hand-back start just after the step it
    resumed from, and the run completed every step. Returns that step."""
    assert seqs(events) == list(range(1, len(events) + 1))  # no gap, no duplicate
    _, stored = client.get(f"/api/runs/{run_id}/events?after=0")
    assert [e["seq"] for e in stored["events"]] == seqs(events)
    statuses = [e["status"] for e in events if e["type"] == "status"]
    assert statuses == ["queued", "running", "queued", "running", "completed"]

    step, index = resumed_from(events, why)
    assert 0 < step < STEPS
    after = [p["step"] for e in events[index:] if e["type"] == "metrics" for p in e["points"]]
    first_logged = (step // LOG_EVERY + 1) * LOG_EVERY
    assert after[0] == first_logged
    assert after == sorted(after) and after[-1] == STEPS
    assert events[-1]["type"] == "done" and events[-1]["result"]["steps"] == STEPS
    # A few weight snapshots stay, early to late, the final step among them.
    kept = kept_steps(client, run_id)
    assert kept == sorted(kept) and 2 <= len(kept) <= 10 and kept[-1] == STEPS
    return step


def test_a_killed_workers_run_resumes_from_its_checkpoint_and_completes(resumable_stack):
    stack = resumable_stack
    client, run_id, watcher = started_with_a_checkpoint(stack)
    try:
        progress(client, run_id)  # still mid-run
        checkpoint = kept_steps(client, run_id)[-1]
        stack.kill("worker")  # the worker and its pool at once, as a crash would
        killed_at, killed_wall = time.monotonic(), time.time()
        stack.start("worker")  # a worker comes back (or another one takes the run)
        events = watcher.until_finished(timeout=120)
        finished_at = time.monotonic()
    finally:
        watcher.close()

    step = check_one_continuous_log(client, run_id, events, "The worker training this run stopped")
    # What the killed worker reported before the sweeper handed its run back.
    handed_back = next(i for i, e in enumerate(events) if i and e.get("status") == "queued")
    reported = [
        p["step"] for e in events[:handed_back] if e["type"] == "metrics" for p in e["points"]
    ]
    # The newest checkpoint: the one stored before the kill, or one stored just after it.
    assert step >= checkpoint
    back, resumed = events[handed_back], events[handed_back + 1]
    print(
        f"killed after step {reported[-1]} was reported; handed back at seq {back['seq']} "
        f"{back['time'] - killed_wall:.1f} s after the kill, resumed from step {step} at seq "
        f"{resumed['seq']} {resumed['time'] - killed_wall:.1f} s after it; completed "
        f"{finished_at - killed_at:.1f} s after it, seqs 1..{len(events)}"
    )


def test_a_worker_shutting_down_hands_its_run_back_to_resume_on_the_next(resumable_stack):
    stack = resumable_stack
    client, run_id, watcher = started_with_a_checkpoint(stack)
    try:
        seen = progress(client, run_id)
        stopping = time.monotonic()
        stack.stop("worker")  # SIGTERM: Celery's warm shutdown, as a deploy stops it
        stopped_in = time.monotonic() - stopping
        # Handed back by the worker itself, before it exited: no lease had to lapse.
        handed = watcher.until(lambda e: e["type"] == "status" and e["status"] == "queued")
        stack.start("worker")
        events = watcher.until_finished(timeout=120)
    finally:
        watcher.close()

    step = check_one_continuous_log(client, run_id, events, "The worker training this run shut")
    assert step >= seen  # saved as it stopped, not a checkpoint from before
    print(f"stopped in {stopped_in:.1f} s at step {step} (seq {handed[-1]['seq']})")
