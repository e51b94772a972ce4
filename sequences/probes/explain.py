"""One step's arithmetic with the run's real numbers: at step t of one layer, for a few
units, the input term W·x_t, the recurrent term U·h_{t-1}, the biases, the pre-activation,
each gate, and the new state, so that a person can recombine them by hand.

The numbers come from the same unrolled pass the probe shows (interventions included), so
they agree with its heatmaps; tests check them against the fused torch module."""

from typing import Any

import torch
from torch import nn

from sequences.models.min_rnn import MinCell
from sequences.models.parallel_stack import ParallelStack
from sequences.models.recurrent import Stack
from sequences.probes import explain_min, explain_ssm
from sequences.probes.asking import Explain, LookError
from sequences.probes.recurrent import Edits, Layer, cell_name, weights

EQUATIONS = {
    "lstm": [
        "pre = x_term + h_term + bias  (per gate: i, f, g, o)",
        "i = σ(pre_i), f = σ(pre_f), g = tanh(pre_g), o = σ(pre_o)",
        "c = f ⊙ c_prev + i ⊙ g",
        "h = o ⊙ tanh(c)",
    ],
    "gru": [
        "r = σ(x_term_r + bias_x_r + h_term_r + bias_h_r)",
        "z = σ(x_term_z + bias_x_z + h_term_z + bias_h_z)",
        "n = tanh(x_term_n + bias_x_n + r ⊙ (h_term_n + bias_h_n))",
        "h = (1 − z) ⊙ n + z ⊙ h_prev",
    ],
    "rnn": ["pre = x_term + h_term + bias", "h = {activation}(pre)"],
    **explain_min.EQUATIONS,
    "ssm": explain_ssm.EQUATIONS,
}


def layer_input(embedded: torch.Tensor, layers: list[Layer], layer: int) -> torch.Tensor:
    """(1, T, in): what `layer` reads: the input, or the layer below's states."""
    if layer == 0:
        return embedded
    below = layers[layer - 1]
    return torch.cat([below[d]["hidden"] for d in below], dim=-1)


def checked(rnn: Stack, asked: Explain, T: int) -> None:
    if not asked.layer < rnn.num_layers:
        raise LookError(
            f"explain.layer: this model has {rnn.num_layers} layer(s), "
            f"numbered 0 to {rnn.num_layers - 1}"
        )
    if not asked.t < T:
        raise LookError(f"explain.t: step {asked.t} is not in this input (steps 0 to {T - 1})")
    wrong = [u for u in asked.units if not 0 <= u < rnn.hidden_size]
    if wrong:
        raise LookError(
            f"explain.units: unit {wrong[0]} is out of range (units 0 to {rnn.hidden_size - 1})"
        )
    if asked.direction == "backward" and not rnn.bidirectional:
        raise LookError("explain.direction: this model reads forward only")


@torch.no_grad()
def explain(
    rnn: Stack,
    embedded: torch.Tensor,
    layers: list[Layer],
    asked: Explain,
    edits: Edits | None = None,
) -> dict[str, Any]:
    """The named terms of step `asked.t`, per unit, from an unrolled pass (`layers`) that
    read `embedded` (1, T, E) with `edits`."""
    T = embedded.shape[1]
    checked(rnn, asked, T)
    cell, reverse = cell_name(rnn), asked.direction == "backward"
    states = layers[asked.layer][asked.direction]
    x_t = layer_input(embedded, layers, asked.layer)[0, asked.t]  # (in,)
    # The step before, in this direction's reading order (none: the zero start).
    before = asked.t + 1 if reverse else asked.t - 1
    H = rnn.hidden_size
    h_prev = states["hidden"][0, before] if 0 <= before < T else x_t.new_zeros(H)
    edit = edits.of(asked.layer, asked.direction) if edits is not None else None
    if isinstance(rnn, ParallelStack):
        layer = rnn.layer(asked.layer)
        if isinstance(layer, MinCell):
            parts = explain_min.explain_min(cell, layer, x_t, h_prev, asked.t, edit)
            return answer(cell, asked, [unit_terms(*parts, u) for u in asked.units])
        # The SSM's state is (H, N) per step, and its step reads a window of earlier inputs.
        kept = states["steps"]
        ssm_prev = kept[before][0] if 0 <= before < T else kept[0][0].new_zeros(kept[0][0].shape)
        inputs = layer_input(embedded, layers, asked.layer)
        terms = explain_ssm.explain_ssm(layer, inputs, ssm_prev, asked.t, asked.units, edit)
        return answer(cell, asked, terms)
    assert isinstance(rnn, nn.RNNBase)
    w_ih, w_hh, b_ih, b_hh = weights(rnn, asked.layer, reverse)
    x_term, h_term = w_ih @ x_t, w_hh @ h_prev  # (G*H,) each

    def edited(name: str, value: torch.Tensor) -> torch.Tensor:
        return edit(asked.t, name, value[None])[0] if edit is not None else value

    if cell == "lstm":
        c_prev = states["cell"][0, before] if 0 <= before < T else x_t.new_zeros(H)
        pre = x_term + h_term + b_ih + b_hh
        p_i, p_f, p_g, p_o = pre.chunk(4)
        i = edited("input", torch.sigmoid(p_i))
        f = edited("forget", torch.sigmoid(p_f))
        g = edited("candidate", torch.tanh(p_g))
        o = edited("output", torch.sigmoid(p_o))
        c = edited("cell", f * c_prev + i * g)
        h = edited("hidden", o * torch.tanh(c))
        gates = "ifgo"
        per_gate = {"x_term": x_term, "h_term": h_term, "bias": b_ih + b_hh, "pre": pre}
        own = {"i": i, "f": f, "g": g, "o": o, "c_prev": c_prev, "c": c, "tanh_c": torch.tanh(c)}
    elif cell == "gru":
        x_r, x_z, x_n = (x_term + b_ih).chunk(3)
        h_r, h_z, h_n = (h_term + b_hh).chunk(3)
        r = edited("reset", torch.sigmoid(x_r + h_r))
        z = edited("update", torch.sigmoid(x_z + h_z))
        pre_n = x_n + r * h_n
        n = edited("candidate", torch.tanh(pre_n))
        h = edited("hidden", (1 - z) * n + z * h_prev)
        gates = "rzn"
        pre = torch.cat([x_r + h_r, x_z + h_z, pre_n])
        per_gate = {
            "x_term": x_term,
            "h_term": h_term,
            "bias_x": b_ih,
            "bias_h": b_hh,
            "pre": pre,
        }
        own = {"r": r, "z": z, "n": n}
    else:
        pre = edited("preactivation", x_term + h_term + b_ih + b_hh)
        squash = torch.tanh if rnn.nonlinearity == "tanh" else torch.relu
        h = edited("hidden", squash(pre))
        gates = ""
        own = {"x_term": x_term, "h_term": h_term, "bias": b_ih + b_hh, "pre": pre}
        per_gate = {}
    own = {**own, "h_prev": h_prev, "h": h}
    terms = [unit_terms(list(gates), per_gate, own, unit) for unit in asked.units]
    return answer(cell, asked, terms, str(rnn.nonlinearity) if cell == "rnn" else None)


def unit_terms(
    gates: list[str], per_gate: dict[str, torch.Tensor], own: dict[str, torch.Tensor], unit: int
) -> dict[str, Any]:
    """One unit's numbers: each per-gate term by gate, then its own values."""
    numbers: dict[str, Any] = {"unit": unit}
    for name, values in per_gate.items():
        chunks = values.chunk(len(gates))
        numbers[name] = {g: float(chunk[unit]) for g, chunk in zip(gates, chunks, strict=True)}
    numbers.update({name: float(values[unit]) for name, values in own.items()})
    return numbers


def answer(
    cell: str, asked: Explain, terms: list[dict[str, Any]], activation: str | None = None
) -> dict[str, Any]:
    return {
        "cell": cell,
        "t": asked.t,
        "layer": asked.layer,
        "direction": asked.direction,
        "units": terms,
        "equations": [e.format(activation=activation) for e in EQUATIONS[cell]],
        **({"activation": activation} if activation else {}),
    }
