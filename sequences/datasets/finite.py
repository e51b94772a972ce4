"""Tasks over a fixed set of examples, split once into training and validation parts."""

import torch

from sequences.batch import Batch


class FiniteTask:
    """Holds padded examples; samples training batches; keeps the rest for validation."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, lengths: torch.Tensor, val_split: float):
        n_val = max(1, int(round(len(x) * val_split)))
        self.lengths = lengths[n_val:]  # (N,) every training example's true length
        self.train = Batch(x[n_val:], y[n_val:], self.lengths)
        self.validation = trimmed(x[:n_val], y[:n_val], lengths[:n_val])

    def sample(self, n: int, generator: torch.Generator) -> Batch:
        rows = torch.randint(0, len(self.train), (n,), generator=generator)
        return trimmed(self.train.x[rows], self.train.y[rows], self.lengths[rows])


def trimmed(x: torch.Tensor, y: torch.Tensor, lengths: torch.Tensor) -> Batch:
    """The examples as a batch, without the padding columns that none of them uses."""
    width = int(lengths.max())
    return Batch(x[:, :width], y, lengths)
