"""The order-blind baseline: a bag of words, averaged, then a small MLP."""

from __future__ import annotations

import torch
from torch import nn

from sequences.batch import PAD
from sequences.models.inputs import TokenInput
from sequences.models.losses import task_loss
from sequences.settings import Recipe
from sequences.task import Signature


class BagOfWords(nn.Module):
    def __init__(self, spec: Recipe, signature: Signature):
        super().__init__()
        self.signature = signature
        self.words = TokenInput(
            signature.input_size, spec.model.input_encoding, spec.model.embedding
        )
        self.hidden = nn.Linear(self.words.size, spec.model.hidden)
        self.head = nn.Linear(spec.model.hidden, signature.output_size)

    def forward(
        self,
        x: torch.Tensor,
        targets: torch.Tensor | None = None,
        lengths: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        real = (x != PAD).float()[..., None]  # (B, T, 1)
        bag = (self.words(x) * real).sum(dim=1) / real.sum(dim=1).clamp(min=1)  # order is gone
        return self.answer(bag, targets)

    def answer(
        self, bag: torch.Tensor, targets: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(B, E), the averaged words -> (output (B, O), loss)."""
        output = self.head(torch.relu(self.hidden(bag)))
        return output, task_loss(self.signature, output, targets)
