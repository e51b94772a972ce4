"""Training steps per second of the cells that train by a parallel scan (minGRU, minLSTM,
the selective SSM) against torch's fused GRU, and against their own recurrence run one
step at a time, at a few sequence lengths, on the CPU, in one run.

Every model is built by the playground (`sequences.models.build_model` from a parsed spec:
the adding task, SHAPE's width, layers and batch) and trained by the same bare loop as
bench.training_throughput's: sample a batch, forward with the task's loss, backward, clip
at norm 1.0, Adam. The parallel cells run their recurrence h_t = a_t ⊙ h_{t-1} + b_t in
two forms (the rest of the model is the same code):

- scan: as the playground trains them (`sequences.models.scan.scan`);
- loop: one step at a time over `a.unbind(1)` (`sequences.models.scan.sequential_scan`, the
  reference the parity tests hold the scan to).

At each length: one warm-up step per configuration, then REPEATS rounds alternating the
configurations, each timing steps for at least MIN_SECONDS; the median is reported, with
the ratios taken within the run (cell/GRU; scan/loop per cell). A
configuration whose warm-up step takes over SLOW_STEP_S is not repeated: its figure is
that one step's; one whose step at a shorter length, grown as T grows, would take over SLOW_STEP_S is not measured. Threads: what a worker slot chooses for the GRU of that shape
(sequences.threads), the same for every model at that length; denormals are flushed, as
`sequences.train` does.

`python -m bench.parallel_cells` prints the figures and writes
bench/results/parallel_cells.json; `--quick` runs tiny shapes in seconds, a smoke check
(bench/results/parallel_cells.quick.json), not a measurement.
"""

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from unittest import mock

import torch
from torch import nn

from bench import results
from sequences.denormals import flushing_denormals
from sequences.models import build_model, min_rnn, selective_ssm
from sequences.models.scan import scan, sequential_scan
from sequences.spec import parse_spec
from sequences.tasks import make_task
from sequences.threads import use_threads_for

SHAPE = {"hidden": 64, "layers": 2, "batch": 32}  # the app's default width and batch, 2 layers
LENGTHS = (50, 200, 1000)
CELLS = ("mingru", "minlstm", "ssm")
REFERENCE = "gru"  # torch's fused nn.GRU
REPEATS = 3
MIN_SECONDS = 1.0  # each timing runs whole steps until this much time has passed
SLOW_STEP_S = 10.0  # a configuration slower than this a step is timed by its warm-up alone
GROWTH: dict[str, int] = {}  # how a form's step time grows with T (T^k); by default, k = 1
# --quick: every configuration, tiny, so that it all runs in seconds.
QUICK = {"lengths": (20,), "hidden": 16, "batch": 8, "repeats": 1, "min_seconds": 0.05}


FORMS: dict[str, Callable[..., torch.Tensor]] = {
    "scan": scan,
    "loop": sequential_scan,
}


@contextlib.contextmanager
def recurrence_as(form: str):
    """The parallel cells run their recurrence in `form` inside this block."""
    with (
        mock.patch.object(min_rnn, "scan", FORMS[form]),
        mock.patch.object(selective_ssm, "scan", FORMS[form]),
    ):
        yield


def forms_agree() -> dict[str, float]:
    """Each form's h and gradients against the scan's on a small random recurrence (the
    timings compare like with like only if they compute the same); the largest difference."""
    generator = torch.Generator().manual_seed(0)
    a = torch.rand(3, 37, 4, 2, generator=generator)
    b, h0 = torch.randn(3, 37, 4, 2, generator=generator), torch.randn(3, 4, 2, generator=generator)
    weights = torch.randn(3, 37, 4, 2, generator=generator)
    computed = {}
    for name, form in FORMS.items():
        inputs = [t.clone().requires_grad_() for t in (a, b, h0)]
        h = form(*inputs)
        (h * weights).sum().backward()
        computed[name] = [h.detach()] + [t.grad for t in inputs]
    differences = {}
    for name, values in computed.items():
        worst = max(
            (v - s).abs().max().item() for v, s in zip(values, computed["scan"], strict=True)
        )
        if worst > 1e-4:
            raise AssertionError(f"{name} differs from the scan by {worst:.2e}")
        differences[name] = worst
    return differences


def spec_for(cell: str, length: int, shape: dict):
    return parse_spec(
        {
            "dataset": "adding",
            "dataset_options": {"length": length},
            "model": {"cell": cell, "hidden": shape["hidden"], "layers": shape["layers"]},
            "training": {"steps": 1, "batch_size": shape["batch"], "seed": 0},
        }
    )


class Trainer:
    """One model as the playground builds it, trained by the bare loop, its recurrence in
    `form` ("fused" for the GRU)."""

    def __init__(self, cell: str, form: str, length: int, shape: dict):
        spec = spec_for(cell, length, shape)
        self.form, self.batch = form, shape["batch"]
        self.task = make_task(spec)
        torch.manual_seed(0)
        self.model = build_model(spec, self.task.signature)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=0.003)
        self.generator = torch.Generator().manual_seed(0)

    def step(self) -> None:
        batch = self.task.sample(self.batch, self.generator)
        _, loss = self.model(batch.x, batch.y)
        self.optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.optimizer.step()

    def steps_per_second(self, min_seconds: float) -> float:
        """Whole steps until `min_seconds` have passed; steps over that time."""
        form = recurrence_as(self.form) if self.form in FORMS else contextlib.nullcontext()
        with form:
            steps, started = 0, time.perf_counter()
            while True:
                self.step()
                steps += 1
                elapsed = time.perf_counter() - started
                if elapsed >= min_seconds:
                    return steps / elapsed


def configurations(length: int, shape: dict) -> dict[str, Trainer]:
    trainers = {REFERENCE: Trainer(REFERENCE, "fused", length, shape)}
    for cell in CELLS:
        for form in FORMS:
            trainers[f"{cell} {form}"] = Trainer(cell, form, length, shape)
    return trainers


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b is not None else None


def too_slow(name: str, length: int, warmups: dict[str, tuple[int, float]]) -> str | None:
    """Why a configuration is not measured at `length`, from its step at a shorter one."""
    if name not in warmups:
        return None
    shorter, seconds = warmups[name]
    expected = seconds * (length / shorter) ** GROWTH.get(name.split()[-1], 1)
    if expected <= SLOW_STEP_S:
        return None
    return f"{seconds:.2f} s a step at T {shorter}: about {expected:.1f} s here"


def measure_length(
    length: int,
    shape: dict,
    repeats: int,
    min_seconds: float,
    warmups: dict[str, tuple[int, float]],
) -> dict:
    """Every configuration at one sequence length; the medians and their ratios. Each warm-up
    step's time goes to `warmups`, for the next length to judge by."""
    trainers = configurations(length, shape)
    notes = {name: too_slow(name, length, warmups) for name in trainers}
    skipped = [name for name, note in notes.items() if note]
    for name in skipped:
        del trainers[name]
    runs: dict[str, list[float]] = {}
    slow = []
    for name, trainer in trainers.items():  # warm-up: the allocator, lazy inits
        seconds = 1 / trainer.steps_per_second(0.0)
        warmups[name] = (length, seconds)
        runs[name] = [1 / seconds] if seconds > SLOW_STEP_S else []
        if seconds > SLOW_STEP_S:
            slow.append(name)
            notes[name] = f"not repeated: one warm-up step of {seconds:.1f} s"
        print(f"T {length:5}  warm-up {name:24} {seconds:7.3f} s a step", flush=True)
    for _ in range(repeats):  # alternate, so drift (other work, heat) spreads over all
        for name, trainer in trainers.items():
            if name not in slow:
                runs[name].append(trainer.steps_per_second(min_seconds))
    rates = {name: statistics.median(values) for name, values in runs.items()}
    gru = rates[REFERENCE]
    figures: dict = {
        REFERENCE: {"steps_per_second": round(gru, 2)},
        "notes": {name: note for name, note in notes.items() if note},
        "runs": {name: [round(v, 3) for v in values] for name, values in runs.items()},
    }
    for cell in CELLS:
        by_form = {form: rates.get(f"{cell} {form}") for form in FORMS}
        figures[cell] = {
            "steps_per_second": {
                form: round(v, 3) if v is not None else None for form, v in by_form.items()
            },
            "ratio_to_gru": ratio(by_form["scan"], gru),
            "loop_ratio_to_gru": ratio(by_form["loop"], gru),
            "scan_over_loop": ratio(by_form["scan"], by_form["loop"]),
        }
    return figures


def shown(value: float | None, width: int, digits: int) -> str:
    return f"{value:{width}.{digits}f}" if value is not None else f"{'-':>{width}}"


def table(report: dict) -> str:
    lines = [
        f"training steps/s on the CPU ({report['threads_note']}), H {report['shape']['hidden']}, "
        f"{report['shape']['layers']} layers, batch {report['shape']['batch']}, adding task, "
        f"median of {report['repeats']}; ratios within this run",
        f"{'T':>5} {'cell':8} {'scan/s':>8} {'/GRU':>6} {'loop/s':>8} {'scan/loop':>9}",
    ]
    for length, figures in report["lengths"].items():
        lines.append(
            f"{length:>5} {'gru':8} {figures[REFERENCE]['steps_per_second']:8.2f} {1:6.3f}"
        )
        for cell in CELLS:
            cell_figures = figures[cell]
            rate = cell_figures["steps_per_second"]
            lines.append(
                f"{'':5} {cell:8} {shown(rate['scan'], 8, 2)} "
                f"{shown(cell_figures['ratio_to_gru'], 6, 3)} {shown(rate['loop'], 8, 2)} "
                f"{shown(cell_figures['scan_over_loop'], 9, 3)}"
            )
        for name, note in figures["notes"].items():
            lines.append(f"{'':5} {name}: {note}")
    return "\n".join(lines)


@flushing_denormals
def measure(lengths, shape: dict, repeats: int, min_seconds: float) -> dict:
    threads_before = torch.get_num_threads()
    report: dict = {
        "benchmark": "training steps per second, parallel cells / fused GRU, scan / step loop",
        "device": "cpu",
        "torch": torch.__version__,
        "shape": shape,
        "repeats": repeats,
        "min_seconds": min_seconds,
        "forms_max_difference": forms_agree(),
        "threads": {},
        "lengths": {},
    }
    warmups: dict[str, tuple[int, float]] = {}
    try:
        for length in sorted(lengths):
            spec = spec_for(REFERENCE, length, shape)
            threads = use_threads_for(spec, make_task(spec).signature, os.cpu_count() or 1)
            report["threads"][str(length)] = threads
            report["lengths"][str(length)] = measure_length(
                length, shape, repeats, min_seconds, warmups
            )
    finally:
        # The benchmarks after this one in `python -m bench` run with torch's default.
        torch.set_num_threads(threads_before)
    counts = sorted(set(report["threads"].values()))
    report["threads_note"] = f"threads {'/'.join(map(str, counts))}, as a worker slot chooses"
    return report


@contextlib.contextmanager
def neighbour(busy: bool):
    """With `busy`, one CPU-bound process beside the measurement, as bench.busy_machine's:
    the share of a two-core machine left is about half."""
    process = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
    try:
        yield
    finally:
        if process is not None:
            process.kill()
            process.wait()


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(
        prog="python -m bench.parallel_cells",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--lengths", type=int, nargs="+", help=f"default {LENGTHS}")
    parser.add_argument("--quick", action="store_true", help="tiny shapes: a smoke check")
    parser.add_argument(
        "--busy", action="store_true", help="beside one CPU-bound neighbour process"
    )
    args = parser.parse_args(argv)
    quick = QUICK if args.quick else {}
    shape = {**SHAPE, **{k: quick[k] for k in ("hidden", "batch") if k in quick}}
    lengths = args.lengths or quick.get("lengths", LENGTHS)
    started = time.perf_counter()
    with neighbour(args.busy):
        report = measure(
            lengths, shape, quick.get("repeats", REPEATS), quick.get("min_seconds", MIN_SECONDS)
        )
    report["quick"], report["busy"] = args.quick, args.busy
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(table(report))
    return report


if __name__ == "__main__":
    report = main()
    name = (
        "parallel_cells"
        + (".quick" if report["quick"] else "")
        + (".busy" if report["busy"] else "")
    )
    path = results.save(name, report)
    print(json.dumps(report, indent=2))
    print(f"written: {path}")
