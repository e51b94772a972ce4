"""A training run's whole state at a step, so that another process can carry on from it.

The loop captures a `TrainingState` now and then and hands it to a `Checkpoints` keeper
(the app stores it where every worker can read it); `train(resume=state)` then goes on
from the step after it, with the same losses as if it had never stopped. The state is
everything a step reads: the weights, the optimizer's moments, the schedule, every random
generator (torch's own on the CPU and the GPU, and the data's), the data stream's position
and truncated BPTT's carried state, and the loop's own counters (the loss being averaged,
the best validation loss, the pacing of probes and samples)."""

import io
import math
import time
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import torch

from sequences.pacing import Pacer


@dataclass
class TrainingState:
    step: int  # the last step done: training goes on from step + 1
    model: dict[str, torch.Tensor]
    optimizer: dict[str, Any]
    schedule: dict[str, Any]
    rng: dict[str, Any]  # "torch", "cuda" (a list, one per GPU, or None) and "data"
    carried: Any  # truncated BPTT's state (a tensor, an LSTM's pair) or None
    loop: dict[str, Any]  # the loop's counters (see train.py)

    def to_bytes(self) -> bytes:
        """The state as torch.save writes it, every tensor on the CPU."""
        buffer = io.BytesIO()
        torch.save(on_cpu(asdict(self)), buffer)
        return buffer.getvalue()

    @property
    def best_val_loss(self) -> float | None:
        """The best validation loss up to this step (None before the first validation)."""
        best = self.loop["best_val"]
        return best if math.isfinite(best) else None

    @classmethod
    def from_bytes(cls, data: bytes) -> "TrainingState":
        # weights_only: a stored checkpoint is data, never code to run.
        return cls(**torch.load(io.BytesIO(data), map_location="cpu", weights_only=True))


def weights_bytes(weights: dict[str, torch.Tensor]) -> bytes:
    """A model's state dict alone, as torch.save writes it (what a kept checkpoint holds)."""
    buffer = io.BytesIO()
    torch.save(on_cpu(weights), buffer)
    return buffer.getvalue()


class Checkpoints(Protocol):
    """Where the loop leaves its state: `due` is asked once a step (it must be cheap);
    `save` takes a state captured for it alone, and should store it off the hot path."""

    def due(self) -> bool: ...

    def save(self, state: TrainingState) -> None: ...


class NoCheckpoints:
    """For runs nobody will resume, so the loop never asks whether anyone keeps them."""

    def due(self) -> bool:
        return False

    def save(self, state: TrainingState) -> None:
        pass


def copied(value: Any) -> Any:
    """A copy of nested dicts, lists and tuples whose tensors are cloned where they are (on
    the GPU: no wait for the device), so training can go on changing the originals."""
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, dict):
        return {k: copied(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(copied(v) for v in value)
    return value


def moved(value: Any, device: str) -> Any:
    """The same nesting with every tensor on `device` (a copy from a GPU waits for it)."""
    if isinstance(value, torch.Tensor):
        return value.to(device)
    if isinstance(value, dict):
        return {k: moved(v, device) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(moved(v, device) for v in value)
    return value


def on_cpu(value: Any) -> Any:
    return moved(value, "cpu")


def random_state(device: str, data: torch.Generator) -> dict[str, Any]:
    """Every generator a step draws from: torch's (dropout, teacher forcing), the GPU's, and
    the data's. The tasks' other generators are seeded once when they are made."""
    cuda = torch.cuda.get_rng_state_all() if device.startswith("cuda") else None
    return {"torch": torch.get_rng_state(), "cuda": cuda, "data": data.get_state()}


def restore_random_state(rng: dict[str, Any], data: torch.Generator) -> None:
    torch.set_rng_state(rng["torch"])
    # A run resumed on another kind of worker (a GPU run on a CPU) starts the GPU's fresh.
    if rng["cuda"] is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(rng["cuda"][: torch.cuda.device_count()])
    data.set_state(rng["data"])


def pacer_state(pacer: Pacer) -> dict[str, float]:
    """A pacer's cost and how long ago it last ran (its clock is this process's own)."""
    return {"cost": pacer.cost, "age": time.monotonic() - pacer.last}


def restore_pacer(pacer: Pacer, state: dict[str, float]) -> None:
    pacer.cost = state["cost"]
    pacer.last = time.monotonic() - state["age"]
