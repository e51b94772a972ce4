"""Tasks over a fixed set of examples, split once into training and validation parts."""

import torch

from sequences.batch import Batch


class FiniteTask:
    """Holds padded examples; samples training batches; keeps the rest for validation."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, lengths: torch.Tensor, val_split: float):
        n_val = max(1, int(round(len(x) * val_split)))
        self.train = Batch(x[n_val:], y[n_val:], lengths[n_val:])
        self.validation = trimmed(Batch(x[:n_val], y[:n_val], lengths[:n_val]))

    def sample(self, n: int, generator: torch.Generator) -> Batch:
        rows = torch.randint(0, len(self.train), (n,), generator=generator)
        t = self.train
        return trimmed(Batch(t.x[rows], t.y[rows], t.lengths[rows]))


def trimmed(batch: Batch) -> Batch:
    """Drop the padding columns that no sequence in the batch uses."""
    width = int(batch.lengths.max())
    return Batch(batch.x[:, :width], batch.y, batch.lengths)
