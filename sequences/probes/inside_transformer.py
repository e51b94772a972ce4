"""Inside a transformer: attention per layer and head (encoder self-attention, decoder
self-attention, cross-attention) and gradient flow through time."""

from typing import Any

import torch
from torch import nn

from sequences.models.transformer import TransformerNet, TransformerSeq2Seq
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
