"""GPU training steps per second: the playground's loop against a bare PyTorch loop, on CUDA.

`make bench-gpu` (`python -m bench.gpu_throughput`) on a machine with a CUDA device; it
needs torch and pydantic, not Django or the virtual environment. For each shape:

- bare: the obvious loop (task.sample on the CPU, to the device, forward, MSE, backward,
  clip at norm 1.0, Adam; the loss read back every 100 steps), in fp32 and under bf16
  autocast;
- playground: `sequences.train.train` on the model the spec builds, in fp32 and with
  `training.precision = "bf16"` (its autocast), probes off;
- instrumented: the playground's loop with probes on (fp32, default probe settings);
- for the LSTM, the bare fp32 loop again with cuDNN off (PyTorch's own LSTM kernels).

Every configuration is warmed up first (cuDNN's autotuner, the allocator); then rounds of
REPEATS alternate the configurations and the median is reported, with the ratios
playground/bare and instrumented/bare taken within this one run. The playground sets
`cudnn.benchmark`; the bare loop runs with it too, so both pick the same kernels.

The 4-layer transformer at batch 128 and length 256 is over the app's per-step activation
limit (spec.MAX_ACTIVATION_BYTES): the limit is lifted in this process, for this benchmark
only, and the report says so.

With no CUDA device it prints why and exits without measuring.
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

DEVICE = "cuda"
RESULTS = Path(__file__).parent / "results" / "gpu_throughput.json"
STEPS = 200  # a short run, like the default (300): the playground logs every step
REPEATS = 3
WARMUP_STEPS = 20
CUDNN_OFF_STEPS = 20  # PyTorch's own LSTM kernels are far slower: fewer steps suffice
BUDGET_S = 330  # GRU and RNN are measured only while the run is within this many seconds
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
    "rnn": {"cell": "rnn", "hidden": 512, "layers": 2, "length": 256, "batch": 128},
}
REQUIRED = ("lstm", "transformer")
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


def over_app_limit(shape: dict) -> str | None:
    """Why the app itself would refuse this shape, or None."""
    from sequences.spec import SpecError, parse_spec

    spec = spec_for(shape, STEPS)
    try:
        parse_spec(spec.model_dump())
    except SpecError as exc:
        return exc.message
    return None


class BareRecurrent(nn.Module):
    def __init__(self, shape: dict):
        super().__init__()
        kind = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[shape["cell"]]
        self.rnn = kind(2, shape["hidden"], num_layers=shape["layers"], batch_first=True)
        self.head = nn.Linear(shape["hidden"], 1)

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
        torch.cuda.synchronize()
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
        torch.cuda.synchronize()
        return steps / (time.perf_counter() - started)


def playground_steps_per_second(
    shape: dict, steps: int, precision: str = "fp32", probes: bool = False, task=None
) -> float:
    """`sequences.train.train` as a run calls it; its own figure (steps over loop time)."""
    from sequences.train import train

    torch.cuda.synchronize()
    outcome = train(spec_for(shape, steps, precision), task=task, device=DEVICE, probes=probes)
    if outcome.status != "completed":
        raise RuntimeError(f"training {outcome.status}: {outcome.message}")
    return outcome.result["steps_per_second"]


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


CONFIGS = {  # name: (what it measures, how)
    "bare_fp32": lambda shape, steps: bare_steps_per_second(shape, steps, "fp32"),
    "bare_bf16": lambda shape, steps: bare_steps_per_second(shape, steps, "bf16"),
    "playground_fp32": lambda shape, steps: playground_steps_per_second(shape, steps, "fp32"),
    "playground_bf16": lambda shape, steps: playground_steps_per_second(shape, steps, "bf16"),
    "instrumented_fp32": lambda shape, steps: playground_steps_per_second(
        shape, steps, "fp32", probes=True
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


def measure_cell(name: str, steps: int, repeats: int) -> dict:
    shape = SHAPES[name]
    for fn in CONFIGS.values():  # warm-up: cuDNN's autotuner, the allocator, lazy inits
        measure(fn, shape, WARMUP_STEPS)
    runs = {config: [] for config in CONFIGS}
    for _ in range(repeats):  # alternate, so drift (clocks, heat) spreads over all
        for config, fn in CONFIGS.items():
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
    }
    limit = over_app_limit(shape)
    if limit:
        cell["over_app_limit"] = limit + " (lifted for this benchmark)"
    if shape["cell"] == "lstm":
        measure(bare_steps_per_second, shape, 3, "fp32", False)  # warm-up
        off = [
            measure(bare_steps_per_second, shape, CUDNN_OFF_STEPS, "fp32", False)
            for _ in range(repeats)
        ]
        cell["bare_fp32_cudnn_off"] = median(off)
        cell["speedup_cudnn"] = ratio(figures["bare_fp32"], cell["bare_fp32_cudnn_off"])
    return cell


def shown(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.relative_to(Path.cwd()))
    return str(path)


def environment() -> dict:
    from sequences.train import logging_interval

    return {
        "device": torch.cuda.get_device_name(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version(),
        "python": platform.python_version(),
        "matmul_allow_tf32": torch.backends.cuda.matmul.allow_tf32,
        "cudnn_allow_tf32": torch.backends.cudnn.allow_tf32,
        "playground_logs_every": logging_interval(STEPS),
    }


def fmt(value, width: int = 8) -> str:
    if isinstance(value, float | int):
        return f"{value:{width}.1f}"
    return f"{'-':>{width}}" if value is None else f"{'err':>{width}}"


def fmt_ratio(value) -> str:
    return f"{value:.3f}" if value is not None else "  -  "


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
    for name, cell in report["cells"].items():
        if "bare_fp32_cudnn_off" in cell:
            lines.append(
                f"cuDNN off, bare {name} fp32: {fmt(cell['bare_fp32_cudnn_off']).strip()}/s; "
                f"cuDNN on is {fmt_ratio(cell['speedup_cudnn'])}x that"
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
    parser = argparse.ArgumentParser(prog="python -m bench.gpu_throughput", description=__doc__)
    parser.add_argument("--cells", nargs="+", choices=list(SHAPES), default=list(SHAPES))
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--budget", type=float, default=BUDGET_S, help="seconds (optional cells)")
    args = parser.parse_args(argv)

    if not torch.cuda.is_available():
        print(NO_CUDA.format(version=torch.__version__, path=shown(RESULTS)))
        return None

    started = time.perf_counter()
    report = {
        "benchmark": "GPU training steps per second, playground loop / bare PyTorch loop",
        "environment": environment(),
        "steps": args.steps,
        "repeats": args.repeats,
        "task": "adding",
        "cells": {},
        "skipped": [],
    }
    RESULTS.parent.mkdir(exist_ok=True)
    for name in args.cells:
        elapsed = time.perf_counter() - started
        if name not in REQUIRED and elapsed > args.budget:
            report["skipped"].append(name)
            continue
        print(f"measuring {name} ({elapsed:.0f} s in)", flush=True)
        report["cells"][name] = measure_cell(name, args.steps, args.repeats)
        report["seconds"] = round(time.perf_counter() - started, 1)
        RESULTS.write_text(json.dumps(report, indent=2))  # kept if a later cell is cut off
        cell = report["cells"][name]
        print(
            f"{name}: fp32 bare {fmt(cell['steps_per_second']['bare_fp32']).strip()}/s, "
            f"playground/bare {fmt_ratio(cell['ratio_playground'])}, "
            f"instrumented/bare {fmt_ratio(cell['ratio_instrumented'])}" + " " * 20,
            flush=True,
        )
    report["seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.write_text(json.dumps(report, indent=2))
    print()
    print(table(report))
    print(f"written: {shown(RESULTS)} ({report['seconds']} s)")
    return report


if __name__ == "__main__":
    main()
    sys.exit(0)
