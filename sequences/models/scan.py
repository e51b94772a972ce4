"""The linear recurrence h_t = a_t ⊙ h_{t-1} + b_t, computed for every t at once.

minGRU, minLSTM and the selective state-space layer all reduce to it: their a_t and b_t
depend on x_t alone, never on h_{t-1}, so the whole sequence is one scan.

The scan is a tree over time (Brent and Kung): 2 log2(T) passes of whole-tensor operations
replace T dependent steps, with about as many products in all as the loop. It works for
any sign of a and b, unlike the log-space form, and it keeps fp32 accuracy on long
sequences, where a log-space cumulative sum of log a_t loses relative precision as it
grows. Backward is the same scan run in reverse, so only a, h and h_0 are kept for it.
"""

from __future__ import annotations

from typing import Any

import torch


def scan(a: torch.Tensor, b: torch.Tensor, h0: torch.Tensor | None = None) -> torch.Tensor:
    """h (B, T, ...) with h_t = a_t * h_{t-1} + b_t over dim 1, from h0 (B, ...) or zeros."""
    if h0 is None:
        h0 = a.new_zeros(a.shape[:1] + a.shape[2:])
    return _LinearScan.apply(a, b, h0)


def sequential_scan(
    a: torch.Tensor, b: torch.Tensor, h0: torch.Tensor | None = None
) -> torch.Tensor:
    """The same recurrence one step at a time: the reference the parallel scan must equal."""
    h = a.new_zeros(a.shape[:1] + a.shape[2:]) if h0 is None else h0
    steps = []
    # unbind, not a[:, t]: each indexing would cost a full-size tensor in backward.
    for a_t, b_t in zip(a.unbind(1), b.unbind(1), strict=True):
        h = a_t * h + b_t
        steps.append(h)
    return torch.stack(steps, dim=1)


def _tree_scan(a: torch.Tensor, b: torch.Tensor, h0: torch.Tensor) -> torch.Tensor:
    """The forward pass, without a graph, in place on copies of a and b (Brent and Kung):
    an up-sweep combines neighbours into blocks of 2, 4, 8, ... steps, a down-sweep hands
    each block's full prefix to the block after it. 2 log2(T) passes, about 2T products in
    all, where doubling every position each pass would take T log2(T)."""
    length = a.shape[1]
    size = 1 << max(length - 1, 0).bit_length()  # the next power of two
    # Padding at the end with the identity step (a = 1, b = 0) changes no earlier h_t.
    a = torch.cat([a, a.new_ones(a.shape[:1] + (size - length,) + a.shape[2:])], dim=1)
    b = torch.cat([b, b.new_zeros(b.shape[:1] + (size - length,) + b.shape[2:])], dim=1)
    b[:, 0] += a[:, 0] * h0  # h_0 folded into the first step
    rest = a.shape[2:]

    def blocks(x: torch.Tensor, width: int) -> torch.Tensor:
        return x.view(x.shape[0], size // width, width, *rest)

    def combine(at: tuple, before: tuple, width: int) -> None:
        """Step `at` of each block now also covers step `before`: (a, b) composed."""
        a_blocks, b_blocks = blocks(a, width), blocks(b, width)
        # The right-hand sides are made in full before they are written back.
        b_blocks[at] += a_blocks[at] * b_blocks[before]
        a_blocks[at] *= a_blocks[before]

    span = 1
    while span < size:  # up: the last step of each block of 2·span covers the whole block
        whole = (slice(None), slice(None))
        combine((*whole, 2 * span - 1), (*whole, span - 1), 2 * span)
        span *= 2
    span = size // 4
    while span >= 1:  # down: the middle of each block reads the full prefix before it
        combine(
            (slice(None), slice(1, None), span - 1),
            (slice(None), slice(None, -1), 2 * span - 1),
            2 * span,
        )
        span //= 2
    return b[:, :length]


class _LinearScan(torch.autograd.Function):
    """The scan with its gradient as a reverse scan: with g_t = dL/dh_t + a_{t+1} g_{t+1},
    dL/db_t = g_t, dL/da_t = g_t h_{t-1} and dL/dh_0 = a_1 g_1."""

    @staticmethod
    # Under bf16 autocast the scan still runs in fp32: products of many decays need it.
    @torch.amp.custom_fwd(device_type="cuda", cast_inputs=torch.float32)
    def forward(ctx: Any, a: torch.Tensor, b: torch.Tensor, h0: torch.Tensor) -> torch.Tensor:
        h = _tree_scan(a, b, h0)
        ctx.save_for_backward(a, h, h0)
        return h

    @staticmethod
    @torch.amp.custom_bwd(device_type="cuda")
    def backward(ctx: Any, grad_h: torch.Tensor) -> tuple[torch.Tensor, ...]:
        a, h, h0 = ctx.saved_tensors
        # Reversed in time, g is again a forward scan: its coefficient at t is a_{t+1}.
        following = torch.cat([a[:, 1:], torch.zeros_like(a[:, :1])], dim=1)
        g = _tree_scan(following.flip(1), grad_h.flip(1), torch.zeros_like(h0)).flip(1)
        previous = torch.cat([h0[:, None], h[:, :-1]], dim=1)
        return g * previous, g, a[:, 0] * g[:, 0]
