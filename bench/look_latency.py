"""How long one look at a trained model takes (POST /api/runs/{id}/look, without the
HTTP): `sequences.probes.what_if.what_if` on a warm model, with and without interventions.

Two models: a typical one (LSTM, 64 units, the adding problem 50 steps long) and the
largest recurrent one the limits allow (an LSTM of 1,024 units, about 4.2M parameters
of the 5M limit, reading the longest adding sequence, 1,000 steps). Each look is timed
REPEATS times after a first, warming one; the median is reported. The target is 300 ms
for a typical model with the model warm. The typical model is timed with torch's default
intra-op threads (what the web process uses) and with one thread: on a busy machine one
thread is much faster for a small model (sequences/threads.py).

`python -m bench.look_latency` prints the figures and writes bench/results/look_latency.json.
"""

import json
import statistics
import time

import torch

from bench import results
from sequences.models import build_model
from sequences.probes.asking import LookRequest
from sequences.probes.what_if import what_if
from sequences.spec import parse_spec
from sequences.tasks import make_task

# name: (model, sequence length, repeats, intra-op threads (None: torch's default))
MODELS = {
    "typical: lstm 64, adding 50": ({"cell": "lstm", "hidden": 64}, 50, 15, None),
    "typical, one thread": ({"cell": "lstm", "hidden": 64}, 50, 15, 1),
    "largest: lstm 1024, adding 1000": ({"cell": "lstm", "hidden": 1024}, 1000, 1, None),
}


def looks(length: int) -> dict[str, dict]:
    """The requests timed: the probe sequence, and the same with interventions (a clamped
    forget gate on 8 units, a silenced unit from mid-sequence on) and one step's arithmetic."""
    later = list(range(length // 2, length))
    return {
        "plain": {},
        "interventions": {
            "interventions": [
                {"kind": "clamp", "layer": 0, "gate": "f", "value": 1.0, "units": list(range(8))},
                {"kind": "unit", "layer": 0, "unit": 3, "value": 0.0, "steps": later},
            ]
        },
        "interventions and explain": {
            "interventions": [{"kind": "unit", "layer": 0, "unit": 3, "value": 0.0}],
            "explain": {"t": length // 2, "layer": 0, "units": [0, 1, 2, 3]},
        },
    }


def median_seconds(task, model, body: dict, repeats: int) -> float:
    asked = LookRequest.model_validate(body)
    what_if(task, model, asked)  # warm: the first call pays for allocations
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        what_if(task, model, asked)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> dict:
    default_threads = torch.get_num_threads()
    report: dict = {"default_threads": default_threads, "models": {}}
    for name, (model_spec, length, repeats, threads) in MODELS.items():
        torch.set_num_threads(threads or default_threads)
        spec = parse_spec(
            {
                "dataset": "adding",
                "dataset_options": {"length": length},
                "model": model_spec,
                "training": {"steps": 1, "batch_size": 8},
            }
        )
        task = make_task(spec)
        model = build_model(spec, task.signature).eval()
        parameters = sum(p.numel() for p in model.parameters())
        figures = {
            "parameters": parameters,
            "steps": length,
            "repeats": repeats,
            "threads": torch.get_num_threads(),
        }
        for label, body in looks(length).items():
            figures[f"{label}_ms"] = round(1000 * median_seconds(task, model, body, repeats), 1)
        report["models"][name] = figures
        print(name, json.dumps(figures), flush=True)
    results.save("look_latency", report)
    return report


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
