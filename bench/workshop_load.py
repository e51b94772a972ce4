"""A full workshop room: 100 simulated participants (real WebSocket clients on the live
board) join, and 50 of them queue runs on the local workers; some also ask for more than
the quotas allow. Every run must complete or be refused with a reason, and every screen
must see every board update. Reports the board-update latency (median and 95th
percentile, from the event being stored to each screen receiving it) and the time until
every run is done."""

import asyncio
import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from websockets.asyncio.client import connect

from bench.live_stack import live_stack
from playground.stack.supervisor import Stack
from tests.conftest import Browserless

PARTICIPANTS = 100
RUNNERS = 50
SPEC = {
    "dataset": "adding",
    "dataset_options": {"length": 10},
    "model": {"cell": "gru", "hidden": 16},
    "training": {"steps": 100, "batch_size": 16},
}
QUOTAS = {"concurrent_runs": 1, "max_steps": 200, "max_parameters": 20_000}


class Screen:
    """One participant's board: every message it receives, with when."""

    def __init__(self, url: str):
        self.url, self.received, self.first_seq = url, [], None

    async def watch(self, stop: asyncio.Event):
        async with connect(self.url, max_queue=None) as socket:
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(socket.recv(), timeout=0.5)
                except TimeoutError:
                    continue
                event = json.loads(raw)
                if event["type"] == "snapshot" and self.first_seq is None:
                    self.first_seq = event["seq"]
                self.received.append((time.time(), event))


def main() -> dict:
    # A room of browsers from one address: its new identities are not what is measured.
    room_env = {
        "WORKER_CONCURRENCY": "2",
        "RUN_QUEUE_AHEAD": "2",
        "NEW_IDENTITIES_PER_MINUTE": "1000",
    }
    with live_stack("bench-workshop.sqlite3", **room_env) as stack:
        return asyncio.run(room(stack))


async def room(stack: Stack) -> dict:
    teacher = Browserless(stack.url)
    status, made = teacher.post(
        "/api/workshops", {"title": "Load", "preset": SPEC, "quotas": QUOTAS}
    )
    assert status == 201, made
    code = made["code"]
    people = [Browserless(stack.url) for _ in range(PARTICIPANTS)]
    pool = ThreadPoolExecutor(16)
    loop = asyncio.get_running_loop()

    def join(i):
        return people[i].post(f"/api/workshops/{code}/join", {"name": f"participant {i}"})

    stop = asyncio.Event()
    screens = [Screen(stack.url.replace("http://", "ws://") + made["board_ws"]) for _ in people]
    watching = [asyncio.create_task(s.watch(stop)) for s in screens]
    await asyncio.sleep(2)  # every screen connected and holding its snapshot
    joins = await asyncio.gather(
        *(loop.run_in_executor(pool, join, i) for i in range(PARTICIPANTS))
    )
    assert all(status == 201 for status, _ in joins)

    started = time.monotonic()

    def queue(i):
        answers = [people[i].post("/api/runs", SPEC)]
        if i % 10 == 0:  # asks for a second run at once: over the concurrent quota
            answers.append(people[i].post("/api/runs", SPEC))
        if i % 10 == 5:  # asks for too many steps
            answers.append(people[i].post("/api/runs", {**SPEC, "training": {"steps": 5000}}))
        return answers

    answers = [
        a
        for batch in await asyncio.gather(
            *(loop.run_in_executor(pool, queue, i) for i in range(RUNNERS))
        )
        for a in batch
    ]
    created = [body["id"] for status, body in answers if status == 201]
    refused = [(status, body["error"]) for status, body in answers if status != 201]
    assert all(status in (403, 429) and error for status, error in refused), refused
    while True:  # until every run is done
        _, detail = await loop.run_in_executor(pool, teacher.get, f"/api/workshops/{code}")
        finished = [r for r in detail["runs"] if r["status"] not in ("queued", "running")]
        if len(finished) == len(created):
            break
        await asyncio.sleep(0.5)
    all_done = time.monotonic() - started
    statuses = {r["status"] for r in detail["runs"]}
    await asyncio.sleep(2)  # the last updates reach every screen
    stop.set()
    await asyncio.gather(*watching)

    last_seq = detail["seq"]
    latencies, complete, resyncs = [], 0, 0
    for screen in screens:
        seqs = set()
        snapshots = 0
        for received, event in screen.received:
            if event["type"] == "snapshot":
                snapshots += 1
                seqs.update(range(1, event["seq"] + 1))  # what a snapshot brings is seen
            else:
                seqs.add(event["seq"])
                latencies.append(received - event["time"])
        complete += seqs >= set(range(1, last_seq + 1))
        resyncs += snapshots - 1  # a later snapshot: the screen reconnected
    latencies.sort()
    report = {
        "benchmark": "workshop: 100 participants on the live board, 50 queueing runs",
        "participants": PARTICIPANTS,
        "runs_created": len(created),
        "runs_refused_by_quota": len(refused),
        "refusal_example": refused[0][1] if refused else None,
        "final_statuses": sorted(statuses),
        "board_updates": last_seq,
        "screens_that_saw_every_update": complete,
        "reconnections": resyncs,
        "board_latency_median_s": round(statistics.median(latencies), 4),
        "board_latency_p95_s": round(latencies[int(0.95 * len(latencies))], 4),
        "seconds_until_all_runs_done": round(all_done, 1),
        "workers": 2,
    }
    print(json.dumps(report, indent=2))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "workshop_load.json").write_text(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
