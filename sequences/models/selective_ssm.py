"""A small selective state-space layer in the spirit of Mamba (Gu and Dao 2023).

Every channel c of the layer keeps N numbers of state and decays them at rates set by a
diagonal A (negative, fixed per channel), over a step Δ_t that the input chooses:

    u_t   = SiLU(causal depthwise convolution of W_in x_t, over the last `KERNEL` steps)
    Δ_t   = softplus(W_Δ u_t + b_Δ)                  how far this step moves the state, per channel
    B_t, C_t = W_B u_t, W_C u_t                       what is written and what is read, per step
    h_t   = exp(Δ_t A) ⊙ h_{t-1} + Δ_t B_t u_t        (H, N): decay, then write
    y_t   = (C_t · h_t + D ⊙ u_t) ⊙ SiLU(W_z x_t)     read out, gated
    out_t = W_out y_t

A large Δ_t forgets the past and takes in u_t; a small one keeps the past and ignores u_t:
that choice, made per input, is the selection. The recurrence is linear in h with
coefficients known up front, so training runs it as one parallel scan. Mamba expands the
width twice and fuses the scan into a CUDA kernel; here the inner width is the hidden size
and the scan is plain PyTorch (sequences.models.scan).

A layer's state is (h (B, H, N), the last KERNEL - 1 conv inputs (B, KERNEL - 1, H)).
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from sequences.models.editing import StepEdit
from sequences.models.scan import scan

STATE = 8  # N: numbers of state per channel
KERNEL = 4  # the causal convolution's reach, in steps
SsmState = tuple[torch.Tensor, torch.Tensor]


class SelectiveSSM(nn.Module):
    gates = ("step", "decay")  # Δ_t and exp(Δ_t A) averaged over the N states, recorded

    def __init__(self, input_size: int, hidden: int, state: int = STATE):
        super().__init__()
        self.hidden, self.state = hidden, state
        self.rank = math.ceil(hidden / 16)  # Δ is made through a low-rank bottleneck
        self.into = nn.Linear(input_size, 2 * hidden)  # u before the convolution, and the gate z
        self.conv = nn.Conv1d(hidden, hidden, KERNEL, groups=hidden)  # one filter per channel
        self.select = nn.Linear(hidden, self.rank + 2 * state, bias=False)  # Δ (low rank), B, C
        self.step_size = nn.Linear(self.rank, hidden)
        # A = -(1, 2, ..., N) per channel (S4D-real): a spread of decay rates to choose from.
        rates = torch.arange(1, state + 1, dtype=torch.float32).repeat(hidden, 1)
        self.log_rates = nn.Parameter(rates.log())
        self.skip = nn.Parameter(torch.ones(hidden))  # D
        self.out = nn.Linear(hidden, hidden)
        with torch.no_grad():
            # Δ starts between 0.001 and 0.1, evenly in log: memories from ten to a thousand steps.
            start = torch.exp(torch.empty(hidden).uniform_(math.log(1e-3), math.log(1e-1)))
            self.step_size.bias.copy_(start + torch.log(-torch.expm1(-start)))  # softplus⁻¹

    def convolved(self, u: torch.Tensor, window: torch.Tensor | None) -> tuple[torch.Tensor, ...]:
        """SiLU of the causal convolution of u (B, T, H) after the `window` of earlier inputs
        (B, KERNEL - 1, H; zeros at the start), and the inputs with that window before them."""
        if window is None:
            window = u.new_zeros(u.shape[0], KERNEL - 1, self.hidden)
        padded = torch.cat([window, u], dim=1)  # (B, KERNEL - 1 + T, H)
        mixed = self.conv(padded.transpose(1, 2)).transpose(1, 2)  # (B, T, H)
        return F.silu(mixed), padded

    def coefficients(self, x: torch.Tensor, window: torch.Tensor | None) -> dict[str, torch.Tensor]:
        """Everything the recurrence needs for every step, from x alone."""
        u, z = self.into(x).chunk(2, dim=-1)
        u, padded = self.convolved(u, window)
        low, written, read = self.select(u).split([self.rank, self.state, self.state], dim=-1)
        step_pre = self.step_size(low)
        step = F.softplus(step_pre)  # Δ (B, T, H)
        decay, drive = self.decay_and_drive(step, u, written)
        return {
            "u": u, "z": z, "step_pre": step_pre, "step": step, "decay": decay, "drive": drive,
            "written": written, "read": read, "padded": padded,
        }  # fmt: skip

    def decay_and_drive(
        self, step: torch.Tensor, u: torch.Tensor, written: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """exp(Δ A) and Δ B u, (..., H, N), from Δ and u (..., H) and B (..., N)."""
        decay = torch.exp(step[..., None] * -self.log_rates.exp())
        drive = (step * u)[..., None] * written[..., None, :]
        return decay, drive

    def read_out(self, h: torch.Tensor, parts: dict[str, torch.Tensor]) -> torch.Tensor:
        """out_t from the states h_t (B, T, H, N), or one step's (B, H, N), and their parts."""
        y = (h * parts["read"][..., None, :]).sum(-1) + self.skip * parts["u"]
        return self.out(y * F.silu(parts["z"]))

    def forward(
        self, x: torch.Tensor, start: SsmState | None = None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """(B, T, in) -> out (B, T, H) by the parallel scan, and what `end_state` needs:
        every h_t and the convolution's inputs after the starting window."""
        h0, window = start if start is not None else (None, None)
        parts = self.coefficients(x, window)
        h = scan(parts["decay"], parts["drive"], h0)  # (B, T, H, N)
        return self.read_out(h, parts), (h, parts["padded"])

    @staticmethod
    def end_state(trace: tuple[torch.Tensor, torch.Tensor], ends: torch.Tensor) -> SsmState:
        """The state after step ends[b] (B,) of each sequence: its h and its last inputs."""
        h, padded = trace
        rows = torch.arange(h.shape[0], device=h.device)
        # padded[t + KERNEL - 1] is step t's input: the window after step e is e+1 .. e+KERNEL-1.
        reach = ends[:, None] + 1 + torch.arange(KERNEL - 1, device=h.device)
        return h[rows, ends], padded[rows[:, None], reach]

    def steps(
        self, x: torch.Tensor, start: SsmState | None = None, edit: StepEdit | None = None
    ) -> dict[str, Any]:
        """The sequential form: Δ_t, the mean decay exp(Δ_t A) over the N states and out_t
        recorded (B, T, H); "steps" are the states h_t (B, H, N) the recurrence used, and
        "state" the layer's state after the last step."""
        h, window = start if start is not None else (None, None)
        parts = self.coefficients(x, window)
        batch, length, _ = x.shape
        if h is None:
            h = x.new_zeros(batch, self.hidden, self.state)
        record: dict[str, list[torch.Tensor]] = {"step": [], "decay": [], "hidden": []}
        states = []
        # unbind, not [:, t]: each indexing would cost a full-size tensor in backward.
        by_step = {name: value.unbind(1) for name, value in parts.items() if name != "padded"}
        for t in range(length):
            now = {name: value[t] for name, value in by_step.items()}
            if edit is not None:  # a step held by an intervention decays and writes as chosen
                now["step"] = edit(t, "step", now["step"])
                now["decay"], now["drive"] = self.decay_and_drive(
                    now["step"], now["u"], now["written"]
                )
            h = now["decay"] * h + now["drive"]
            out = self.read_out(h, now)
            if edit is not None:
                out = edit(t, "hidden", out)
            states.append(h)
            record["step"].append(now["step"])
            record["decay"].append(now["decay"].mean(-1))
            record["hidden"].append(out)
        result: dict[str, Any] = {name: torch.stack(v, dim=1) for name, v in record.items()}
        result["steps"] = states
        result["state"] = (h, parts["padded"][:, -(KERNEL - 1) :])
        return result
