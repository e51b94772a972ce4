"""GPU training steps per second: the playground's loop against a bare PyTorch loop, on CUDA.

`make bench-gpu` (`python -m bench.gpu_throughput`) on a machine with a CUDA device; it
needs torch and pydantic, not Django or the virtual environment. For each shape:

- bare: the obvious loop (task.sample on the CPU, to the device, forward, MSE, backward,
  clip at norm 1.0, Adam; the loss read back every 100 steps), in fp32 and under bf16
  autocast;
- playground: `sequences.train.train` on the model the spec builds, in fp32 and with
  `training.precision = "bf16"` (its autocast), probes off;
- instrumented: the playground's loop with probes on (fp32, default probe settings), with
  the probe's share of its time: each look inside the model timed (bench.probe_clock) over
  the run's loop time, and, as a cross-check, 1 - instrumented/playground;
- for the LSTM, the bare fp32 loop again with cuDNN off (PyTorch's own LSTM kernels).

The cells that train by a parallel scan (minGRU, minLSTM, the selective SSM) are measured
at the GRU's shape; their bare loop trains `sequences.models.parallel_stack.ParallelStack`
where the GRU's trains nn.GRU, and each figure is also given over the GRU's (cuDNN's) of the
same configuration. The minLSTM and the SSM at this shape are over the app's activation
limit (below).

The looks are paced (sequences.pacing): in these 200-step runs the first and the last
are always taken, so the share is a short run's; a long run's stays near
sequences.train.PROBE_SHARE.

After the LSTM and the transformer, small runs sharing the GPU with 1, 4 and 8 worker slot
processes (bench.gpu_sharing, on a time budget of its own): per-slot and aggregate steps/s,
and aggregate(N)/aggregate(1). Then the GRU, the parallel cells and the RNN, each begun
only while the run is within BUDGET_S, so that the whole `make bench-gpu` stays short;
`--cells gru mingru minlstm ssm` measures the GRU and the parallel cells alone.

Every configuration is warmed up first (cuDNN's autotuner, the allocator); then rounds of
REPEATS alternate the configurations and the median is reported, with the ratios
playground/bare and instrumented/bare taken within this one run. The playground sets
`cudnn.benchmark`; the bare loop runs with it too, so both pick the same kernels.

The 4-layer transformer, the minLSTM and the SSM at batch 128 and length 256 are over the
app's per-step activation limit (spec.MAX_ACTIVATION_BYTES): the limit is lifted in this
process, for this benchmark only, and the report says so.

With no CUDA device it prints why and exits without measuring. `--device cpu --quick`
runs every cell on the CPU with tiny shapes, few steps and 1 and 2 slots: a smoke check
that the code works end to end (bench/results/gpu_throughput.cpu.json), not a measurement.
"""

import argparse
import contextlib
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

try:
    import torch
    from torch import nn
except ModuleNotFoundError:  # `make bench-gpu` with a GPU_PYTHON that has no PyTorch
    sys.exit(
        f"bench-gpu: {sys.executable} has no PyTorch: nothing measured. Run it with a Python "
        "that has torch (and pydantic): make bench-gpu GPU_PYTHON=/path/to/python"
    )

from bench import gpu_sharing
from bench.probe_clock import ProbeClock

DEVICE = "cuda"  # "cpu" with --device cpu (a smoke check)
RESULTS = Path(__file__).parent / "results" / "gpu_throughput.json"
STEPS = 200  # a short run, like the default (300): the playground logs every step
REPEATS = 3
WARMUP_STEPS = 20
CUDNN_OFF_STEPS = 20  # PyTorch's own LSTM kernels are far slower: fewer steps suffice
BUDGET_S = 300  # GRU and RNN are measured only while the run is within this many seconds
SHAPES = {  # required first; the rest while the budget lasts
    "lstm": {"cell": "lstm", "hidden": 512, "layers": 2, "length": 256, "batch": 128},
    "transformer": {
        "cell": "transformer",
        "hidden": 256,
        "layers": 4,
        "heads": 4,
        "length": 256,
        "batch": 128,
    },
    "gru": {"cell": "gru", "hidden": 512, "layers": 2, "length": 256, "batch": 128},
    # The parallel cells at the GRU's shape, after it: their figures are given over its.
    "mingru": {"cell": "mingru", "hidden": 512, "layers": 2, "length": 256, "batch": 128},
    "minlstm": {"cell": "minlstm", "hidden": 512, "layers": 2, "length": 256, "batch": 128},
    "ssm": {"cell": "ssm", "hidden": 512, "layers": 2, "length": 256, "batch": 128},
    "rnn": {"cell": "rnn", "hidden": 512, "layers": 2, "length": 256, "batch": 128},
}
REQUIRED = ("lstm", "transformer")
PARALLEL = ("mingru", "minlstm", "ssm")  # compared with the GRU, the reference
REFERENCE = "gru"
# --quick: the same cells, tiny, so that a CPU runs them all in seconds.
QUICK = {"steps": 20, "repeats": 1, "warmup": 3, "cudnn_off_steps": 3, "window": 2.0}
QUICK_SHAPES = {
    name: {**shape, "hidden": 32, "length": 20, "batch": 8}
    | ({"heads": 2} if "heads" in shape else {})
    for name, shape in SHAPES.items()
}
QUICK_SLOTS = (1, 2)
NO_CUDA = (
    "bench-gpu: no CUDA device here (torch {version}, torch.cuda.is_available() is False): "
    "nothing measured, {path} not written. Run it on a machine with an NVIDIA GPU."
)


def spec_for(shape: dict, steps: int, precision: str = "fp32"):
    """The run spec of a shape, on the adding task; over-limit shapes are let through."""
    from sequences import spec as spec_module

    model = {"cell": shape["cell"], "hidden": shape["hidden"], "layers": shape["layers"]}
    if shape["cell"] == "transformer":
        model["heads"] = shape["heads"]
    data = {
        "dataset": "adding",
        "dataset_options": {"length": shape["length"]},
        "model": model,
        "training": {
            "steps": steps,
            "batch_size": shape["batch"],
            "seed": 0,
            "precision": precision,
        },
    }
    with mock.patch.object(spec_module, "MAX_ACTIVATION_BYTES", 1 << 40):
        return spec_module.parse_spec(data)


def over_app_limit(shape: dict, steps: int = STEPS) -> str | None:
    """Why the app itself would refuse this shape, or None."""
    from sequences.spec import SpecError, parse_spec

    spec = spec_for(shape, steps)
    try:
        parse_spec(spec.model_dump())
    except SpecError as exc:
        return exc.message
    return None


class BareRecurrent(nn.Module):
    """A stack and a head on its last output: torch's fused module, or the playground's
    parallel stack (no fused module of torch's trains by a scan)."""

    def __init__(self, shape: dict):
        super().__init__()
        from sequences.models.parallel_stack import ParallelStack

        cell, hidden, layers = shape["cell"], shape["hidden"], shape["layers"]
        if cell in PARALLEL:
            self.rnn = ParallelStack(cell, 2, hidden, layers, dropout=0.0)
        else:
            kind = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
            self.rnn = kind(2, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


class BareTransformer(nn.Module):
    def __init__(self, shape: dict):
        super().__init__()
        from sequences.models.attention import Block, Positions

        width = shape["hidden"]
        self.inputs = nn.Linear(2, width)
        self.positions = Positions("sinusoidal", width, shape["length"])
        self.blocks = nn.Sequential(
            *(Block(width, shape["heads"], 4 * width, 0.0) for _ in range(shape["layers"]))
        )
        self.norm, self.head = nn.LayerNorm(width), nn.Linear(width, 1)

    def forward(self, x):
        h = self.blocks(self.positions(self.inputs(x)))
        return self.head(self.norm(h).mean(dim=1))


def bare_model(shape: dict) -> nn.Module:
    return BareTransformer(shape) if shape["cell"] == "transformer" else BareRecurrent(shape)


def sync() -> None:
    """Wait for the device's queued work (a no-op on the CPU)."""
    if DEVICE == "cuda":
        torch.cuda.synchronize()


def autocast_for(precision: str):
    if precision == "bf16":
        return torch.autocast(DEVICE, dtype=torch.bfloat16)
    return contextlib.nullcontext()


def bare_steps_per_second(
    shape: dict, steps: int, precision: str = "fp32", cudnn: bool = True, sync_every: int = 100
) -> float:
    """The obvious loop; `sync_every` is where it reads the loss back (a CPU-GPU sync)."""
    from sequences.tasks import make_task

    device = DEVICE
    task = make_task(spec_for(shape, steps))
    torch.manual_seed(0)
    model = bare_model(shape).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.003)
    generator = torch.Generator().manual_seed(0)
    with torch.backends.cudnn.flags(enabled=cudnn, benchmark=True, deterministic=False):
        sync()
        started = time.perf_counter()
        for step in range(steps):
            batch = task.sample(shape["batch"], generator)
            x, y = batch.x.to(device), batch.y.to(device)
            with autocast_for(precision):
                loss = nn.functional.mse_loss(model(x).float(), y)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            if step % sync_every == 0:
                last_loss = loss.item()  # noqa: F841  (what a loop that prints its loss does)
        sync()
        return steps / (time.perf_counter() - started)


def playground_result(
    shape: dict, steps: int, precision: str = "fp32", probes: bool = False, task=None
) -> dict:
    """`sequences.train.train` as a run calls it; the result it reports."""
    from sequences.train import train

    sync()
    outcome = train(spec_for(shape, steps, precision), task=task, device=DEVICE, probes=probes)
    if outcome.status != "completed":
        raise RuntimeError(f"training {outcome.status}: {outcome.message}")
    return outcome.result


def playground_steps_per_second(
    shape: dict, steps: int, precision: str = "fp32", probes: bool = False, task=None
) -> float:
    """The playground loop's own figure: steps over its loop time."""
    return playground_result(shape, steps, precision, probes, task)["steps_per_second"]


def instrumented_steps_per_second(shape: dict, steps: int, probe_runs: list) -> float:
    """The playground loop with probes on; its looks' time and count go to `probe_runs`."""
    clock = ProbeClock(DEVICE)
    with clock.timing():
        result = playground_result(shape, steps, "fp32", probes=True)
    probe_runs.append(
        {
            "looks": clock.calls,
            "probe_seconds": round(clock.seconds, 4),
            "run_seconds": result["seconds"],
            "share": round(clock.seconds / result["seconds"], 4),
        }
    )
    return result["steps_per_second"]


def probe_share(probe_runs: list, figures: dict) -> dict:
    """The probe's share of the instrumented run's time: timed, and by difference."""
    looks = sum(run["looks"] for run in probe_runs)
    seconds = sum(run["probe_seconds"] for run in probe_runs)
    # 1 - instrumented/playground: all that probes on cost, but noisier (two runs' drift).
    by_difference = ratio(figures["instrumented_fp32"], figures["playground_fp32"])
    return {
        "share": round(statistics.median(r["share"] for r in probe_runs), 4) if looks else None,
        "looks_per_run": round(looks / len(probe_runs), 1) if looks else None,
        "ms_per_look": round(1000 * seconds / looks, 2) if looks else None,
        "share_by_difference": round(1 - by_difference, 3) if by_difference else None,
        "runs": probe_runs,
    }


def autocast_dtypes(shape: dict) -> dict:
    """What bf16 autocast actually runs the bare model's main layer in."""
    model = bare_model(shape).to(DEVICE)
    x = torch.rand(2, shape["length"], 2, device=DEVICE)
    seen = {}
    layer = model.rnn if shape["cell"] != "transformer" else model.blocks[0].ff[0]

    def keep(module, inputs, output):  # returns None: the output is left as it is
        seen["output"] = output[0] if isinstance(output, tuple) else output

    hook = layer.register_forward_hook(keep)
    with torch.no_grad(), autocast_for("bf16"):
        model(x)
    hook.remove()
    return {type(layer).__name__: str(seen["output"].dtype).removeprefix("torch.")}


def configs(probe_runs: list) -> dict:
    """What each configuration measures, and how; instrumented runs log their probe time."""
    return {
        "bare_fp32": lambda shape, steps: bare_steps_per_second(shape, steps, "fp32"),
        "bare_bf16": lambda shape, steps: bare_steps_per_second(shape, steps, "bf16"),
        "playground_fp32": lambda shape, steps: playground_steps_per_second(shape, steps, "fp32"),
        "playground_bf16": lambda shape, steps: playground_steps_per_second(shape, steps, "bf16"),
        "instrumented_fp32": lambda shape, steps: instrumented_steps_per_second(
            shape, steps, probe_runs
        ),
    }


def measure(fn, *args) -> float | str:
    try:
        value = fn(*args)
        return round(value, 2) if isinstance(value, float) else value
    except (RuntimeError, ValueError) as exc:  # an unsupported kernel, out of memory
        torch.cuda.empty_cache()
        return f"error: {str(exc).splitlines()[0][:200]}"


def median(values) -> float | str:
    numbers = [v for v in values if isinstance(v, float | int)]
    if len(numbers) < len(values):
        return next(v for v in values if isinstance(v, str))
    return round(statistics.median(numbers), 2)


def ratio(a, b) -> float | None:
    return round(a / b, 3) if isinstance(a, float | int) and isinstance(b, float | int) else None


def measure_cell(
    shape: dict,
    steps: int,
    repeats: int,
    warmup: int = WARMUP_STEPS,
    cudnn_off_steps: int = CUDNN_OFF_STEPS,
) -> dict:
    probe_runs: list = []
    measured = configs(probe_runs)
    for fn in measured.values():  # warm-up: cuDNN's autotuner, the allocator, lazy inits
        measure(fn, shape, warmup)
    probe_runs.clear()
    runs = {config: [] for config in measured}
    for _ in range(repeats):  # alternate, so drift (clocks, heat) spreads over all
        for config, fn in measured.items():
            runs[config].append(measure(fn, shape, steps))
    figures = {config: median(values) for config, values in runs.items()}
    cell = {
        "shape": shape,
        "steps_per_second": figures,
        "runs": runs,
        "ratio_playground": ratio(figures["playground_fp32"], figures["bare_fp32"]),
        "ratio_instrumented": ratio(figures["instrumented_fp32"], figures["bare_fp32"]),
        "ratio_playground_bf16": ratio(figures["playground_bf16"], figures["bare_bf16"]),
        "speedup_bf16_bare": ratio(figures["bare_bf16"], figures["bare_fp32"]),
        "speedup_bf16_playground": ratio(figures["playground_bf16"], figures["playground_fp32"]),
        "bf16_autocast_dtype": measure(autocast_dtypes, shape),
        "probe": probe_share(probe_runs, figures),
    }
    limit = over_app_limit(shape, steps)
    if limit:
        cell["over_app_limit"] = limit + " (lifted for this benchmark)"
    if shape["cell"] == "lstm":
        measure(bare_steps_per_second, shape, 3, "fp32", False)  # warm-up
        off = [
            measure(bare_steps_per_second, shape, cudnn_off_steps, "fp32", False)
            for _ in range(repeats)
        ]
        cell["bare_fp32_cudnn_off"] = median(off)
        cell["speedup_cudnn"] = ratio(figures["bare_fp32"], cell["bare_fp32_cudnn_off"])
    return cell


def against_reference(cells: dict) -> dict:
    """Each parallel cell's steps/s over the GRU's (cuDNN's) in the same configuration; None
    where either is missing (the GRU skipped, an error)."""
    reference = cells.get(REFERENCE, {}).get("steps_per_second", {})
    return {
        name: {
            config: ratio(value, reference.get(config))
            for config, value in cells[name]["steps_per_second"].items()
        }
        for name in PARALLEL
        if name in cells
    }


def shown(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.relative_to(Path.cwd()))
    return str(path)


def environment(steps: int) -> dict:
    from sequences.train import logging_interval

    cuda = DEVICE == "cuda"
    return {
        "device": torch.cuda.get_device_name() if cuda else "cpu (smoke check, not a GPU)",
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version() if cuda else None,
        "python": platform.python_version(),
        "matmul_allow_tf32": torch.backends.cuda.matmul.allow_tf32,
        "cudnn_allow_tf32": torch.backends.cudnn.allow_tf32,
        "playground_logs_every": logging_interval(steps),
    }


def fmt(value, width: int = 8) -> str:
    if isinstance(value, float | int):
        return f"{value:{width}.1f}"
    return f"{'-':>{width}}" if value is None else f"{'err':>{width}}"


def fmt_ratio(value) -> str:
    return f"{value:.3f}" if value is not None else "  -  "


def fmt_share(value) -> str:
    return f"{value:6.2%}" if value is not None else "   -  "


def table(report: dict) -> str:
    lines = [
        f"GPU training steps/s on {report['environment']['device']} "
        f"(torch {report['environment']['torch']}), {report['steps']} steps, "
        f"median of {report['repeats']}; ratio = against the bare loop of the same precision",
        f"{'cell':12} {'prec':5} {'bare':>8} {'playground':>10} {'ratio':>6} "
        f"{'instrumented':>12} {'ratio':>6}",
    ]
    for name, cell in report["cells"].items():
        s = cell["steps_per_second"]
        lines.append(
            f"{name:12} {'fp32':5} {fmt(s['bare_fp32'])} {fmt(s['playground_fp32'], 10)} "
            f"{fmt_ratio(cell['ratio_playground']):>6} {fmt(s['instrumented_fp32'], 12)} "
            f"{fmt_ratio(cell['ratio_instrumented']):>6}"
        )
        lines.append(
            f"{'':12} {'bf16':5} {fmt(s['bare_bf16'])} {fmt(s['playground_bf16'], 10)} "
            f"{fmt_ratio(cell['ratio_playground_bf16']):>6}"
        )
    lines.append("bf16 speed-up (bf16/fp32): bare, playground; dtype autocast gives the layer")
    for name, cell in report["cells"].items():
        lines.append(
            f"  {name:12} {fmt_ratio(cell['speedup_bf16_bare'])}  "
            f"{fmt_ratio(cell['speedup_bf16_playground'])}  {cell['bf16_autocast_dtype']}"
        )
    lines.append(
        "probe's share of the instrumented run's time: looks timed / loop time "
        "(looks a run, ms a look); 1 - instrumented/playground"
    )
    for name, cell in report["cells"].items():
        probe = cell["probe"]
        lines.append(
            f"  {name:12} {fmt_share(probe['share'])} ({probe['looks_per_run']} looks of "
            f"{probe['ms_per_look']} ms); {fmt_share(probe['share_by_difference'])}"
        )
    for name, cell in report["cells"].items():
        if "bare_fp32_cudnn_off" in cell:
            lines.append(
                f"cuDNN off, bare {name} fp32: {fmt(cell['bare_fp32_cudnn_off']).strip()}/s; "
                f"cuDNN on is {fmt_ratio(cell['speedup_cudnn'])}x that"
            )
    if report.get("against_gru"):
        lines.append(
            "parallel cells over cuDNN's GRU of the same shape and configuration "
            "(steps/s, cell/GRU): bare fp32, bf16; playground fp32, bf16; instrumented"
        )
    for name, ratios in report.get("against_gru", {}).items():
        lines.append(
            f"  {name:12} {fmt_ratio(ratios['bare_fp32'])} {fmt_ratio(ratios['bare_bf16'])}  "
            f"{fmt_ratio(ratios['playground_fp32'])} {fmt_ratio(ratios['playground_bf16'])}  "
            f"{fmt_ratio(ratios['instrumented_fp32'])}"
        )
    for name, cell in report["cells"].items():
        if "over_app_limit" in cell:
            lines.append(f"note, {name}: {cell['over_app_limit']}")
    for name in report["skipped"]:
        lines.append(f"skipped {name}: the run was past its time budget")
    for name, cell in report["cells"].items():
        errors = {k: v for k, v in cell["steps_per_second"].items() if isinstance(v, str)}
        if errors:
            lines.append(f"errors, {name}: {errors}")
    return "\n".join(lines)


def main(argv=None) -> dict | None:
    global DEVICE
    parser = argparse.ArgumentParser(
        prog="python -m bench.gpu_throughput",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--cells", nargs="+", choices=list(SHAPES), help="default all (in this order)"
    )
    parser.add_argument("--steps", type=int, default=None, help=f"default {STEPS}")
    parser.add_argument("--repeats", type=int, default=None, help=f"default {REPEATS}")
    parser.add_argument("--budget", type=float, default=BUDGET_S, help="seconds (optional cells)")
    parser.add_argument("--device", choices=("cuda", "cpu"), default="cuda")
    parser.add_argument("--quick", action="store_true", help="tiny shapes: a smoke check")
    parser.add_argument(
        "--sharing-budget", type=float, default=gpu_sharing.BUDGET_S, help="seconds; 0: skip it"
    )
    args = parser.parse_args(argv)

    results = RESULTS if args.device == "cuda" else RESULTS.with_suffix(".cpu.json")
    if args.device == "cuda" and not torch.cuda.is_available():
        print(NO_CUDA.format(version=torch.__version__, path=shown(results)))
        return None
    DEVICE = args.device
    if DEVICE == "cpu":
        # Tiny models on a CPU shared with other work: one thread, as a worker slot runs them
        # (sequences.threads); two spin in OpenMP barriers and swing a hundredfold.
        torch.set_num_threads(1)
    quick = QUICK if args.quick else {}
    shapes = QUICK_SHAPES if args.quick else SHAPES
    cells = args.cells or list(SHAPES)
    steps = args.steps or quick.get("steps", STEPS)
    repeats = args.repeats or quick.get("repeats", REPEATS)

    started = time.perf_counter()
    report = {
        "benchmark": "GPU training steps per second, playground loop / bare PyTorch loop",
        "environment": environment(steps),
        "steps": steps,
        "repeats": repeats,
        "quick": args.quick,
        "task": "adding",
        "cells": {},
        "skipped": [],
    }
    results.parent.mkdir(exist_ok=True)
    # The required shapes, then the runs sharing the device, then the rest while time lasts.
    required = [name for name in cells if name in REQUIRED]
    optional = [name for name in cells if name not in REQUIRED]
    for name in required + ["sharing"] + optional:
        elapsed = time.perf_counter() - started
        if name == "sharing":
            report["sharing"] = measure_sharing(args, elapsed)
        elif name not in REQUIRED and elapsed > args.budget:
            report["skipped"].append(name)
            continue
        else:
            print(f"measuring {name} ({elapsed:.0f} s in)", flush=True)
            report["cells"][name] = measure_cell(
                shapes[name],
                steps,
                repeats,
                quick.get("warmup", WARMUP_STEPS),
                quick.get("cudnn_off_steps", CUDNN_OFF_STEPS),
            )
            print_cell(name, report["cells"][name])
            report["against_gru"] = against_reference(report["cells"])
        report["seconds"] = round(time.perf_counter() - started, 1)
        results.write_text(json.dumps(report, indent=2))  # kept if a later part is cut off
    report["seconds"] = round(time.perf_counter() - started, 1)
    results.write_text(json.dumps(report, indent=2))
    print()
    print(table(report))
    if report.get("sharing"):
        print(gpu_sharing.table(report["sharing"]))
    print(f"written: {shown(results)} ({report['seconds']} s)")
    return report


def measure_sharing(args, elapsed: float) -> dict | None:
    """Small runs sharing the device (bench.gpu_sharing), in slot processes of their own."""
    if args.sharing_budget <= 0:
        return None
    print(f"measuring small runs sharing the device ({elapsed:.0f} s in)", flush=True)
    if DEVICE == "cuda":
        torch.cuda.empty_cache()  # this process's cached blocks, for the slots' contexts
    return gpu_sharing.measure(
        DEVICE,
        QUICK_SLOTS if args.quick else gpu_sharing.SLOTS,
        QUICK["window"] if args.quick else gpu_sharing.WINDOW_S,
        args.sharing_budget,
    )


def print_cell(name: str, cell: dict) -> None:
    print(
        f"{name}: fp32 bare {fmt(cell['steps_per_second']['bare_fp32']).strip()}/s, "
        f"playground/bare {fmt_ratio(cell['ratio_playground'])}, "
        f"instrumented/bare {fmt_ratio(cell['ratio_instrumented'])}, "
        f"probe's share {fmt_share(cell['probe']['share']).strip()}",
        flush=True,
    )


if __name__ == "__main__":
    main()
    sys.exit(0)
