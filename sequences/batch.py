"""A batch of sequences, padded: what every task hands the models."""

from __future__ import annotations

from dataclasses import dataclass

import torch

PAD = 0  # padding token id in every vocabulary
IGNORE = -100  # target id that the loss skips (padding positions)


@dataclass
class Batch:
    x: torch.Tensor  # (B, T) token ids or (B, T, F) values
    y: torch.Tensor  # (B,) classes, (B, O) values, (B, T') tokens or (B, T', F) values
    lengths: torch.Tensor | None = None  # (B,) true input lengths; None: all full length

    def to(self, device: torch.device | str) -> Batch:
        """Inputs and targets to the device; lengths stay on the CPU, where packing reads them."""
        return Batch(
            self.x.to(device, non_blocking=True), self.y.to(device, non_blocking=True), self.lengths
        )

    def __len__(self) -> int:
        return self.x.shape[0]


def pad_tokens(rows: list[list[int]], fill: int = PAD) -> torch.Tensor:
    """Right-pad lists of token ids into one (B, T) tensor."""
    width = max(len(row) for row in rows)
    return torch.tensor([row + [fill] * (width - len(row)) for row in rows], dtype=torch.long)
