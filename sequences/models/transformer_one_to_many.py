"""A decoder-only transformer for one-to-many: the one input, embedded, is the first
position, in the place a start token takes in a decoder; the model writes the sequence
after it, each step attending causally to the input and to the outputs before it.

Position t answers output step t and reads what step t reads: the one input at t = 0,
the previous output after that. Training reads the true previous outputs, every step at
once; evaluation and generation read the model's own guesses, one step at a time, keeping
each layer's keys and values so that a step computes only its own position."""

from __future__ import annotations

import torch
from torch import nn

from sequences.models.attention import Block, KeysValues, Positions, attention_mask
from sequences.models.inputs import as_decoder_input, input_layer, output_input_layer
from sequences.models.losses import task_loss
from sequences.settings import Recipe
from sequences.task import Signature


class TransformerOneToMany(nn.Module):
    """One input, then a sequence written after it with causal self-attention."""

    def __init__(self, spec: Recipe, signature: Signature):
        super().__init__()
        m = spec.model
        assert m.ff is not None  # ModelSpec fills it in for a transformer
        self.signature = signature
        self.inputs = input_layer(signature, m, project_to=m.hidden)
        self.reads = output_input_layer(signature, m, project_to=m.hidden)
        self.positions = Positions(m.positional, m.hidden, signature.target_length)
        # Named as TransformerSeq2Seq's decoder: the probe calls its maps decoder.l0, ...
        self.decoder = nn.ModuleList(
            Block(m.hidden, m.heads, m.ff, m.dropout) for _ in range(m.layers)
        )
        self.norm = nn.LayerNorm(m.hidden)
        self.head = nn.Linear(m.hidden, signature.output_size)

    def teacher_forced(self, x: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """(B, T', O), every step at once, each reading the true previous output."""
        steps = targets.shape[1]
        previous = self.reads(as_decoder_input(targets[:, : steps - 1], self.signature))
        h = torch.cat([self.inputs(x[:, :1]), previous], dim=1)  # (B, T', C)
        h = self.positions(h)
        mask = attention_mask(None, steps, h.device)  # causal: no step sees a later one
        for block in self.decoder:
            h = block(h, mask)
        return self.head(self.norm(h))  # (B, T', O)

    def written(self, x: torch.Tensor, steps: int) -> torch.Tensor:
        """(B, steps, O), one step at a time, each reading the model's own previous guess."""
        seen = [KeysValues() for _ in self.decoder]
        h = self.inputs(x[:, :1])  # (B, 1, C): what step 0 reads
        outputs = []
        for t in range(steps):
            h = self.positions(h, start=t)
            for block, kept in zip(self.decoder, seen, strict=True):
                h = block(h, seen=kept)
            output = self.head(self.norm(h))  # (B, 1, O)
            outputs.append(output)
            guess = output.argmax(dim=-1) if self.signature.outputs == "tokens" else output
            h = self.reads(guess)  # (B, 1, C): what step t + 1 reads
        return torch.cat(outputs, dim=1)

    def forward(
        self,
        x: torch.Tensor,
        targets: torch.Tensor | None = None,
        lengths: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        if targets is not None and self.training:
            output = self.teacher_forced(x, targets)
        else:
            steps = targets.shape[1] if targets is not None else self.signature.target_length
            output = self.written(x, steps)
        return output, task_loss(self.signature, output, targets)
