"""Recurrent models on torch's fused modules: one-to-one, many-to-one, many-to-many."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from sequences.models.inputs import input_layer
from sequences.models.losses import task_loss
from sequences.models.parallel_stack import PARALLEL_CELLS, ParallelStack
from sequences.settings import ModelSpec, Recipe
from sequences.task import Signature

State = torch.Tensor | tuple[torch.Tensor, torch.Tensor]  # h, or the LSTM's (h, c)


Stack = nn.RNNBase | ParallelStack  # called alike: stack(x, state) -> (outputs, state)


def recurrent_layer(model: ModelSpec, input_size: int, bidirectional: bool | None = None) -> Stack:
    """The stack a spec describes: a fused h_t = f(W_ih x_t + W_hh h_{t-1} + b) per classic
    cell, or a stack of recurrences that train in parallel."""
    if model.cell in PARALLEL_CELLS:
        dropout = model.dropout if model.layers > 1 else 0.0
        return ParallelStack(model.cell, input_size, model.hidden, model.layers, dropout)
    options = dict(
        num_layers=model.layers,
        batch_first=True,
        dropout=model.dropout if model.layers > 1 else 0.0,  # between layers only
        bidirectional=model.bidirectional if bidirectional is None else bidirectional,
    )
    if model.cell == "rnn":
        return nn.RNN(input_size, model.hidden, nonlinearity=model.activation, **options)
    if model.cell == "lstm":
        return nn.LSTM(input_size, model.hidden, **options)
    if model.cell == "gru":
        return nn.GRU(input_size, model.hidden, **options)
    raise ValueError(f"not a recurrent cell: {model.cell!r}")


def run_packed(
    rnn: Stack, x: torch.Tensor, lengths: torch.Tensor | None, state: State | None = None
) -> tuple[torch.Tensor, State]:
    """Run `rnn` over padded x; with lengths, padding is packed away so it never counts
    (a parallel stack reads it, causally after the real steps, and ends its state before)."""
    if isinstance(rnn, ParallelStack):
        return rnn(x, state, lengths)
    if lengths is None:
        return rnn(x, state)
    packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
    out, state = rnn(packed, state)
    out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
    return out, state


def last_real_outputs(out: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
    """(B, H): each sequence's output at its last real step."""
    if lengths is None:
        return out[:, -1]
    return out[torch.arange(out.shape[0], device=out.device), lengths.to(out.device) - 1]


def top_layer_final(state: State, directions: int) -> torch.Tensor:
    """(B, directions * H): the last layer's final hidden state (at each sequence's true end)."""
    h = state[0] if isinstance(state, tuple) else state  # LSTM state is (h, c)
    top = h[-directions:]  # (directions, B, H)
    return top.transpose(0, 1).reshape(top.shape[1], -1)


class RecurrentNet(nn.Module):
    """Reads a sequence with a fused recurrent stack; answers at the end or at every step."""

    def __init__(self, spec: Recipe, signature: Signature):
        super().__init__()
        self.signature = signature
        self.per_step = spec.paradigm == "many-to-many"
        self.directions = 2 if spec.model.bidirectional else 1
        self.inputs = input_layer(signature, spec.model)
        self.rnn = recurrent_layer(spec.model, self.inputs.size)
        self.head = nn.Linear(self.directions * spec.model.hidden, signature.output_size)

    def forward(
        self,
        x: torch.Tensor,
        targets: torch.Tensor | None = None,
        lengths: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        output, loss, _ = self.forward_with_state(x, targets, lengths)
        return output, loss

    def forward_with_state(
        self,
        x: torch.Tensor,
        targets: torch.Tensor | None = None,
        lengths: torch.Tensor | None = None,
        state: State | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None, State]:
        """forward, from `state` (None: zeros), also returning the final state, which
        truncated BPTT and generation carry into the next call."""
        h = self.inputs(x)  # (B, T, E)
        out, state = run_packed(self.rnn, h, lengths, state)  # out: (B, T, D*H)
        if self.per_step:
            output = self.head(out)  # (B, T, O): an answer at every step
        elif isinstance(self.rnn, ParallelStack):  # an SSM's state is not its output
            output = self.head(last_real_outputs(out, lengths))  # (B, O)
        else:
            output = self.head(top_layer_final(state, self.directions))  # (B, O)
        return output, task_loss(self.signature, output, targets), state
