"""One step's arithmetic for the selective SSM: for a channel c at step t, the input it
reads u (after the causal convolution), its step Δ, and for each of its N state numbers
the decay exp(Δ·A_n), what is written Δ·B_n·u, the state before and after, and what is
read C_n·h_n; then the read-out y, the SiLU gate and the layer's output.

The numbers are those of the sequential form the probe unrolls (an intervention's held Δ
included), so h_n equals the state the probe kept, and the output its map's value. The
output mixes every channel's gated y through W_out, so it alone cannot be recombined
from one channel's numbers; everything before it can."""

from typing import Any

import torch
import torch.nn.functional as F

from sequences.models.editing import StepEdit
from sequences.models.selective_ssm import SelectiveSSM

EQUATIONS = [
    "Δ = softplus(W_Δ·u + b_Δ)  (the step this input chooses)",
    "decay_n = exp(Δ·A_n), A_n < 0  (for each of the N state numbers)",
    "h_n = decay_n·h_prev_n + Δ·B_n·u",
    "y = Σ_n C_n·h_n + D·u",
    "gated = y·SiLU(z)",
    "out = W_out·gated + b  (mixes every channel: the value the map shows)",
]


def explain_ssm(
    layer: SelectiveSSM,
    inputs: torch.Tensor,
    h_prev: torch.Tensor,
    t: int,
    units: list[int],
    edit: StepEdit | None,
) -> list[dict[str, Any]]:
    """Each asked channel's numbers at step t of a layer that read `inputs` (1, T, in) from a
    zero start; h_prev (H, N) is the state after step t − 1."""
    parts = {name: value[0, t] for name, value in layer.coefficients(inputs, None).items()}
    u, z, written, read = parts["u"], parts["z"], parts["written"], parts["read"]
    step_pre, step, decay, drive = parts["step_pre"], parts["step"], parts["decay"], parts["drive"]
    if edit is not None:
        step = edit(t, "step", step[None])[0]
        decay, drive = layer.decay_and_drive(step, u, written)
    rates = -layer.log_rates.exp()  # A (H, N)
    h = decay * h_prev + drive
    reads = h * read[None, :]
    y = reads.sum(-1) + layer.skip * u
    gate = F.silu(z)
    out = layer.out(y * gate)
    if edit is not None:
        out = edit(t, "hidden", out[None])[0]
    return [
        {
            "unit": c,
            "u": float(u[c]),
            "step_pre": float(step_pre[c]),
            "step": float(step[c]),
            "states": [
                {
                    "n": n,
                    "A": float(rates[c, n]),
                    "decay": float(decay[c, n]),
                    "B": float(written[n]),
                    "written": float(drive[c, n]),
                    "h_prev": float(h_prev[c, n]),
                    "h": float(h[c, n]),
                    "C": float(read[n]),
                    "read": float(reads[c, n]),
                }
                for n in range(layer.state)
            ],
            "D": float(layer.skip[c]),
            "y": float(y[c]),
            "z": float(z[c]),
            "silu_z": float(gate[c]),
            "gated": float(y[c] * gate[c]),
            "out": float(out[c]),
        }
        for c in units
    ]
