"""Why the playground's loop runs slower than a bare one on a GPU: ablations and a profile.

`python -m bench.gpu_profile` on a CUDA machine, after `make bench-gpu` shows a low ratio.
For the LSTM and the transformer of bench.gpu_throughput (fp32), steps per second of:

- bare: the bare loop, reading the loss back every 100 steps;
- bare_sync_every_step: the same, reading it back every step (one CPU-GPU sync a step);
- playground: `sequences.train.train` as a run calls it;
- playground_log_every_25: the same with logging (loss, per-layer gradient norms, both
  read back) every 25 steps instead of every step (sequences.train.MAX_LOGGED_POINTS
  patched in this process);
- playground_data_on_gpu: the same with batches made beforehand and kept on the GPU, so no
  sampling on the CPU and no copy in the loop;
- playground_both: both changes.

Then the PyTorch profiler over a short playground run and a short bare run: how busy the
GPU is (kernel time over wall time), how often the CPU waits for it, and the CPU's
costliest operators. Writes bench/results/gpu_profile.json; nothing in sequences/ changes.
"""

import contextlib
import json
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

import torch
from torch.autograd import DeviceType
from torch.profiler import ProfilerActivity, profile

from bench import gpu_throughput
from bench.gpu_throughput import (
    SHAPES,
    bare_steps_per_second,
    playground_steps_per_second,
    shown,
    spec_for,
)

RESULTS = Path(__file__).parent / "results" / "gpu_profile.json"
CELLS = ("lstm", "transformer")
STEPS = 150
REPEATS = 2
PROFILED_STEPS = 40
SYNC_OPS = ("aten::_local_scalar_dense", "cudaStreamSynchronize", "cudaDeviceSynchronize")


class BatchesOnDevice:
    """A task whose training batches were made beforehand and already sit on the device."""

    def __init__(self, task, batch_size: int, count: int = 16):
        generator = torch.Generator().manual_seed(0)
        self._task = task
        self._batches = [
            task.sample(batch_size, generator).to(gpu_throughput.DEVICE) for _ in range(count)
        ]
        self._next = 0

    def sample(self, n, generator):
        self._next += 1
        return self._batches[self._next % len(self._batches)]

    def __getattr__(self, name):
        return getattr(self._task, name)


def log_every(steps: int):
    """Log every `steps` steps: sequences.train sizes its interval from MAX_LOGGED_POINTS."""
    from sequences import train as train_module

    return mock.patch.object(train_module, "MAX_LOGGED_POINTS", max(1, STEPS // steps))


def task_for(shape: dict, on_device: bool):
    from sequences.tasks import make_task

    task = make_task(spec_for(shape, STEPS))
    return BatchesOnDevice(task, shape["batch"]) if on_device else task


def playground(shape, steps, every: int = 1, on_device: bool = False) -> float:
    with log_every(every) if every > 1 else contextlib.nullcontext():
        task = task_for(shape, on_device)
        return playground_steps_per_second(shape, steps, task=task)


ABLATIONS = {
    "bare": lambda shape, steps: bare_steps_per_second(shape, steps),
    "bare_sync_every_step": lambda shape, steps: bare_steps_per_second(shape, steps, sync_every=1),
    "playground": lambda shape, steps: playground(shape, steps),
    "playground_log_every_25": lambda shape, steps: playground(shape, steps, every=25),
    "playground_data_on_gpu": lambda shape, steps: playground(shape, steps, on_device=True),
    "playground_both": lambda shape, steps: playground(shape, steps, 25, True),
}


def sampling_ms(shape: dict) -> dict:
    """CPU time to make one training batch, and to copy it to the device."""
    from sequences.tasks import make_task

    task = make_task(spec_for(shape, STEPS))
    generator = torch.Generator().manual_seed(0)
    make, copy = [], []
    for _ in range(30):
        started = time.perf_counter()
        batch = task.sample(shape["batch"], generator)
        made = time.perf_counter()
        batch.to(gpu_throughput.DEVICE)
        torch.cuda.synchronize()
        make.append(made - started)
        copy.append(time.perf_counter() - made)
    return {
        "sample_ms": round(1000 * statistics.median(make), 3),
        "copy_ms": round(1000 * statistics.median(copy), 3),
    }


def profiled(fn) -> dict:
    """Kernel time over wall time, syncs per step, and the top CPU operators, of fn()."""
    torch.cuda.synchronize()
    activities = [ProfilerActivity.CPU]
    if gpu_throughput.DEVICE == "cuda":
        activities.append(ProfilerActivity.CUDA)
    with profile(activities=activities) as prof:
        started = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        wall = time.perf_counter() - started
    kernel_us = sum(
        e.time_range.elapsed_us() for e in prof.events() if e.device_type == DeviceType.CUDA
    )
    averages = prof.key_averages()
    counts = {a.key: a.count for a in averages if a.key in SYNC_OPS}
    counts["cudaMemcpyAsync"] = sum(a.count for a in averages if a.key == "cudaMemcpyAsync")
    counts["kernel_launches"] = sum(
        a.count for a in averages if a.key.startswith(("cudaLaunchKernel", "cuLaunchKernel"))
    )
    top = sorted(averages, key=lambda a: a.self_cpu_time_total, reverse=True)[:12]
    return {
        "wall_ms": round(1000 * wall, 1),
        "kernel_ms": round(kernel_us / 1000, 1),
        "gpu_busy": round(kernel_us / 1e6 / wall, 3),
        "per_run_counts": counts,
        "top_self_cpu_ms": {a.key: round(a.self_cpu_time_total / 1000, 2) for a in top},
    }


def main() -> dict | None:
    if not torch.cuda.is_available():
        print("gpu_profile: no CUDA device here: nothing measured.")
        return None
    report = {"steps": STEPS, "repeats": REPEATS, "cells": {}}
    RESULTS.parent.mkdir(exist_ok=True)
    for name in CELLS:
        shape = SHAPES[name]
        for fn in ABLATIONS.values():
            fn(shape, 20)  # warm-up
        runs = {k: [] for k in ABLATIONS}
        for _ in range(REPEATS):
            for k, fn in ABLATIONS.items():
                runs[k].append(round(fn(shape, STEPS), 2))
        figures = {k: round(statistics.median(v), 2) for k, v in runs.items()}
        bare = figures["bare"]
        cell = {
            "steps_per_second": figures,
            "ratio_to_bare": {k: round(v / bare, 3) for k, v in figures.items()},
            "runs": runs,
            "cpu_batch": sampling_ms(shape),
            "step_ms_bare": round(1000 / bare, 2),
            "profile_playground": profiled(
                lambda shape=shape: playground_steps_per_second(shape, PROFILED_STEPS)
            ),
            "profile_bare": profiled(
                lambda shape=shape: bare_steps_per_second(shape, PROFILED_STEPS)
            ),
        }
        report["cells"][name] = cell
        RESULTS.write_text(json.dumps(report, indent=2))
        print(f"{name}: steps/s, and the ratio to the bare loop")
        for k, v in figures.items():
            print(f"  {k:26} {v:8.1f}  {v / bare:.3f}")
        print(
            f"  one batch on the CPU: {cell['cpu_batch']['sample_ms']} ms to make, "
            f"{cell['cpu_batch']['copy_ms']} ms to copy; a bare step takes "
            f"{cell['step_ms_bare']} ms"
        )
        for which in ("profile_playground", "profile_bare"):
            p = cell[which]
            print(
                f"  {which} ({PROFILED_STEPS} steps): GPU busy {p['gpu_busy']:.0%} "
                f"({p['kernel_ms']} of {p['wall_ms']} ms), counts {p['per_run_counts']}"
            )
            print(f"    top self-CPU ms: {p['top_self_cpu_ms']}")
    print(f"written: {shown(RESULTS)}")
    return report


if __name__ == "__main__":
    main()
    sys.exit(0)
