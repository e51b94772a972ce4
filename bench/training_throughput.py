"""Training steps per second: the playground's loop against a bare PyTorch loop.

Same model shape, data, optimizer (Adam), gradient clipping (norm 1.0) and device; the
bare loop is written the obvious way and prints its loss every 100 steps. The
playground's loop adds what a run needs: logging at its interval (loss, gradient norms
per layer), validation, and the stop check. It is measured with probes off, and
instrumented: probes on at the default settings (every 25 steps, at most one a second),
and instrumented with checkpoints as a worker saves them (the state copied in the loop,
serialized by a thread; every CHECKPOINT_SECONDS, a fifth of the default interval so that
their cost shows). The four alternate, and the median of REPEATS is compared, in one run.
"""

import statistics
import threading
import time

import torch
from torch import nn

from sequences.models.attention import Block, Positions
from sequences.resume import TrainingState
from sequences.spec import parse_spec
from sequences.tasks import make_task
from sequences.train import default_device, train

STEPS = 300
REPEATS = 3
CHECKPOINT_SECONDS = 1.0  # the app's default is 5 (RUN_CHECKPOINT_SECONDS)
SHAPE = {"length": 100, "hidden": 128, "batch": 64, "layers": 2}


def spec_for(cell: str):
    model = {"cell": cell, "hidden": SHAPE["hidden"], "layers": SHAPE["layers"]}
    if cell == "transformer":
        model["heads"] = 4
    return parse_spec(
        {
            "dataset": "adding",
            "dataset_options": {"length": SHAPE["length"]},
            "model": model,
            "training": {"steps": STEPS, "batch_size": SHAPE["batch"], "seed": 0},
        }
    )


class BareRecurrent(nn.Module):
    def __init__(self, cell):
        super().__init__()
        kind = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
        self.rnn = kind(2, SHAPE["hidden"], num_layers=SHAPE["layers"], batch_first=True)
        self.head = nn.Linear(SHAPE["hidden"], 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


class BareTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        width = SHAPE["hidden"]
        self.inputs = nn.Linear(2, width)
        self.positions = Positions("sinusoidal", width, SHAPE["length"])
        self.blocks = nn.Sequential(
            *(Block(width, 4, 4 * width, 0.0) for _ in range(SHAPE["layers"]))
        )
        self.norm, self.head = nn.LayerNorm(width), nn.Linear(width, 1)

    def forward(self, x):
        h = self.blocks(self.positions(self.inputs(x)))
        return self.head(self.norm(h).mean(dim=1))


def bare_steps_per_second(cell: str, device: str) -> float:
    spec = spec_for(cell)
    task = make_task(spec)
    torch.manual_seed(0)
    model = (BareTransformer() if cell == "transformer" else BareRecurrent(cell)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.003)
    generator = torch.Generator().manual_seed(0)
    started = time.perf_counter()
    for step in range(STEPS):
        batch = task.sample(SHAPE["batch"], generator)
        x, y = batch.x.to(device), batch.y.to(device)
        loss = nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step % 100 == 0:
            print(f"step {step} loss {loss.item():.4f}", end="\r")
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return STEPS / (time.perf_counter() - started)


class SerializedCheckpoints:
    """The app's checkpoint writer (playground/runs/checkpoints.py) without the database:
    due every CHECKPOINT_SECONDS; a thread serializes the newest state it was handed."""

    def __init__(self):
        self.next_due = time.monotonic() + CHECKPOINT_SECONDS
        self.waiting: TrainingState | None = None
        self.arrived, self.stopping = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.written = 0

    def due(self) -> bool:
        return time.monotonic() >= self.next_due

    def save(self, state: TrainingState) -> None:
        self.waiting = state
        self.next_due = time.monotonic() + CHECKPOINT_SECONDS
        self.arrived.set()

    def loop(self):
        while not self.stopping.is_set():
            self.arrived.wait()
            self.arrived.clear()
            state, self.waiting = self.waiting, None
            if state is not None:
                state.to_bytes()
                self.written += 1

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.arrived.set()
        self.thread.join()


def playground_steps_per_second(
    cell: str, device: str, probes: bool = False, checkpoints: bool = False
) -> float:
    if not checkpoints:
        return train(spec_for(cell), device=device, probes=probes).result["steps_per_second"]
    with SerializedCheckpoints() as saved:
        outcome = train(spec_for(cell), device=device, probes=probes, checkpoints=saved)
    print(f"{saved.written} checkpoints in {outcome.result['seconds']} s", end="\r")
    return outcome.result["steps_per_second"]


def main(cells=("rnn", "lstm", "gru", "transformer")) -> dict:
    device = default_device()
    name = torch.cuda.get_device_name() if device == "cuda" else "cpu"
    report = {
        "benchmark": "training steps per second, playground loop / bare PyTorch loop",
        "device": name,
        "shape": SHAPE,
        "steps": STEPS,
        "checkpoint_seconds": CHECKPOINT_SECONDS,
        "cells": {},
    }
    for cell in cells:
        bare_steps_per_second(cell, device)  # warm-up: allocator, kernels
        bare, playground, instrumented, checkpointed = [], [], [], []
        for _ in range(REPEATS):
            bare.append(bare_steps_per_second(cell, device))
            playground.append(playground_steps_per_second(cell, device))
            instrumented.append(playground_steps_per_second(cell, device, probes=True))
            checkpointed.append(
                playground_steps_per_second(cell, device, probes=True, checkpoints=True)
            )
        b, p, i, c = (statistics.median(v) for v in (bare, playground, instrumented, checkpointed))
        report["cells"][cell] = {
            "bare": round(b, 1),
            "playground": round(p, 1),
            "instrumented": round(i, 1),
            "checkpointed": round(c, 1),
            "ratio": round(p / b, 3),
            "ratio_instrumented": round(i / b, 3),
            "ratio_checkpointed": round(c / b, 3),
        }
        print(
            f"{cell:12} bare {b:6.1f}/s  playground {p:6.1f}/s ({p / b:.3f})  "
            f"instrumented {i:6.1f}/s ({i / b:.3f})  with checkpoints {c:6.1f}/s ({c / b:.3f})"
        )
    return report


if __name__ == "__main__":
    import json

    print(json.dumps(main(), indent=2))
