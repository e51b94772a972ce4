"""The order-blind baseline: a bag of words, averaged, then a small MLP."""

import torch
from torch import nn

from sequences.batch import PAD
from sequences.models.inputs import TokenInput
from sequences.models.losses import task_loss


class BagOfWords(nn.Module):
    def __init__(self, spec, signature):
        super().__init__()
        self.signature = signature
        self.words = TokenInput(
            signature.input_size, spec.model.input_encoding, spec.model.embedding
        )
        self.hidden = nn.Linear(self.words.size, spec.model.hidden)
        self.head = nn.Linear(spec.model.hidden, signature.output_size)

    def forward(self, x, targets=None, lengths=None):
        real = (x != PAD).float()[..., None]  # (B, T, 1)
        bag = (self.words(x) * real).sum(dim=1) / real.sum(dim=1).clamp(min=1)  # order is gone
        return self.answer(bag, targets)

    def answer(self, bag, targets=None):
        """(B, E), the averaged words -> (output (B, O), loss)."""
        output = self.head(torch.relu(self.hidden(bag)))
        return output, task_loss(self.signature, output, targets)
