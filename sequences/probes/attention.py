"""Attention made visible: softmax(Q K^T / sqrt(d)) materialized for every attention module
of a transformer, from the inputs each module really received in a forward pass."""

import math
from collections.abc import Callable

import torch
from torch import nn
from torch.utils.hooks import RemovableHandle

from sequences.models.attention import Attention


def weights_of(
    attention: Attention,
    x: torch.Tensor,
    memory: torch.Tensor | None = None,
    mask: torch.Tensor | None = None,
) -> torch.Tensor:
    """(B, heads, T, S) attention weights: what SDPA computes inside, made explicit."""
    memory = x if memory is None else memory
    q = attention.split(attention.query(x))  # (B, nh, T, hs)
    k, _ = (attention.split(t) for t in attention.key_value(memory).chunk(2, dim=-1))
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, nh, T, S)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return scores.softmax(dim=-1)


def attend_explicitly(
    attention: Attention,
    x: torch.Tensor,
    memory: torch.Tensor | None = None,
    mask: torch.Tensor | None = None,
) -> torch.Tensor:
    """The module's output recomputed from the explicit weights (for parity with SDPA)."""
    memory = x if memory is None else memory
    _, v = (attention.split(t) for t in attention.key_value(memory).chunk(2, dim=-1))
    y = weights_of(attention, x, memory, mask) @ v  # (B, nh, T, hs)
    B, nh, T, hs = y.shape
    return attention.out(y.transpose(1, 2).reshape(B, T, nh * hs))


def kind_of(name: str) -> str:
    """'blocks.0.attend' -> 'self'; 'decoder.1.attend' -> 'decoder'; '*.cross' -> 'cross'."""
    if name.endswith("cross"):
        return "cross"
    return "decoder" if name.startswith("decoder") else "self"


def capture_attention(
    model: nn.Module, *inputs: torch.Tensor | None, run: Callable[..., object] | None = None
) -> dict[str, torch.Tensor]:
    """Run `model` once (no grad; `run`, one of its methods, instead of its forward where
    given) and return each attention module's weights by name: {"self.l0": (B, nh, T, S),
    "cross.l1": ...}. Hooks are removed however it ends."""
    seen: dict[str, tuple[Attention, torch.Tensor, torch.Tensor | None, torch.Tensor | None]] = {}
    hooks: list[RemovableHandle] = []
    for name, module in model.named_modules():
        if isinstance(module, Attention):
            layer = int(name.split(".")[1])
            key = f"{kind_of(name)}.l{layer}"

            def keep(
                module: Attention,
                args: tuple[torch.Tensor, ...],
                kwargs: dict[str, torch.Tensor | None],
                key: str = key,
            ) -> None:
                # A step written after kept keys and values is one row of a map: the whole
                # map needs a pass over every step at once.
                if kwargs.get("seen") is not None:
                    raise ValueError(f"{key} attends one step at a time here; probe a full pass")
                seen[key] = (module, args[0], kwargs.get("memory"), kwargs.get("mask"))

            hooks.append(module.register_forward_pre_hook(keep, with_kwargs=True))
    try:
        with torch.no_grad():
            (run or model)(*inputs)
            return {
                key: weights_of(m, x, memory, mask) for key, (m, x, memory, mask) in seen.items()
            }
    finally:
        for hook in hooks:
            hook.remove()
