"""Training speed on a busy machine: steps/s of a small run (GRU 16) and a medium run
(LSTM 2×128), quiet and with one CPU-bound process beside them, for the playground's
instrumented loop (probes on, as a worker runs it) and a bare PyTorch loop, in one run.

"threads follow the model" is what a worker slot does now (sequences.threads, passive
OpenMP waits); "2 spinning threads" is what every slot did before. Each measurement runs
in a fresh process, since OpenMP reads its wait policy once, when torch loads.
"""

import json
import os
import subprocess
import sys
import time

RUNS = {
    "gru16": {"cell": "gru", "hidden": 16, "layers": 1, "length": 50, "batch": 32, "steps": 300},
    "lstm2x128": {
        "cell": "lstm",
        "hidden": 128,
        "layers": 2,
        "length": 100,
        "batch": 64,
        "steps": 40,
    },
}
POLICIES = {
    "threads follow the model": {"OMP_WAIT_POLICY": "PASSIVE"},
    "2 spinning threads": {"OMP_WAIT_POLICY": "ACTIVE"},
}


def spec_of(run: dict):
    from sequences.spec import parse_spec  # noqa: PLC0415

    return parse_spec(
        {
            "dataset": "adding",
            "dataset_options": {"length": run["length"]},
            "model": {"cell": run["cell"], "hidden": run["hidden"], "layers": run["layers"]},
            "training": {"steps": run["steps"], "batch_size": run["batch"], "seed": 0},
        }
    )


def measure(name: str, loop: str, policy: str) -> float:
    """In this (fresh) process: steps/s of one loop."""
    import torch  # noqa: PLC0415

    from sequences.tasks import make_task  # noqa: PLC0415
    from sequences.threads import use_threads_for  # noqa: PLC0415
    from sequences.train import train  # noqa: PLC0415

    run = RUNS[name]
    spec = spec_of(run)
    task = make_task(spec)
    if policy == "threads follow the model":
        use_threads_for(spec, task.signature, available=os.cpu_count() or 1)
    else:
        torch.set_num_threads(2)
    if loop == "playground":
        started = time.perf_counter()
        train(spec, task, probes=True)
        return run["steps"] / (time.perf_counter() - started)
    from bench.training_throughput import SHAPE, BareRecurrent  # noqa: PLC0415

    SHAPE.update(hidden=run["hidden"], layers=run["layers"])
    model = BareRecurrent(run["cell"])
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    generator = torch.Generator().manual_seed(0)
    started = time.perf_counter()
    for _ in range(run["steps"]):
        batch = task.sample(run["batch"], generator)
        loss = torch.nn.functional.mse_loss(model(batch.x), batch.y)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    return run["steps"] / (time.perf_counter() - started)


def in_fresh_process(name: str, loop: str, policy: str) -> float:
    env = {**os.environ, **POLICIES[policy]}
    out = subprocess.run(
        [sys.executable, "-m", "bench.busy_machine", name, loop, policy],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> dict:
    report: dict = {}
    for busy in (False, True):
        # One CPU-bound neighbour: the share of the machine left is about half.
        neighbour = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
        try:
            for name in RUNS:
                for policy in POLICIES:
                    for loop in ("bare", "playground"):
                        rate = in_fresh_process(name, loop, policy)
                        where = "busy" if busy else "quiet"
                        report.setdefault(name, {}).setdefault(policy, {})[f"{loop} {where}"] = rate
                        print(f"{name:10} {policy:25} {loop:10} {where:5} {rate:8.1f} steps/s")
        finally:
            if neighbour:
                neighbour.kill()
    for policies in report.values():
        for rates in policies.values():
            rates["playground/bare quiet"] = rates["playground quiet"] / rates["bare quiet"]
            rates["busy/quiet playground"] = rates["playground busy"] / rates["playground quiet"]
            rates["playground/bare busy"] = rates["playground busy"] / rates["bare busy"]
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    if len(sys.argv) == 4:
        print(measure(*sys.argv[1:]))
    else:
        main()
