"""Size of a model before it is built: exact parameters, rough activation memory."""

from typing import Any

import torch

from sequences.datasets import CATALOG, DatasetInfo
from sequences.models import build_model
from sequences.models.selective_ssm import STATE
from sequences.settings import Recipe
from sequences.task import Signature
from sequences.tasks import cached_task


def exact_parameters(spec: Recipe, signature: Signature) -> int:
    """Build the model on the meta device (shapes, no memory) and count."""
    with torch.device("meta"):
        model = build_model(spec, signature)
    return sum(p.numel() for p in model.parameters())


def model_size(spec: Recipe, catalog: dict[str, DatasetInfo] | None = None) -> dict[str, Any]:
    """Parameters and activation memory of a validated spec's model, for the build page."""
    info = (catalog or CATALOG)[spec.dataset]
    paradigm = info.paradigm_for(spec.paradigm)
    task = cached_task(info, spec.dataset_options, paradigm, spec.training.val_split)
    return {
        "parameters": exact_parameters(spec, task.signature),
        "activation_bytes": estimate_activation_bytes(spec, task.signature),
        "signature": {"inputs": task.signature.inputs, "outputs": task.signature.outputs},
    }


def step_cost(parameters: int, batch_size: int, length: int) -> int:
    """The work of one training step, in parameters × sequences × steps of each: what
    decides how many threads it gains from (sequences.threads)."""
    return parameters * batch_size * length


def run_cost(spec: Recipe, catalog: dict[str, DatasetInfo] | None = None) -> int:
    """The work of a whole run: its step's cost × its steps. Where a run trains, on a CPU or
    a GPU worker, follows from it (playground/runs/routing.py)."""
    info = (catalog or CATALOG)[spec.dataset]
    paradigm = info.paradigm_for(spec.paradigm)
    task = cached_task(info, spec.dataset_options, paradigm, spec.training.val_split)
    parameters = exact_parameters(spec, task.signature)
    step = step_cost(parameters, spec.training.batch_size, task.signature.length)
    return step * spec.training.steps


# Saved tensors per unit. The parallel cells keep their gates and every h_t; the SSM keeps
# per unit its N states' decay, drive and h_t, and the parts that make them.
GATES = {
    "rnn": 1, "lstm": 4, "gru": 3, "mingru": 4, "minlstm": 7, "ssm": 3 * STATE + 8,
    "transformer": 8, "bow": 1,
}  # fmt: skip


def estimate_activation_bytes(spec: Recipe, signature: Signature) -> int:
    """Rough float32 bytes kept for backward in one step."""
    m, batch = spec.model, spec.training.batch_size
    reads, writes = signature.length, signature.target_length
    if m.cell == "transformer" and spec.paradigm == "one-to-many":
        reads = 0  # the one input is the first of the decoder's own positions
    steps = reads + (writes if spec.paradigm in ("seq2seq", "one-to-many") else 0)
    per_step = (GATES[m.cell] + 2) * m.hidden * m.layers * (2 if m.bidirectional else 1)
    total = per_step * batch * steps
    if m.cell == "transformer":  # attention weights: heads x T x T per layer
        total += m.heads * batch * m.layers * (reads**2 + writes**2)
    return 4 * total
