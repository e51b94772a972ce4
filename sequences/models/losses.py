"""One loss per kind of output; padding never counts."""

import torch
import torch.nn.functional as F

from sequences.batch import IGNORE


def task_loss(signature, output, targets):
    if targets is None:
        return None
    if signature.outputs == "classes":
        return F.cross_entropy(output, targets)  # (B, C) vs (B,)
    if signature.outputs == "tokens":
        vocab = output.shape[-1]
        return F.cross_entropy(output.reshape(-1, vocab), targets.reshape(-1), ignore_index=IGNORE)
    return F.mse_loss(output, targets)  # values: (B, O) or (B, T, O)


def valid_mask(lengths, width: int, device):
    """(B, T) True where a position holds a real step, or None when all do."""
    if lengths is None:
        return None
    return torch.arange(width, device=device)[None, :] < lengths.to(device)[:, None]
