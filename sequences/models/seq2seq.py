"""Recurrent encoder-decoder models: seq2seq and one-to-many."""

from __future__ import annotations

import torch
from torch import nn

from sequences.models.decoder import Decoder
from sequences.models.inputs import input_layer
from sequences.models.losses import task_loss, valid_mask
from sequences.models.parallel_stack import ParallelStack
from sequences.models.recurrent import State, recurrent_layer, run_packed
from sequences.models.selective_ssm import KERNEL, STATE
from sequences.settings import Recipe
from sequences.task import Signature


class RecurrentSeq2Seq(nn.Module):
    """Encode the whole input; a decoder writes the output from the encoder's final state,
    attending over every encoder state when `model.attention` is on."""

    def __init__(self, spec: Recipe, signature: Signature):
        super().__init__()
        self.signature = signature
        self.directions = 2 if spec.model.bidirectional else 1
        self.inputs = input_layer(signature, spec.model)
        self.encoder = recurrent_layer(spec.model, self.inputs.size)
        memory_size = self.directions * spec.model.hidden
        self.decoder = Decoder(spec, signature, memory_size if spec.model.attention else None)

    def bridge(self, state: State) -> State:
        """The encoder's final state, as the decoder's initial one (directions summed)."""
        if isinstance(self.encoder, ParallelStack) and isinstance(state, tuple):
            # The SSM's h carries over; its convolution starts afresh on the decoder's inputs.
            return (state[0], torch.zeros_like(state[1]))
        if isinstance(state, tuple):  # the LSTM's (h, c)
            return (self.directions_summed(state[0]), self.directions_summed(state[1]))
        return self.directions_summed(state)

    def directions_summed(self, h: torch.Tensor) -> torch.Tensor:
        if self.directions == 1:
            return h
        layers2, batch, hidden = h.shape
        return h.view(layers2 // 2, 2, batch, hidden).sum(dim=1)  # (layers, B, H)

    def forward(
        self,
        x: torch.Tensor,
        targets: torch.Tensor | None = None,
        lengths: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        memory, state = run_packed(self.encoder, self.inputs(x), lengths)  # (B, S, D*H)
        steps = targets.shape[1] if targets is not None else self.signature.target_length
        mask = valid_mask(lengths, x.shape[1], x.device)
        output = self.decoder(self.bridge(state), x.shape[0], steps, targets, memory, mask)
        return output, task_loss(self.signature, output, targets)


class RecurrentOneToMany(nn.Module):
    """One input sets the decoder's initial state; the decoder writes the sequence."""

    def __init__(self, spec: Recipe, signature: Signature):
        super().__init__()
        self.signature = signature
        self.layers, self.hidden = spec.model.layers, spec.model.hidden
        self.cell = spec.model.cell
        # The SSM's state is N numbers per unit; every other cell's, one.
        self.width = self.hidden * (STATE if self.cell == "ssm" else 1)
        self.inputs = input_layer(signature, spec.model)
        self.init = nn.Linear(self.inputs.size, self.layers * self.width)
        self.decoder = Decoder(spec, signature)

    def initial_state(self, seed: torch.Tensor) -> State:
        """(B, E), the one input as a vector -> the decoder's initial state, every layer."""
        batch = seed.shape[0]
        h0 = torch.tanh(self.init(seed)).view(batch, self.layers, self.width).transpose(0, 1)
        h0 = h0.contiguous()
        if self.cell == "lstm":  # the cell state starts empty
            return (h0, torch.zeros_like(h0))
        if self.cell == "ssm":  # the convolution has read nothing yet
            return (h0, h0.new_zeros(self.layers, batch, (KERNEL - 1) * self.hidden))
        return h0

    def forward(
        self,
        x: torch.Tensor,
        targets: torch.Tensor | None = None,
        lengths: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        state = self.initial_state(self.inputs(x)[:, 0])
        steps = targets.shape[1] if targets is not None else self.signature.target_length
        output = self.decoder(state, x.shape[0], steps, targets)
        return output, task_loss(self.signature, output, targets)
