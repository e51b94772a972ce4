"""Time from POST /api/runs to the first metrics event on the run's WebSocket.

The stack runs as `make run` starts it (web server, Celery worker, Redis), on a database
of its own, with the worker warmed up by one run first. The bare figure is the same
model's time to its first loss in a plain PyTorch loop in this process: what the
playground adds on top is queueing, a process hop, the database and the socket.
"""

import json
import statistics
import time

import torch

from bench import results
from bench.live_stack import live_stack
from playground.stack.supervisor import Stack
from tests.conftest import Browserless
from tests.events_client import EventClient

RUNS = 10
SPEC = {
    "dataset": "adding",
    "dataset_options": {"length": 50},
    "model": {"cell": "lstm", "layers": 1, "hidden": 64},
    "training": {"steps": 300, "batch_size": 32},
}


def bare_first_loss_seconds() -> float:
    """A plain loop's time from nothing to its first loss value, for the same spec."""
    from sequences.spec import parse_spec
    from sequences.tasks import make_task

    spec = parse_spec(SPEC)
    started = time.perf_counter()
    task = make_task(spec)
    model = torch.nn.LSTM(2, 64, batch_first=True)
    head = torch.nn.Linear(64, 1)
    optimizer = torch.optim.Adam([*model.parameters(), *head.parameters()], lr=0.003)
    batch = task.sample(32, torch.Generator().manual_seed(0))
    x, y = batch.x, batch.y
    out, _ = model(x)
    loss = torch.nn.functional.mse_loss(head(out[:, -1]), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    loss.item()
    return time.perf_counter() - started


def first_metrics_seconds(stack: Stack, client: Browserless) -> float:
    started = time.perf_counter()
    code, body = client.post("/api/runs", SPEC)
    assert code == 201, body
    watcher = EventClient(stack.url, body["id"])
    watcher.until(lambda e: e["type"] == "metrics", timeout=60)
    elapsed = time.perf_counter() - started
    watcher.until_finished()  # the next run starts on an idle worker
    watcher.close()
    return elapsed


def main() -> None:
    with live_stack("bench.sqlite3") as stack:
        client = Browserless(stack.url)
        first_metrics_seconds(stack, client)  # warm the worker: imports, first allocations
        samples = [first_metrics_seconds(stack, client) for _ in range(RUNS)]
    bare = statistics.median(bare_first_loss_seconds() for _ in range(RUNS))
    median = statistics.median(samples)
    report = {
        "benchmark": "POST /api/runs -> first metrics event on the WebSocket (warm worker)",
        "runs": RUNS,
        "median_s": round(median, 4),
        "min_s": round(min(samples), 4),
        "max_s": round(max(samples), 4),
        "bare_pytorch_first_loss_median_s": round(bare, 4),
        "ratio_to_bare": round(median / bare, 1),
        "device": "cpu",
    }
    print(json.dumps(report, indent=2))
    results.save("first_metrics", report)


if __name__ == "__main__":
    main()
