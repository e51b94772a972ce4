"""Transformer models: an encoder for many-to-one and many-to-many, and an
encoder-decoder with cross-attention for seq2seq."""

from __future__ import annotations

import torch
from torch import nn

from sequences.models.attention import Block, Positions, attention_mask
from sequences.models.inputs import (
    as_decoder_input,
    decoder_start,
    input_layer,
    output_input_layer,
)
from sequences.models.losses import task_loss, valid_mask
from sequences.settings import Recipe
from sequences.task import Signature


class TransformerNet(nn.Module):
    """Self-attention encoder: pools for one answer, or answers at every step (causally,
    when the task forbids looking ahead)."""

    def __init__(self, spec: Recipe, signature: Signature):
        super().__init__()
        m = spec.model
        assert m.ff is not None  # ModelSpec fills it in for a transformer
        self.signature, self.per_step = signature, spec.paradigm == "many-to-many"
        self.inputs = input_layer(signature, m, project_to=m.hidden)
        self.positions = Positions(m.positional, m.hidden, signature.length)
        self.blocks = nn.ModuleList(
            Block(m.hidden, m.heads, m.ff, m.dropout) for _ in range(m.layers)
        )
        self.norm = nn.LayerNorm(m.hidden)
        self.head = nn.Linear(m.hidden, signature.output_size)

    def forward(
        self,
        x: torch.Tensor,
        targets: torch.Tensor | None = None,
        lengths: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        T = x.shape[1]
        valid = valid_mask(lengths, T, x.device)  # (B, T) or None
        causal = T if self.signature.causal else None
        mask = attention_mask(valid, causal, x.device)
        h = self.positions(self.inputs(x))  # (B, T, C)
        for block in self.blocks:
            h = block(h, mask)
        h = self.norm(h)
        if self.per_step:
            output = self.head(h)  # (B, T, O)
        elif valid is None:
            output = self.head(h.mean(dim=1))  # (B, O)
        else:  # mean over real steps only, so padding never changes the answer
            weights = valid.float()[..., None]
            output = self.head((h * weights).sum(dim=1) / weights.sum(dim=1))
        return output, task_loss(self.signature, output, targets)


class TransformerSeq2Seq(nn.Module):
    """Encoder-decoder: the decoder attends causally to what it wrote and, through
    cross-attention, to every real encoder step."""

    def __init__(self, spec: Recipe, signature: Signature):
        super().__init__()
        m = spec.model
        assert m.ff is not None  # ModelSpec fills it in for a transformer
        self.signature = signature
        self.inputs = input_layer(signature, m, project_to=m.hidden)
        self.reads = output_input_layer(signature, m, project_to=m.hidden)
        self.positions = Positions(
            m.positional, m.hidden, max(signature.length, signature.target_length)
        )
        self.encoder = nn.ModuleList(
            Block(m.hidden, m.heads, m.ff, m.dropout) for _ in range(m.layers)
        )
        self.decoder = nn.ModuleList(
            Block(m.hidden, m.heads, m.ff, m.dropout, cross=True) for _ in range(m.layers)
        )
        self.norm = nn.LayerNorm(m.hidden)
        self.head = nn.Linear(m.hidden, signature.output_size)

    def encode(
        self, x: torch.Tensor, lengths: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        valid = valid_mask(lengths, x.shape[1], x.device)
        memory = self.positions(self.inputs(x))
        mask = attention_mask(valid)
        for block in self.encoder:
            memory = block(memory, mask)
        return memory, valid

    def decode(
        self, previous: torch.Tensor, memory: torch.Tensor, valid: torch.Tensor | None
    ) -> torch.Tensor:
        T = previous.shape[1]
        h = self.positions(self.reads(previous))
        causal = attention_mask(None, T, previous.device)
        cross = None if valid is None else valid[:, None, None, :]
        for block in self.decoder:
            h = block(h, causal, memory, cross)
        return self.head(self.norm(h))  # (B, T', O)

    def forward(
        self,
        x: torch.Tensor,
        targets: torch.Tensor | None = None,
        lengths: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        memory, valid = self.encode(x, lengths)
        start = decoder_start(self.signature, x.shape[0], x.device)
        if targets is not None and self.training:  # every step at once, reading the truth
            previous = as_decoder_input(targets[:, :-1], self.signature)
            output = self.decode(torch.cat([start, previous], dim=1), memory, valid)
        else:  # write step by step, reading its own guesses
            steps = targets.shape[1] if targets is not None else self.signature.target_length
            written = start
            for _ in range(steps):
                output = self.decode(written, memory, valid)
                last = output[:, -1:]
                guess = last.argmax(dim=-1) if self.signature.outputs == "tokens" else last
                written = torch.cat([written, guess], dim=1)
        return output, task_loss(self.signature, output, targets)
