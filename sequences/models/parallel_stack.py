"""A stack of recurrences that train in parallel (minGRU, minLSTM, the selective SSM),
called as torch's fused recurrent modules are: stack(x, state) -> (outputs, state).

States are shaped as the fused modules shape theirs, so the models, truncated BPTT,
checkpoints and decoders carry them alike: minGRU and minLSTM keep h, (layers, B, H); the
SSM keeps a pair, (h (layers, B, H·N), its convolution's window (layers, B, (K-1)·H)).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from sequences.models.editing import StepEdit
from sequences.models.min_rnn import MinCell, MinGRU, MinLSTM
from sequences.models.selective_ssm import KERNEL, SelectiveSSM

PARALLEL_CELLS: dict[str, type[nn.Module]] = {
    "mingru": MinGRU,
    "minlstm": MinLSTM,
    "ssm": SelectiveSSM,
}

State = torch.Tensor | tuple[torch.Tensor, torch.Tensor]
LayerState = Any  # h (B, H), or the SSM's (h (B, H, N), window (B, K-1, H))


class ParallelStack(nn.Module):
    """Layers of one parallel cell, each reading the one below, dropout between them."""

    bidirectional = False  # they read forwards, as in their papers

    def __init__(self, cell: str, input_size: int, hidden: int, layers: int, dropout: float):
        super().__init__()
        self.cell, self.hidden_size, self.num_layers = cell, hidden, layers
        self.between = nn.Dropout(dropout if layers > 1 else 0.0)
        make = PARALLEL_CELLS[cell]
        for index in range(layers):
            # Named l0, l1, ... as torch names a fused module's layers ("rnn.l0" per layer).
            self.add_module(f"l{index}", make(input_size if index == 0 else hidden, hidden))

    def layer(self, index: int) -> MinCell | SelectiveSSM:
        layer = self.get_submodule(f"l{index}")
        assert isinstance(layer, (MinCell, SelectiveSSM))
        return layer

    def forward(
        self, x: torch.Tensor, state: State | None = None, lengths: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, State]:
        """(B, T, in) -> (the top layer's outputs (B, T, H), the state after each sequence's
        last real step: with `lengths`, padding after it never reaches the state)."""
        ends = (
            lengths.to(x.device) - 1
            if lengths is not None
            else torch.full((x.shape[0],), x.shape[1] - 1, device=x.device)
        )
        finals = []
        for index in range(self.num_layers):
            if index:
                x = self.between(x)
            layer = self.layer(index)
            x, trace = layer(x, self.layer_state(state, index))
            finals.append(layer.end_state(trace, ends))
        return x, self.stacked(finals)

    def unroll(
        self,
        x: torch.Tensor,
        state: State | None = None,
        edit_of: Callable[[int], StepEdit | None] | None = None,
    ) -> list[dict[str, dict[str, Any]]]:
        """The sequential form, layer by layer, as the probes' unroll returns it:
        [{"forward": {name: (B, T, H), "steps": [...], "state": ...}}]. `edit_of(layer)` is
        that layer's step edit, or None."""
        layers = []
        for index in range(self.num_layers):
            edit = edit_of(index) if edit_of is not None else None
            states = self.layer(index).steps(x, self.layer_state(state, index), edit)
            layers.append({"forward": states})
            x = states["hidden"]
        return layers

    def final_state(self, layers: list[dict[str, dict[str, Any]]]) -> State:
        """The state after the last step of an unrolled pass, shaped as forward returns it."""
        return self.stacked([layer["forward"]["state"] for layer in layers])

    def layer_state(self, state: State | None, index: int) -> LayerState | None:
        """One layer's state out of the stack's."""
        if state is None:
            return None
        if self.cell != "ssm":
            return state[index]
        h, window = state
        batch = h.shape[1]
        return h[index].view(batch, self.hidden_size, -1), window[index].view(batch, KERNEL - 1, -1)

    def stacked(self, finals: list[LayerState]) -> State:
        """Each layer's state, stacked as the stack's."""
        if self.cell != "ssm":
            return torch.stack(finals)
        return (
            torch.stack([h.flatten(1) for h, _ in finals]),
            torch.stack([window.flatten(1) for _, window in finals]),
        )
