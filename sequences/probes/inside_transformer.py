"""Inside a transformer: attention per layer and head (encoder self-attention, decoder
self-attention, cross-attention) and gradient flow through time.

A one-to-many transformer is looked at reading the true previous outputs (teacher
forcing), as training does, so that its positions line up with the target sequence."""

from typing import Any

import torch
from torch import nn

from sequences.models.losses import task_loss
from sequences.models.transformer import TransformerNet, TransformerSeq2Seq
from sequences.models.transformer_one_to_many import TransformerOneToMany
from sequences.probes.attention import capture_attention
from sequences.probes.labels import axis_labels, significant
from sequences.probes.payload import MAX_TIME, VALUE_BUDGET, attention_map, evenly


def look_transformer(
    model: TransformerNet | TransformerSeq2Seq,
    x: torch.Tensor,
    y: torch.Tensor,
    vocab: list[str] | None,
) -> dict[str, Any]:
    maps = capture_attention(model, x, y, None)
    grad_x = input_gradient(model, x, y)
    time_kept = evenly(x.shape[1], min(x.shape[1], MAX_TIME))
    heads = sum(w.shape[1] for w in maps.values())
    side = max(2, min(64, int((VALUE_BUDGET / max(1, heads)) ** 0.5)))
    payload = {
        "cell": "transformer",
        "time": time_kept,
        "attention": {key: attention_map(weights[0], side) for key, weights in maps.items()},
        "grad_by_time": significant(grad_x[0].norm(dim=-1)[time_kept]),
        "inputs": axis_labels(x[0], time_kept, vocab),
    }
    if isinstance(model, TransformerSeq2Seq):
        output_time = evenly(y.shape[1], min(y.shape[1], MAX_TIME))
        payload["output_time"] = output_time
        payload["outputs"] = axis_labels(y[0], output_time, vocab)
    return payload


def input_gradient(
    model: TransformerNet | TransformerSeq2Seq, x: torch.Tensor, y: torch.Tensor
) -> torch.Tensor:
    """dL/dx_t, where x_t is the input layer's output: swapped for a leaf that keeps its grad."""
    captured: dict[str, torch.Tensor] = {}

    def leaf(
        module: nn.Module, args: tuple[torch.Tensor, ...], output: torch.Tensor
    ) -> torch.Tensor:
        captured["x"] = output.detach().requires_grad_(True)
        return captured["x"]

    hook = model.inputs.register_forward_hook(leaf)
    try:
        _, loss = model(x, y)
        return torch.autograd.grad(loss, captured["x"])[0]  # parameters' .grad untouched
    finally:
        hook.remove()


def look_one_to_many(
    model: TransformerOneToMany, x: torch.Tensor, y: torch.Tensor, vocab: list[str] | None
) -> dict[str, Any]:
    """Row and column t of each map are output step t (column 0 reads the one input); the
    gradient reaches the one input and each layer's output at every output step."""
    maps = capture_attention(model, x, y, run=model.teacher_forced)
    loss, grad_x, grad_layers = decoder_gradients(model, x, y)
    output_time = evenly(y.shape[1], min(y.shape[1], MAX_TIME))
    heads = sum(w.shape[1] for w in maps.values())
    side = max(2, min(64, int((VALUE_BUDGET / max(1, heads)) ** 0.5)))
    return {
        "cell": "transformer",
        "time": [0],
        "output_time": output_time,
        "attention": {key: attention_map(weights[0], side) for key, weights in maps.items()},
        "grad_by_time": significant(grad_x[0].norm(dim=-1)),
        "grad_by_time_hidden": {
            f"decoder.l{n}": significant(g[0].norm(dim=-1)[output_time])
            for n, g in enumerate(grad_layers)
        },
        "inputs": axis_labels(x[0], [0], vocab),
        "outputs": axis_labels(y[0], output_time, vocab),
        "loss": round(loss.item(), 6),
    }


def decoder_gradients(
    model: TransformerOneToMany, x: torch.Tensor, y: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor]]:
    """(the teacher-forced loss, dL/dx of the one input (1, 1, C), dL/dh_t of each layer's
    output (1, T', C)): the input layer's output swapped for a leaf, the layers' kept."""
    captured: dict[str, torch.Tensor] = {}
    layers: list[torch.Tensor] = []

    def leaf(
        module: nn.Module, args: tuple[torch.Tensor, ...], output: torch.Tensor
    ) -> torch.Tensor:
        captured["x"] = output.detach().requires_grad_(True)
        return captured["x"]

    def keep(module: nn.Module, args: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        layers.append(output)

    hooks = [model.inputs.register_forward_hook(leaf)]
    hooks += [block.register_forward_hook(keep) for block in model.decoder]
    try:
        loss = task_loss(model.signature, model.teacher_forced(x, y), y)
        grads = torch.autograd.grad(loss, [captured["x"], *layers])  # parameters' .grad untouched
        return loss, grads[0], list(grads[1:])
    finally:
        for hook in hooks:
            hook.remove()
