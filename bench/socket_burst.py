"""A crowd opening one finished run at once: 200 WebSockets connect to the same run's
stream together (a class following the link on the projector), and each reads the run's
whole history. The run is trained for real on the live stack first, long enough for a
history of several hundred events (metrics, probes, status, done).

Reports, for each burst, the time from the burst's start until each socket had its whole
history (median, 95th percentile, slowest) against the 2 s target, and checks that every
socket got every event once, in seq order. The first burst meets a web process that has
not read this run yet; the later ones show the steady state."""

import asyncio
import json
import math
import os
import re
import statistics
import time

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from bench import results
from bench.live_stack import live_stack
from playground.stack.supervisor import Stack
from tests.conftest import Browserless

SOCKETS = 200
BURSTS = 3
TARGET_S = 2.0
# A socket still reading after this long counts as one that never got its history.
GIVE_UP_S = 120
# A lesson's run (the vanishing-gradients LSTM), trained long enough for ~400 events.
SPEC = {
    "dataset": "adding",
    "dataset_options": {"length": 50},
    "model": {"cell": "lstm", "hidden": 64},
    "training": {"steps": 16_000, "batch_size": 32},
}
# Every event on the wire starts with its seq: reading it there spares the client parsing
# hundreds of megabytes of JSON, which would time the client rather than the server.
SEQ_UP_FRONT = re.compile(rb'\{"seq":\s*(\d+)')


def seq_of(raw: bytes) -> int:
    found = SEQ_UP_FRONT.match(raw)
    return int(found.group(1)) if found else json.loads(raw)["seq"]


async def read_history(url: str, last_seq: int, started: float) -> dict:
    """One screen: connect, read until the last seq; when each step happened (`done` is
    infinite for a socket the server closed before it had everything)."""
    seqs: list[int] = []
    opened = first = done = math.inf
    try:
        async with (
            asyncio.timeout(GIVE_UP_S),
            connect(url, max_size=2**22, ping_interval=None, open_timeout=60) as socket,
        ):
            opened = time.perf_counter() - started
            while not seqs or seqs[-1] < last_seq:
                seqs.append(seq_of(await socket.recv(decode=False)))
                first = min(first, time.perf_counter() - started)
            done = time.perf_counter() - started
    except (ConnectionClosed, TimeoutError):
        pass
    return {"opened": opened, "first": first, "done": done, "in_order": seqs}


def seconds(value: float) -> float | None:
    return round(value, 3) if math.isfinite(value) else None


async def burst(url: str, last_seq: int, after: int = 0) -> dict:
    # The machine is shared: what else ran beside the burst is part of its figures.
    load = os.getloadavg()[0]
    started = time.perf_counter()
    if after:
        url += f"?after={after}"
    screens = await asyncio.gather(*(read_history(url, last_seq, started) for _ in range(SOCKETS)))
    whole = list(range(after + 1, last_seq + 1))
    complete = [s for s in screens if math.isfinite(s["done"])]
    assert all(s["in_order"] == whole for s in complete), "a socket missed, repeated or reordered"
    done = sorted(s["done"] for s in screens)
    return {
        "screens_with_whole_history": len(complete),
        "history_median_s": seconds(statistics.median(done)),
        "history_p95_s": seconds(done[int(0.95 * len(done))]),
        "history_max_s": seconds(done[-1]),
        "first_event_median_s": seconds(statistics.median(s["first"] for s in screens)),
        "open_max_s": seconds(max(s["opened"] for s in screens)),
        "load_average_1min": round(load, 2),
    }


def finished_run(stack: Stack) -> tuple[str, list[dict]]:
    """A run trained to the end on the stack's worker, and its stored history."""
    client = Browserless(stack.url)
    status, made = client.post("/api/runs", SPEC)
    assert status == 201, made
    while True:
        _, run = client.get(f"/api/runs/{made['id']}")
        if run["status"] not in ("queued", "running"):
            break
        time.sleep(1)
    assert run["status"] == "completed", run
    _, stored = client.get(f"/api/runs/{made['id']}/events?after=0")
    return made["id"], stored["events"]


def main() -> dict:
    with live_stack("bench-sockets.sqlite3") as stack:
        run_id, history = finished_run(stack)
        base = stack.url.replace("http://", "ws://") + f"/ws/runs/{run_id}/"
        last_seq = history[-1]["seq"]
        # Warm the web server (imports, its database connection) without reading the history.
        asyncio.run(burst(base, last_seq, after=last_seq - 1))
        bursts = [asyncio.run(burst(base, last_seq)) for _ in range(BURSTS)]
    kinds: dict[str, int] = {}
    for event in history:
        kinds[event["type"]] = kinds.get(event["type"], 0) + 1
    slowest = [b["history_max_s"] for b in bursts]
    worst = None if None in slowest else max(slowest)
    report = {
        "benchmark": f"{SOCKETS} WebSockets open one finished run at once, each reads it all",
        "events": last_seq,
        "events_by_type": kinds,
        "history_bytes": sum(len(json.dumps(e)) for e in history),
        "bursts": bursts,
        "slowest_socket_s": worst,
        "target_s": TARGET_S,
        "within_target": worst is not None and worst <= TARGET_S,
    }
    print(json.dumps(report, indent=2))
    results.save("socket_burst", report)
    return report


if __name__ == "__main__":
    main()
