"""A fused recurrent stack, unrolled step by step with its own weights, to show its gates.

The unrolled pass is only ever run on a probe batch of a few sequences; parity tests
prove it reproduces the fused module's outputs.
"""

from typing import Any, Protocol

import torch
from torch import nn

from sequences.models.editing import StepEdit
from sequences.models.parallel_stack import ParallelStack
from sequences.models.recurrent import Stack, State

CELL_OF = {nn.RNN: "rnn", nn.LSTM: "lstm", nn.GRU: "gru"}
# One unrolled layer: {"forward": {name: (B, T, H), ..., "steps": [h_t]}, "backward": {...}?}
Layer = dict[str, dict[str, Any]]


class Edits(Protocol):
    """Interventions on an unrolled stack: the step edit of one layer and direction, or
    None where nothing changes there (that layer then runs as it would without edits)."""

    def of(self, layer: int, direction: str) -> StepEdit | None: ...


def weights(
    rnn: nn.RNNBase, layer: int, reverse: bool
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(W_ih, W_hh, b_ih, b_hh) of one layer and direction."""
    suffix = f"_l{layer}" + ("_reverse" if reverse else "")
    w_ih, w_hh, b_ih, b_hh = (
        rnn.get_parameter(f"{name}{suffix}")
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    )
    return w_ih, w_hh, b_ih, b_hh


def lstm_steps(
    x: torch.Tensor,
    w_ih: torch.Tensor,
    w_hh: torch.Tensor,
    b_ih: torch.Tensor,
    b_hh: torch.Tensor,
    h0: torch.Tensor | None = None,
    c0: torch.Tensor | None = None,
    *,
    edit: StepEdit | None = None,
) -> dict[str, Any]:
    """(B, T, in) -> hidden (B, T, H) and each gate (B, T, H); the state starts at (h0, c0),
    or zeros. `edit` may change each gate and state as it is made (an intervention)."""
    B, T, _ = x.shape
    H = w_hh.shape[1]
    projected = x @ w_ih.T + b_ih  # (B, T, 4H): the input's share, for every step at once
    h = x.new_zeros(B, H) if h0 is None else h0
    c = x.new_zeros(B, H) if c0 is None else c0
    names = ("input", "forget", "candidate", "output", "cell", "hidden")
    record: dict[str, list[torch.Tensor]] = {name: [] for name in names}
    for t in range(T):
        i, f, g, o = (projected[:, t] + h @ w_hh.T + b_hh).chunk(4, dim=-1)
        i = torch.sigmoid(i)  # input gate: how much of the candidate to write
        f = torch.sigmoid(f)  # forget gate: how much of the old cell state to keep
        g = torch.tanh(g)  # candidate: what could be written
        o = torch.sigmoid(o)  # output gate: how much of the cell to show as h
        if edit is not None:
            i, f, g, o = (edit(t, n, v) for n, v in zip(names[:4], (i, f, g, o), strict=True))
        c = f * c + i * g  # the cell state: the long-term memory
        h = o * torch.tanh(c)
        if edit is not None:
            c, h = edit(t, "cell", c), edit(t, "hidden", h)
        for name, value in zip(names, (i, f, g, o, c, h), strict=True):
            record[name].append(value)
    return stacked(record)


def gru_steps(
    x: torch.Tensor,
    w_ih: torch.Tensor,
    w_hh: torch.Tensor,
    b_ih: torch.Tensor,
    b_hh: torch.Tensor,
    h0: torch.Tensor | None = None,
    *,
    edit: StepEdit | None = None,
) -> dict[str, Any]:
    B, T, _ = x.shape
    H = w_hh.shape[1]
    projected = x @ w_ih.T + b_ih  # (B, T, 3H)
    h = x.new_zeros(B, H) if h0 is None else h0
    names = ("reset", "update", "candidate", "hidden")
    record: dict[str, list[torch.Tensor]] = {name: [] for name in names}
    for t in range(T):
        x_r, x_z, x_n = projected[:, t].chunk(3, dim=-1)
        h_r, h_z, h_n = (h @ w_hh.T + b_hh).chunk(3, dim=-1)
        r = torch.sigmoid(x_r + h_r)  # reset gate: how much of the past the candidate may see
        z = torch.sigmoid(x_z + h_z)  # update gate: how much of the old state to keep
        if edit is not None:
            r, z = edit(t, "reset", r), edit(t, "update", z)
        n = torch.tanh(x_n + r * h_n)  # candidate state
        if edit is not None:
            n = edit(t, "candidate", n)
        h = (1 - z) * n + z * h  # blend the old state and the candidate
        if edit is not None:
            h = edit(t, "hidden", h)
        for name, value in zip(names, (r, z, n, h), strict=True):
            record[name].append(value)
    return stacked(record)


def rnn_steps(
    x: torch.Tensor,
    w_ih: torch.Tensor,
    w_hh: torch.Tensor,
    b_ih: torch.Tensor,
    b_hh: torch.Tensor,
    activation: str,
    h0: torch.Tensor | None = None,
    *,
    edit: StepEdit | None = None,
) -> dict[str, Any]:
    B, T, _ = x.shape
    h = x.new_zeros(B, w_hh.shape[1]) if h0 is None else h0
    projected = x @ w_ih.T + b_ih
    squash = torch.tanh if activation == "tanh" else torch.relu
    pre, hidden = [], []
    for t in range(T):
        a = projected[:, t] + h @ w_hh.T + b_hh  # the pre-activation
        if edit is not None:
            a = edit(t, "preactivation", a)
        h = squash(a)
        if edit is not None:
            h = edit(t, "hidden", h)
        pre.append(a)
        hidden.append(h)
    return stacked({"preactivation": pre, "hidden": hidden})


def stacked(record: dict[str, list[torch.Tensor]]) -> dict[str, Any]:
    """Each recorded quantity as (B, T, H); plus "steps", the very h_t tensors the
    recurrence used, so that dL/dh_t can be taken through every later step."""
    states: dict[str, Any] = {name: torch.stack(values, dim=1) for name, values in record.items()}
    states["steps"] = record["hidden"]
    return states


def cell_name(rnn: Stack) -> str:
    """The cell a stack is made of: rnn, lstm, gru, mingru, minlstm or ssm."""
    return rnn.cell if isinstance(rnn, ParallelStack) else CELL_OF[type(rnn)]


def unroll(
    rnn: Stack, x: torch.Tensor, state: State | None = None, edits: Edits | None = None
) -> list[Layer]:
    """Run `rnn` (batch_first, full-length sequences) step by step, from `state` (shaped as
    the fused module takes it: (layers * directions, B, H), a pair for the LSTM) or zeros,
    with `edits` (interventions) where given.

    Returns one entry per layer: {"forward": {name: (B, T, H)}, "backward": {...}?};
    the top layer's hidden states, concatenated over directions, equal the fused output.
    A parallel stack runs its own sequential form."""
    if isinstance(rnn, ParallelStack):
        return rnn.unroll(x, state, lambda layer: step_edit(edits, layer, False, x.shape[1]))
    directions = 2 if rnn.bidirectional else 1
    layers = []
    inputs = x
    for layer in range(rnn.num_layers):
        entry: Layer = {}
        for reverse in (False, True)[:directions]:
            read = inputs.flip(1) if reverse else inputs
            w = weights(rnn, layer, reverse)
            start = initial(state, layer * directions + int(reverse))
            edit = step_edit(edits, layer, reverse, x.shape[1])
            if isinstance(rnn, nn.LSTM):
                states = lstm_steps(read, *w, *start, edit=edit)
            elif isinstance(rnn, nn.GRU):
                states = gru_steps(read, *w, *start, edit=edit)
            elif isinstance(rnn, nn.RNN):
                states = rnn_steps(read, *w, rnn.nonlinearity, *start, edit=edit)
            else:
                raise TypeError(f"no unrolled steps for {type(rnn).__name__}")
            if reverse:  # back into reading order
                steps = states.pop("steps")[::-1]
                states = {name: value.flip(1) for name, value in states.items()}
                states["steps"] = steps
            entry["backward" if reverse else "forward"] = states
        layers.append(entry)
        inputs = torch.cat([entry[d]["hidden"] for d in entry], dim=-1)  # the next layer's input
    return layers


def step_edit(edits: Edits | None, layer: int, reverse: bool, T: int) -> StepEdit | None:
    """The edit of one layer and direction; a backward pass reads step T-1 first, so its
    edit is told the step in reading order."""
    edit = edits.of(layer, "backward" if reverse else "forward") if edits is not None else None
    if edit is None or not reverse:
        return edit
    forward_edit = edit
    return lambda t, name, value: forward_edit(T - 1 - t, name, value)


def initial(state: State | None, index: int) -> tuple[torch.Tensor, ...]:
    """The starting state of one layer and direction, as step arguments (none: zeros)."""
    if state is None:
        return ()
    if isinstance(state, tuple):  # the LSTM's (h, c)
        return tuple(s[index] for s in state)
    return (state[index],)


def final_state(rnn: Stack, layers: list[Layer]) -> State:
    """The unrolled stack's last state, shaped as the module returns it (h_n, or
    (h_n, c_n)): a backward direction ends at step 0."""
    if isinstance(rnn, ParallelStack):
        return rnn.final_state(layers)
    lstm = isinstance(rnn, nn.LSTM)

    def last(name: str) -> torch.Tensor:
        ends = [layer[d][name][:, -1 if d == "forward" else 0] for layer in layers for d in layer]
        return torch.stack(ends)  # (layers * directions, B, H)

    return (last("hidden"), last("cell")) if lstm else last("hidden")


def spectral_norms(rnn: Stack) -> dict[str, float]:
    """Largest singular value of each layer's W_hh (per gate block): above 1, signals can
    grow step after step; below 1, they fade. A parallel cell has no W_hh: none."""
    if isinstance(rnn, ParallelStack):
        return {}
    gates = {
        "rnn": ["W_hh"],
        "lstm": ["input", "forget", "candidate", "output"],
        "gru": ["reset", "update", "candidate"],
    }
    names, blocks = [], []
    for name, parameter in rnn.named_parameters():
        if not name.startswith("weight_hh"):
            continue
        layer = name.removeprefix("weight_hh_")
        cell_gates = gates[CELL_OF[type(rnn)]]
        for gate, block in zip(cell_gates, parameter.detach().chunk(len(cell_gates)), strict=True):
            names.append(f"{layer}.{gate}")
            blocks.append(block)
    # One batched call and one sync for every block (they share a shape).
    norms = torch.linalg.matrix_norm(torch.stack(blocks), ord=2).tolist()
    return dict(zip(names, norms, strict=True))
