"""Small runs sharing one GPU: aggregate training steps/s with 1, 4 and 8 worker slots.

A GPU worker runs GPU_SLOTS runs at once, each in its own process with its own CUDA
context (like Celery's prefork slots). Here N slot processes are started with 'spawn' (CUDA
cannot be forked), each trains one warm-up run, then all start together at a barrier and
each trains small playground runs one after another for a fixed wall time: a workshop
student's run (`sequences.train.train`, probes on as a worker trains: a GRU with 64 units
on the adding task, length 50, batch 32, 300 steps). A run still going at the end is
cancelled there, its steps counted. For each N it reports each slot's steps/s (steps over
the window, so each run's set-up counts, as in a worker) and their sum, the aggregate, with
aggregate(N)/aggregate(1) measured in this one run.

Called by `make bench-gpu` (bench.gpu_throughput) after its required shapes, within its own
time budget; alone, `python -m bench.gpu_sharing` writes bench/results/gpu_sharing.json.
`--device cpu` runs the same on the CPU, as a smoke check of the code, not a measurement.
"""

import argparse
import json
import multiprocessing
import os
import queue
import statistics
import sys
import threading
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "gpu_sharing.json"
SLOTS = (1, 4, 8)
WINDOW_S = 15.0  # each slot trains this long, all at once
BUDGET_S = 90.0  # a slot count is skipped once the sharing part has run this long
START_TIMEOUT_S = 60.0  # to spawn, import torch, open a CUDA context and warm up
WARMUP_STEPS = 30
STUDENT_RUN = {
    "dataset": "adding",
    "dataset_options": {"length": 50},
    "model": {"cell": "gru", "hidden": 64},
    "training": {"steps": 300, "batch_size": 32},
}


def student_spec(seed: int, steps: int | None = None):
    from sequences.spec import parse_spec

    training = {**STUDENT_RUN["training"], "seed": seed}
    if steps is not None:
        training["steps"] = steps
    return parse_spec({**STUDENT_RUN, "training": training})


def train_slot(index: int, slots: int, device: str, window: float, barrier, results) -> None:
    """One worker slot's process: warm up, wait for the others, train runs for `window` s;
    its figures, or what went wrong, go to `results`."""
    try:
        spec = warm_up(index, slots, device)
    except Exception as exc:
        barrier.abort()  # the others stop waiting
        results.put({"slot": index, "error": failure(exc)})
        return
    try:
        barrier.wait(timeout=START_TIMEOUT_S)
    except threading.BrokenBarrierError:
        results.put({"slot": index, "error": "another slot failed to start"})
        return
    try:
        results.put({"slot": index, **train_for(spec, device, window)})
    except Exception as exc:
        results.put({"slot": index, "error": failure(exc)})


def warm_up(index: int, slots: int, device: str):
    """Set the slot's threads and train one short run; the spec of its runs."""
    from sequences.tasks import make_task
    from sequences.threads import use_threads_for
    from sequences.train import train

    spec = student_spec(seed=index)
    # This slot's share of the cores, as a worker slot's threads are chosen.
    use_threads_for(spec, make_task(spec).signature, max(1, (os.cpu_count() or 1) // slots))
    # The first run opens the CUDA context, loads kernels and fills the allocator.
    train(student_spec(index, WARMUP_STEPS), device=device, probes=True)
    return spec


def train_for(spec, device: str, window: float) -> dict:
    """Runs one after another for `window` seconds, the last cancelled at the end."""
    import torch

    from sequences.train import train

    started = time.perf_counter()
    deadline = started + window
    steps, runs, loop_seconds = 0, 0, 0.0
    while time.perf_counter() < deadline:
        outcome = train(
            spec, device=device, probes=True, should_stop=lambda: time.perf_counter() >= deadline
        )
        steps += outcome.result["steps"]
        loop_seconds += outcome.result["seconds"]
        runs += 1
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    seconds = time.perf_counter() - started
    return {
        "steps": steps,
        "runs": runs,
        "seconds": round(seconds, 3),
        "steps_per_second": round(steps / seconds, 2),
        # Steps over the time inside the training loops, without each run's set-up.
        "loop_steps_per_second": round(steps / loop_seconds, 2) if loop_seconds else None,
    }


def failure(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def measure_slots(slots: int, device: str, window: float) -> dict:
    """Start `slots` slot processes together; each one's steps/s, and their sum."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(slots)
    results = context.Queue()
    processes = [
        context.Process(
            target=train_slot, args=(i, slots, device, window, barrier, results), daemon=True
        )
        for i in range(slots)
    ]
    for process in processes:
        process.start()
    gave_up_at = time.monotonic() + START_TIMEOUT_S + window + 30
    slot_figures = []
    while len(slot_figures) < slots:
        try:
            slot_figures.append(results.get(timeout=max(0.1, gave_up_at - time.monotonic())))
        except queue.Empty:
            break
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():  # stuck past its time: this run's own process
            process.terminate()
            process.join(timeout=5)
    slot_figures.sort(key=lambda figures: figures["slot"])
    errors = [f"slot {f['slot']}: {f['error']}" for f in slot_figures if "error" in f]
    if len(slot_figures) < slots:
        errors.append(f"{slots - len(slot_figures)} slot(s) gave no figures in time")
    per_slot = [f["steps_per_second"] for f in slot_figures if "error" not in f]
    return {
        "slots": slots,
        "aggregate_steps_per_second": round(sum(per_slot), 2) if not errors else None,
        "slot_steps_per_second": per_slot,
        "slot_median": round(statistics.median(per_slot), 2) if per_slot else None,
        "per_slot": slot_figures,
        **({"errors": errors} if errors else {}),
    }


def measure(
    device: str = "cuda",
    slot_counts=SLOTS,
    window: float = WINDOW_S,
    budget: float = BUDGET_S,
) -> dict:
    """Aggregate steps/s for each slot count, and each against one slot's, in one run."""
    # Worker slots wait passively (worker/celery.py): read by each slot's OpenMP at start.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    started = time.perf_counter()
    report = {
        "benchmark": "small runs sharing one device: aggregate training steps/s by worker slots",
        "device": device,
        "run": STUDENT_RUN,
        "window_seconds": window,
        "start_method": "spawn",
        "by_slots": {},
        "skipped": [],
    }
    one: dict = {}
    for slots in slot_counts:
        elapsed = time.perf_counter() - started
        if elapsed > budget:
            report["skipped"].append(slots)
            continue
        print(f"sharing the device: {slots} slot(s) ({elapsed:.0f} s in)", flush=True)
        figures = measure_slots(slots, device, window)
        one = one or figures  # the first slot count measured is the baseline (1)
        figures["ratio_aggregate"] = ratio(
            figures["aggregate_steps_per_second"], one["aggregate_steps_per_second"]
        )
        figures["ratio_slot_median"] = ratio(figures["slot_median"], one["slot_median"])
        report["by_slots"][str(slots)] = figures
        print(
            f"  aggregate {fmt(figures['aggregate_steps_per_second'], 0)}/s, "
            f"{fmt_ratio(figures['ratio_aggregate'])}x {one['slots']} slot's; a slot's median "
            f"{fmt(figures['slot_median'], 0)}/s"
            + "".join(f"; {error}" for error in figures.get("errors", [])),
            flush=True,
        )
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


def ratio(a, b) -> float | None:
    return round(a / b, 3) if isinstance(a, float | int) and isinstance(b, float | int) else None


def table(report: dict) -> str:
    lines = [
        f"Small runs sharing one {report['device']} device (GRU 64, T 50, batch 32, 300-step "
        f"runs, probes on), each slot its own process, {report['window_seconds']:g} s together",
        f"{'slots':>5} {'aggregate/s':>12} {'x 1 slot':>9} {'slot median/s':>14} "
        f"{'x 1 slot':>9}  each slot/s",
    ]
    for slots, figures in report["by_slots"].items():
        each = ", ".join(f"{value:.1f}" for value in figures["slot_steps_per_second"])
        lines.append(
            f"{slots:>5} {fmt(figures['aggregate_steps_per_second'], 12)} "
            f"{fmt_ratio(figures['ratio_aggregate']):>9} {fmt(figures['slot_median'], 14)} "
            f"{fmt_ratio(figures['ratio_slot_median']):>9}  {each}"
        )
        for error in figures.get("errors", []):
            lines.append(f"      error, {error}")
    for slots in report["skipped"]:
        lines.append(f"skipped {slots} slots: the sharing part was past its time budget")
    return "\n".join(lines)


def fmt(value, width: int) -> str:
    return f"{value:{width}.1f}" if value is not None else f"{'err':>{width}}"


def fmt_ratio(value) -> str:
    return f"{value:.3f}" if value is not None else "-"


def main(argv=None) -> dict | None:
    parser = argparse.ArgumentParser(prog="python -m bench.gpu_sharing", description=__doc__)
    parser.add_argument("--device", choices=("cuda", "cpu"), default="cuda")
    parser.add_argument("--slots", type=int, nargs="+", default=list(SLOTS))
    parser.add_argument("--window", type=float, default=WINDOW_S, help="seconds a slot trains")
    parser.add_argument("--budget", type=float, default=BUDGET_S, help="seconds, all slot counts")
    args = parser.parse_args(argv)

    import torch

    if args.device == "cuda" and not torch.cuda.is_available():
        print(
            "gpu_sharing: no CUDA device here: nothing measured (--device cpu for a smoke check)."
        )
        return None
    report = measure(args.device, tuple(args.slots), args.window, args.budget)
    path = RESULTS if args.device == "cuda" else RESULTS.with_suffix(".cpu.json")
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(report, indent=2))
    print(table(report))
    print(f"written: {path.name} in bench/results ({report['seconds']} s)")
    return report


if __name__ == "__main__":
    main()
    sys.exit(0)
