"""A full workshop room: 200 simulated participants (real WebSocket clients on the live
board) join, and 50 of them queue runs on the local workers; some also ask for more than
the quotas allow. Every run must complete or be refused with a reason, and every screen
must see every board update. Reports the board-update latency (median and 95th
percentile, from the event being stored to each screen receiving it) and the time until
every run is done, with the web tier as one process and as two (a second web server on
the same database and Redis; screens and browsers spread over both, as a load balancer
would spread them). The target: a 95th percentile of 250 ms or less with two."""

import asyncio
import contextlib
import json
import os
import statistics
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from websockets.asyncio.client import connect

from bench import results
from bench.live_stack import live_stack
from playground.stack.redis_server import free_port
from playground.stack.supervisor import Stack
from tests.conftest import Browserless

PARTICIPANTS = 200
RUNNERS = 50
TARGET_P95_S = 0.25
SPEC = {
    "dataset": "adding",
    "dataset_options": {"length": 10},
    "model": {"cell": "gru", "hidden": 16},
    "training": {"steps": 100, "batch_size": 16},
}
QUOTAS = {"concurrent_runs": 1, "max_steps": 200, "max_parameters": 20_000}


class Screen:
    """One participant's board: every message it receives, with when. A message is only
    timed as it arrives and parsed after the room: 200 screens in one process parsing as
    they go would delay their own clocks, and time the bench instead of the server."""

    def __init__(self, url: str):
        self.url, self.received = url, []
        self.opened = asyncio.Event()  # set once the snapshot is in
        self.socket = None

    async def watch(self):
        async with connect(self.url, max_queue=None, open_timeout=60) as socket:
            self.socket = socket
            async for raw in socket:  # until the room closes it
                self.received.append((time.time(), raw))
                self.opened.set()

    def events(self) -> list[tuple[float, dict]]:
        return [(received, json.loads(raw)) for received, raw in self.received]


@contextlib.contextmanager
def web_tier(stack: Stack, processes: int) -> Iterator[list[str]]:
    """The base URLs of `processes` web servers: the stack's own, and more on the same
    database and Redis, with the same settings."""
    more = [Stack(port=free_port(), env=stack.env) for _ in range(processes - 1)]
    try:
        for web in more:
            web.start("web")
        for web in more:
            web.wait_ready(workers=0)
        yield [stack.url] + [web.url for web in more]
    finally:
        for web in more:
            web.stop()


def main() -> dict:
    # A room of browsers from one address: its new identities are not what is measured.
    room_env = {
        "WORKER_CONCURRENCY": "2",
        "RUN_QUEUE_AHEAD": "2",
        "NEW_IDENTITIES_PER_MINUTE": "1000",
    }
    tiers = {}
    for processes in (1, 2):
        with (
            live_stack(f"bench-workshop-{processes}.sqlite3", **room_env) as stack,
            web_tier(stack, processes) as urls,
        ):
            tiers[processes] = asyncio.run(room(urls))
    report = {
        "benchmark": f"workshop: {PARTICIPANTS} participants on the live board, "
        f"{RUNNERS} queueing runs",
        "one_web_process": tiers[1],
        "two_web_processes": tiers[2],
        "target_p95_s": TARGET_P95_S,
        "within_target": tiers[2]["board_latency_p95_s"] <= TARGET_P95_S
        and tiers[2]["screens_that_saw_every_update"] == PARTICIPANTS,
    }
    print(json.dumps(report, indent=2))
    results.save("workshop_load", report)
    return report


async def room(urls: list[str]) -> dict:
    """The room, with browsers and screens spread over the web servers at `urls`."""
    teacher = Browserless(urls[0])
    status, made = teacher.post(
        "/api/workshops", {"title": "Load", "preset": SPEC, "quotas": QUOTAS}
    )
    assert status == 201, made
    code = made["code"]
    people = [Browserless(urls[i % len(urls)]) for i in range(PARTICIPANTS)]
    pool = ThreadPoolExecutor(16)
    loop = asyncio.get_running_loop()

    def join(i):
        return people[i].post(f"/api/workshops/{code}/join", {"name": f"participant {i}"})

    screens = [Screen(p.base_url.replace("http://", "ws://") + made["board_ws"]) for p in people]
    watching = [asyncio.create_task(s.watch()) for s in screens]
    # Every screen connected and holding its snapshot.
    await asyncio.wait_for(asyncio.gather(*(s.opened.wait() for s in screens)), timeout=120)
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
    await asyncio.gather(*(s.socket.close() for s in screens))
    await asyncio.gather(*watching)

    last_seq = detail["seq"]
    latencies, complete, resyncs = [], 0, 0
    by_type: dict[str, list[float]] = {}
    for screen in screens:
        seqs = set()
        snapshots = 0
        for received, event in screen.events():
            if event["type"] == "snapshot":
                snapshots += 1
                seqs.update(range(1, event["seq"] + 1))  # what a snapshot brings is seen
            else:
                seqs.add(event["seq"])
                latencies.append(received - event["time"])
                by_type.setdefault(event["type"], []).append(latencies[-1])
        complete += seqs >= set(range(1, last_seq + 1))
        resyncs += snapshots - 1  # a later snapshot: the screen reconnected
    latencies.sort()
    return {
        "web_processes": len(urls),
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
        "board_latency_max_s": round(latencies[-1], 4),
        # Joins come in a burst at the start; run updates while the runs train.
        "board_latency_p95_s_by_type": {
            kind: round(sorted(seconds)[int(0.95 * len(seconds))], 4)
            for kind, seconds in sorted(by_type.items())
        },
        "seconds_until_all_runs_done": round(all_done, 1),
        "workers": 2,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


if __name__ == "__main__":
    main()
