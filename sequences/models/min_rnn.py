"""minGRU and minLSTM (Feng et al. 2024, "Were RNNs all we needed?").

Each is a GRU or an LSTM with h_{t-1} taken out of its gates: the gates and the candidate
read x_t alone, so h_t = a_t ⊙ h_{t-1} + b_t with a and b known for every step up front,
and training runs the recurrence as one parallel scan (sequences.models.scan). The
sequential form below is the same arithmetic one step at a time; probes use it, and
parity tests prove the two agree.

A layer's state is h, (B, H).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from sequences.models.editing import StepEdit
from sequences.models.scan import scan


class MinCell(nn.Module):
    """What minGRU and minLSTM share: one projection of x_t into every gate and the
    candidate, the parallel scan, and the sequential form."""

    gates: tuple[str, ...] = ()  # recorded by the probes, in this order

    def __init__(self, input_size: int, hidden: int):
        super().__init__()
        self.hidden = hidden
        self.project = nn.Linear(input_size, len(self.gates) * hidden)

    def coefficients(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    @staticmethod
    def blend(gates: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        """(a, b) of h_t = a ⊙ h_{t-1} + b."""
        raise NotImplementedError

    def forward(
        self, x: torch.Tensor, h0: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, T, in) -> every h_t (B, T, H) by the parallel scan, twice: as the layer's
        output, and as what `end_state` reads the state from."""
        h = scan(*self.blend(self.coefficients(x)), h0)
        return h, h

    @staticmethod
    def end_state(h: torch.Tensor, ends: torch.Tensor) -> torch.Tensor:
        """h after step ends[b] (B,) of each sequence."""
        return h[torch.arange(h.shape[0], device=h.device), ends]

    def steps(
        self, x: torch.Tensor, h0: torch.Tensor | None = None, edit: StepEdit | None = None
    ) -> dict[str, Any]:
        """The sequential form: each gate and h_t recorded (B, T, H); "steps", the very h_t
        tensors the recurrence used, so that dL/dh_t reaches back through later steps; and
        "state", h after the last step."""
        return sequential(self, x, h0, edit)


class MinGRU(MinCell):
    """h_t = (1 - z_t) ⊙ h_{t-1} + z_t ⊙ h̃_t, with z_t = σ(W_z x_t) and h̃_t = W_h x_t."""

    gates = ("update", "candidate")

    def coefficients(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        update, candidate = self.project(x).chunk(2, dim=-1)
        return {"update": torch.sigmoid(update), "candidate": candidate}

    @staticmethod
    def blend(gates: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        z = gates["update"]
        return 1 - z, z * gates["candidate"]


class MinLSTM(MinCell):
    """h_t = f'_t ⊙ h_{t-1} + i'_t ⊙ h̃_t: the forget and input gates σ(W x_t), normalised
    to sum to one (f' = f / (f + i)), so h_t stays on the scale of the candidates."""

    gates = ("forget", "input", "candidate")

    def coefficients(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        forget, input_, candidate = self.project(x).chunk(3, dim=-1)
        f, i = torch.sigmoid(forget), torch.sigmoid(input_)
        total = f + i
        return {"forget": f / total, "input": i / total, "candidate": candidate}

    @staticmethod
    def blend(gates: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        return gates["forget"], gates["input"] * gates["candidate"]


def sequential(
    layer: MinCell, x: torch.Tensor, h0: torch.Tensor | None, edit: StepEdit | None
) -> dict[str, Any]:
    """A min cell one step at a time, each gate editable as it is made (an intervention)."""
    batch, length, _ = x.shape
    h = x.new_zeros(batch, layer.hidden) if h0 is None else h0
    # (B, T, H) each, as T steps: they read x_t alone. unbind, not [:, t]: each indexing
    # would cost a full-size tensor in backward.
    by_step = {name: values.unbind(1) for name, values in layer.coefficients(x).items()}
    record: dict[str, list[torch.Tensor]] = {name: [] for name in (*layer.gates, "hidden")}
    for t in range(length):
        gates = {name: values[t] for name, values in by_step.items()}
        if edit is not None:
            gates = {name: edit(t, name, value) for name, value in gates.items()}
        a, b = layer.blend(gates)
        h = a * h + b
        if edit is not None:
            h = edit(t, "hidden", h)
        for name, value in (*gates.items(), ("hidden", h)):
            record[name].append(value)
    states: dict[str, Any] = {name: torch.stack(values, dim=1) for name, values in record.items()}
    states["steps"] = record["hidden"]
    states["state"] = h
    return states
