"""One loss per kind of output; padding never counts."""

from __future__ import annotations

from typing import overload

import torch
import torch.nn.functional as F

from sequences.batch import IGNORE
from sequences.task import Signature


@overload
def task_loss(
    signature: Signature, output: torch.Tensor, targets: torch.Tensor
) -> torch.Tensor: ...
@overload
def task_loss(signature: Signature, output: torch.Tensor, targets: None) -> None: ...
def task_loss(
    signature: Signature, output: torch.Tensor, targets: torch.Tensor | None
) -> torch.Tensor | None:
    """The loss of `output` against `targets`; None without targets."""
    if targets is None:
        return None
    if signature.outputs == "classes":
        return F.cross_entropy(output, targets)  # (B, C) vs (B,)
    if signature.outputs == "tokens":
        vocab = output.shape[-1]
        return F.cross_entropy(output.reshape(-1, vocab), targets.reshape(-1), ignore_index=IGNORE)
    return F.mse_loss(output, targets)  # values: (B, O) or (B, T, O)


def valid_mask(
    lengths: torch.Tensor | None, width: int, device: torch.device
) -> torch.Tensor | None:
    """(B, T) True where a position holds a real step, or None when all do."""
    if lengths is None:
        return None
    return torch.arange(width, device=device)[None, :] < lengths.to(device)[:, None]
