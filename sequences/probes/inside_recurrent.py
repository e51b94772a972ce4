"""Inside a recurrent reader (one-to-one, many-to-one, many-to-many): gates and states per
layer and direction, gradient flow back through time, and the size of each W_hh."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import torch

from sequences.models.losses import task_loss
from sequences.models.parallel_stack import ParallelStack
from sequences.models.recurrent import RecurrentNet, Stack
from sequences.probes.labels import axis_labels, norms_by_step, significant
from sequences.probes.payload import bounded
from sequences.probes.recurrent import Edits, Layer, cell_name, spectral_norms, unroll


def state_steps(layers: list[Layer]) -> list[torch.Tensor]:
    """Every h_t the recurrence used, layer by layer and direction by direction."""
    return [h for layer in layers for d in layer for h in layer[d]["steps"]]


def collect(
    layers: list[Layer], grads: Iterable[torch.Tensor | None], prefix: str = ""
) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    """From an unrolled stack and the gradients of its `state_steps` (in that order): each
    recorded (T, H) array by name, and ‖dL/dh_t‖ over t per layer and direction."""
    remaining = iter(grads)
    arrays: dict[str, torch.Tensor] = {}
    flow: dict[str, torch.Tensor] = {}
    for index, layer in enumerate(layers):
        for direction, states in layer.items():
            key = f"{prefix}l{index}" + (".reverse" if direction == "backward" else "")
            flow[key] = norms_by_step([next(remaining) for _ in states["steps"]])
            for name, values in states.items():
                if name not in ("steps", "state"):  # the arrays, not the recurrence's own
                    arrays[f"{key}.{name}"] = values[0].detach()
    return arrays, flow


def named_norms(rnn: Stack, prefix: str = "") -> dict[str, float]:
    return {prefix + k: round(v, 4) for k, v in spectral_norms(rnn).items()}


def unrolled_output(model: RecurrentNet, layers: list[Layer]) -> torch.Tensor:
    """The model's answer computed from the unrolled states (equal to its fused forward)."""
    top = layers[-1]
    if model.per_step:
        return model.head(torch.cat([top[d]["hidden"] for d in top], dim=-1))  # (1, T, O)
    final = [top["forward"]["hidden"][:, -1]]
    if "backward" in top:
        final.append(top["backward"]["hidden"][:, 0])  # the backward pass ends at step 0
    return model.head(torch.cat(final, dim=-1))  # (1, O)


@dataclass
class Inside:
    """One unrolled pass of a recurrent reader and its gradients, before they are made small."""

    layers: list[Layer]  # every layer's states, as unroll returns them
    output: torch.Tensor  # the model's answer, (1, O) or (1, T, O)
    loss: torch.Tensor
    arrays: dict[str, torch.Tensor]  # each recorded (T, H) array by name
    flow: dict[str, torch.Tensor]  # ‖dL/dh_t‖ over t per layer and direction
    grad_x: torch.Tensor  # (T,) ‖dL/dx_t‖


def inside_recurrent(
    model: RecurrentNet, x: torch.Tensor, y: torch.Tensor, edits: Edits | None = None
) -> Inside:
    embedded = model.inputs(x).detach().requires_grad_(True)  # (1, T, E): x_t as the cell sees it
    layers = unroll(model.rnn, embedded, edits=edits)
    output = unrolled_output(model, layers)
    loss = task_loss(model.signature, output, y)
    # dL/dh_t through every later step: the gradient of the h_t the recurrence used.
    # torch.autograd.grad leaves every parameter's .grad alone: training never sees the probe.
    steps = state_steps(layers)
    grads = torch.autograd.grad(loss, [embedded, *steps], allow_unused=True)
    arrays, flow = collect(layers, grads[1:])
    grad_x = grads[0][0].norm(dim=-1) if grads[0] is not None else torch.zeros(x.shape[1])
    return Inside(layers, output.detach(), loss.detach(), arrays, flow, grad_x)


def recurrent_payload(
    model: RecurrentNet,
    x: torch.Tensor,
    inside: Inside,
    vocab: list[str] | None,
    norms: dict[str, float] | None = None,
) -> dict[str, Any]:
    """A probe event's data from one pass: heatmaps within the event's budget. `norms`: the
    spectral norms of W_hh when the caller has them (they depend on the weights alone)."""
    heatmaps, time_kept = bounded(inside.arrays, x.shape[1])
    return {
        "cell": cell_name(model.rnn),
        "time": time_kept,
        "heatmaps": heatmaps,
        "grad_by_time": significant(inside.grad_x[time_kept]),
        "grad_by_time_hidden": {k: significant(g[time_kept]) for k, g in inside.flow.items()},
        "spectral_norms": named_norms(model.rnn) if norms is None else norms,
        "inputs": axis_labels(x[0], time_kept, vocab),
        "loss": round(inside.loss.item(), 6),
    }


def agreement(parallel: torch.Tensor, sequential: torch.Tensor) -> dict[str, float]:
    """How far the parallel scan a model trains with lies from the sequential form the probe
    unrolled, on the same answer: the largest difference, and it over the largest answer."""
    largest = (parallel - sequential).abs().max().item()
    scale = sequential.abs().max().item()
    return {"largest_difference": largest, "relative": largest / scale if scale else largest}


def scan_agreement(model: RecurrentNet, x: torch.Tensor, inside: Inside) -> dict[str, float]:
    """The agreement on a reader's answer to the probe sequence."""
    with torch.no_grad():
        parallel = model(x)[0]
    return agreement(parallel, inside.output)


def look_recurrent(
    model: RecurrentNet, x: torch.Tensor, y: torch.Tensor, vocab: list[str] | None
) -> dict[str, Any]:
    inside = inside_recurrent(model, x, y)
    payload = recurrent_payload(model, x, inside, vocab)
    if isinstance(model.rnn, ParallelStack):
        payload["scan_agreement"] = scan_agreement(model, x, inside)
    return payload
