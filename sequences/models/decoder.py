"""A recurrent decoder: writes a sequence step by step from an initial state.

Each step reads the previous output: the true one (teacher forcing) or its own guess.
With full teacher forcing in training every input is known up front, so the fused
module runs all steps at once; otherwise it runs one step at a time.
"""

from __future__ import annotations

import torch
from torch import nn

from sequences.models.inputs import as_decoder_input, decoder_start, output_input_layer
from sequences.models.recurrent import State, recurrent_layer
from sequences.settings import Recipe
from sequences.task import Signature


class LuongAttention(nn.Module):
    """Global attention (Luong et al. 2015): each decoder state scores every encoder state,
    and the softmax-weighted sum of encoder states joins the decoder state."""

    def __init__(self, hidden: int, memory_size: int):
        super().__init__()
        self.score = nn.Linear(hidden, memory_size, bias=False)  # "general" score: h W m
        self.combine = nn.Linear(hidden + memory_size, hidden)

    def weights(
        self, out: torch.Tensor, memory: torch.Tensor, memory_mask: torch.Tensor | None
    ) -> torch.Tensor:
        """(B, T', S): how much each decoder step looks at each encoder step."""
        scores = self.score(out) @ memory.transpose(1, 2)  # (B, T', S)
        if memory_mask is not None:
            scores = scores.masked_fill(~memory_mask[:, None, :], float("-inf"))
        return scores.softmax(dim=-1)  # each row sums to 1 over real encoder steps

    def forward(
        self, out: torch.Tensor, memory: torch.Tensor, memory_mask: torch.Tensor | None
    ) -> torch.Tensor:
        context = self.weights(out, memory, memory_mask) @ memory  # (B, T', M)
        return torch.tanh(self.combine(torch.cat([context, out], dim=-1)))  # (B, T', H)


class Decoder(nn.Module):
    def __init__(self, spec: Recipe, signature: Signature, memory_size: int | None = None):
        super().__init__()
        self.signature = signature
        self.teacher_forcing = spec.training.teacher_forcing
        self.reads = output_input_layer(signature, spec.model)
        self.rnn = recurrent_layer(spec.model, self.reads.size, bidirectional=False)
        self.attention = LuongAttention(spec.model.hidden, memory_size) if memory_size else None
        self.head = nn.Linear(spec.model.hidden, signature.output_size)

    def project(
        self, out: torch.Tensor, memory: torch.Tensor | None, memory_mask: torch.Tensor | None
    ) -> torch.Tensor:
        if self.attention is not None:
            out = self.attention(out, memory, memory_mask)
        return self.head(out)  # (B, T', O)

    def teacher_inputs(self, targets: torch.Tensor) -> torch.Tensor:
        """Every step's input when each reads the true previous output: the start, then the
        targets shifted right by one."""
        start = decoder_start(self.signature, targets.shape[0], targets.device)
        return torch.cat([start, as_decoder_input(targets[:, :-1], self.signature)], dim=1)

    def own_guess(self, output: torch.Tensor) -> torch.Tensor:
        return output.argmax(dim=-1) if self.signature.outputs == "tokens" else output

    def forward(
        self,
        state: State,
        batch_size: int,
        steps: int,
        targets: torch.Tensor | None = None,
        memory: torch.Tensor | None = None,
        memory_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        truth = targets if self.training else None  # only training reads the truth
        if truth is not None and self.teacher_forcing >= 1.0:
            out, _ = self.rnn(self.reads(self.teacher_inputs(truth)), state)  # all at once
            return self.project(out, memory, memory_mask)
        device = (memory if memory is not None else self.head.weight).device
        outputs, previous = [], decoder_start(self.signature, batch_size, device)
        for t in range(steps):
            out, state = self.rnn(self.reads(previous), state)  # (B, 1, H)
            output = self.project(out, memory, memory_mask)  # (B, 1, O)
            outputs.append(output)
            previous = self.own_guess(output).detach()
            if (
                truth is not None and torch.rand(()) < self.teacher_forcing
            ):  # this step reads the truth
                previous = as_decoder_input(truth[:, t : t + 1], self.signature)
        return torch.cat(outputs, dim=1)  # (B, T', O)
