"""The training loop: one flat loop over steps, logging only at its interval."""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import torch

from sequences.datasets import CATALOG
from sequences.models import build_model
from sequences.reporting import NullReporter, Reporter, never

MAX_LOGGED_POINTS = 500  # keeps the stored metrics of a run bounded however long it trains
MAX_VALIDATIONS = 25  # validation passes per run; each costs about two training steps


@dataclass
class Outcome:
    status: Literal["completed", "cancelled", "diverged"]
    result: dict = field(default_factory=dict)
    message: str = ""


def make_task(spec):
    """The data a spec trains on, generated from its seed."""
    return CATALOG[spec.dataset].make(spec.dataset_options, spec.training.seed)


def default_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def logging_interval(steps: int) -> int:
    return max(1, math.ceil(steps / MAX_LOGGED_POINTS))


def validation_interval(steps: int, log_every: int) -> int:
    """A multiple of the logging interval, so validation lands on logged steps."""
    logs = math.ceil(steps / log_every)
    return log_every * max(1, math.ceil(logs / MAX_VALIDATIONS))


def gradient_norms(model: torch.nn.Module) -> tuple[float, dict[str, float]]:
    """The total gradient norm and one per layer ("rnn.l0", "head"), with a single sync."""
    groups: dict[str, list[torch.Tensor]] = {}
    for name, parameter in model.named_parameters():
        if parameter.grad is not None:
            groups.setdefault(layer_of(name), []).append(parameter.grad.detach().norm())
    names = list(groups)
    norms = torch.stack([torch.linalg.vector_norm(torch.stack(groups[n])) for n in names])
    total = torch.linalg.vector_norm(norms)
    values = torch.cat([total[None], norms]).tolist()  # CPU-GPU sync point
    return values[0], dict(zip(names, values[1:], strict=True))


def layer_of(parameter_name: str) -> str:
    """'rnn.weight_hh_l1' -> 'rnn.l1'; 'head.bias' -> 'head'."""
    module, _, leaf = parameter_name.rpartition(".")
    suffix = leaf.rsplit("_", 1)[-1]
    return f"{module}.{suffix}" if suffix.startswith("l") and suffix[1:].isdigit() else module


@torch.no_grad()
def evaluate(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    _, loss = model(x, y)
    model.train()
    return loss.item()  # CPU-GPU sync point


def train(
    spec,
    task=None,
    reporter: Reporter = NullReporter(),
    should_stop: Callable[[], bool] = never,
    device: str | None = None,
) -> Outcome:
    """Train the model a spec describes; report at the logging interval; stop when asked."""
    device = device or default_device()
    task = task if task is not None else make_task(spec)
    steps, batch_size, lr = spec.training.steps, spec.training.batch_size, spec.training.lr

    torch.manual_seed(spec.training.seed)
    model = build_model(spec.model, task).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(spec.training.seed)
    val_x, val_y = (t.to(device) for t in task.validation)
    log_every = logging_interval(steps)
    val_every = validation_interval(steps, log_every)
    parameters = sum(p.numel() for p in model.parameters())

    loss_sum = torch.zeros((), device=device)  # summed on the device: no sync between logs
    summed = 0
    last: dict = {}
    best_val = math.inf
    started = time.perf_counter()

    def result(done_steps: int) -> dict:
        seconds = time.perf_counter() - started
        return {
            "steps": done_steps,
            "final_loss": last.get("loss"),
            "final_val_loss": last.get("val_loss"),
            "best_val_loss": best_val if math.isfinite(best_val) else None,
            "parameters": parameters,
            "seconds": round(seconds, 3),
            "steps_per_second": round(done_steps / seconds, 2) if seconds > 0 else None,
            "device": device,
        }

    for step in range(1, steps + 1):
        # 1. a fresh batch
        x, y = task.sample(batch_size, generator)
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)

        # 2. forward and backward
        _, loss = model(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        loss_sum += loss.detach()
        summed += 1

        # 3. log, at the interval only: the one place the CPU waits for the GPU
        if step % log_every == 0 or step == steps:
            mean_loss = (loss_sum / summed).item()  # CPU-GPU sync point
            loss_sum.zero_()
            summed = 0
            grad_norm, grad_norms = gradient_norms(model)
            if not (math.isfinite(mean_loss) and math.isfinite(grad_norm)):
                message = (
                    f"Training diverged at step {step}: the loss is {mean_loss} and the "
                    f"gradient norm {grad_norm}. Try a smaller learning rate."
                )
                return Outcome("diverged", result(step), message)
            last = {"step": step, "loss": mean_loss, "grad_norm": grad_norm}
            last.update(grad_norms=grad_norms, lr=lr)
            if step % val_every == 0 or step == steps:
                last["val_loss"] = evaluate(model, val_x, val_y)
                best_val = min(best_val, last["val_loss"])
            reporter.metrics(dict(last))

        # 4. update, unless someone asked us to stop
        optimizer.step()
        if should_stop():
            return Outcome("cancelled", result(step), f"Cancelled at step {step}.")

    return Outcome("completed", result(steps))
