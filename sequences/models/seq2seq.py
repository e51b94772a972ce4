"""Recurrent encoder-decoder models: seq2seq and one-to-many."""

import torch
from torch import nn

from sequences.models.decoder import Decoder
from sequences.models.inputs import input_layer
from sequences.models.losses import task_loss, valid_mask
from sequences.models.recurrent import recurrent_layer, run_packed


class RecurrentSeq2Seq(nn.Module):
    """Encode the whole input; a decoder writes the output from the encoder's final state,
    attending over every encoder state when `model.attention` is on."""

    def __init__(self, spec, signature):
        super().__init__()
        self.signature = signature
        self.directions = 2 if spec.model.bidirectional else 1
        self.inputs = input_layer(signature, spec.model)
        self.encoder = recurrent_layer(spec.model, self.inputs.size)
        memory_size = self.directions * spec.model.hidden
        self.decoder = Decoder(spec, signature, memory_size if spec.model.attention else None)

    def bridge(self, state):
        """The encoder's final state, as the decoder's initial one (directions summed)."""
        if isinstance(state, tuple):
            return tuple(self.bridge(s) for s in state)
        if self.directions == 1:
            return state
        layers2, batch, hidden = state.shape
        return state.view(layers2 // 2, 2, batch, hidden).sum(dim=1)  # (layers, B, H)

    def forward(self, x, targets=None, lengths=None):
        memory, state = run_packed(self.encoder, self.inputs(x), lengths)  # (B, S, D*H)
        steps = targets.shape[1] if targets is not None else self.signature.target_length
        mask = valid_mask(lengths, x.shape[1], x.device)
        output = self.decoder(self.bridge(state), x.shape[0], steps, targets, memory, mask)
        return output, task_loss(self.signature, output, targets)


class RecurrentOneToMany(nn.Module):
    """One input sets the decoder's initial state; the decoder writes the sequence."""

    def __init__(self, spec, signature):
        super().__init__()
        self.signature = signature
        self.layers, self.hidden = spec.model.layers, spec.model.hidden
        self.lstm = spec.model.cell == "lstm"
        self.inputs = input_layer(signature, spec.model)
        self.init = nn.Linear(self.inputs.size, self.layers * self.hidden)
        self.decoder = Decoder(spec, signature)

    def initial_state(self, seed: torch.Tensor):
        """(B, E), the one input as a vector -> the decoder's initial state, every layer."""
        batch = seed.shape[0]
        h0 = torch.tanh(self.init(seed)).view(batch, self.layers, self.hidden).transpose(0, 1)
        return (h0.contiguous(), torch.zeros_like(h0)) if self.lstm else h0.contiguous()

    def forward(self, x, targets=None, lengths=None):
        state = self.initial_state(self.inputs(x)[:, 0])
        steps = targets.shape[1] if targets is not None else self.signature.target_length
        output = self.decoder(state, x.shape[0], steps, targets)
        return output, task_loss(self.signature, output, targets)
