"""One step's arithmetic for minGRU and minLSTM, in the shape probes.explain answers for the
classic cells: per unit, each gate's input term W·x_t and bias, its pre-activation, the
gates, h_{t-1} and h_t. There is no recurrent term: these gates read x_t alone."""

import torch

from sequences.models.editing import StepEdit
from sequences.models.min_rnn import MinCell

EQUATIONS = {
    "mingru": [
        "z = σ(W_z·x + b_z)",
        "h~ = W_h·x + b_h  (the candidate: linear, no squashing)",
        "h = (1 − z) ⊙ h_prev + z ⊙ h~",
    ],
    "minlstm": [
        "f = σ(W_f·x + b_f), i = σ(W_i·x + b_i)",
        "f' = f / (f + i), i' = i / (f + i)",
        "h~ = W_h·x + b_h  (the candidate: linear, no squashing)",
        "h = f' ⊙ h_prev + i' ⊙ h~",
    ],
}
# The gates' columns in the table of terms, in the projection's order.
GATES = {"mingru": ["z", "h~"], "minlstm": ["f", "i", "h~"]}


def explain_min(
    cell: str,
    layer: MinCell,
    x_t: torch.Tensor,
    h_prev: torch.Tensor,
    t: int,
    edit: StepEdit | None,
) -> tuple[list[str], dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    """(the gates' names, their per-gate terms, the unit's own values) at step t."""

    def edited(name: str, value: torch.Tensor) -> torch.Tensor:
        return edit(t, name, value[None])[0] if edit is not None else value

    x_term, bias = layer.project.weight @ x_t, layer.project.bias
    pre = x_term + bias
    per_gate = {"x_term": x_term, "bias": bias, "pre": pre}
    if cell == "mingru":
        pre_z, candidate = pre.chunk(2)
        z = edited("update", torch.sigmoid(pre_z))
        candidate = edited("candidate", candidate)
        h = edited("hidden", (1 - z) * h_prev + z * candidate)
        return GATES[cell], per_gate, {"z": z, "h~": candidate, "h_prev": h_prev, "h": h}
    pre_f, pre_i, candidate = pre.chunk(3)
    f, i = torch.sigmoid(pre_f), torch.sigmoid(pre_i)
    forget = edited("forget", f / (f + i))
    input_ = edited("input", i / (f + i))
    candidate = edited("candidate", candidate)
    h = edited("hidden", forget * h_prev + input_ * candidate)
    own = {"f": f, "i": i, "f'": forget, "i'": input_, "h~": candidate, "h_prev": h_prev, "h": h}
    return GATES[cell], per_gate, own
