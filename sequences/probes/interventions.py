"""Interventions on a trained model: clamp a gate, set a hidden unit (recurrent stacks, on
the unrolled steps of probes.recurrent), mask an attention head (transformers, by a hook
that zeroes the head's output before the heads are mixed).

Each is checked against the model first: a layer, unit, head, gate or step it does not have
is a LookError naming the field."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.hooks import RemovableHandle

from sequences.models.attention import Attention
from sequences.models.editing import StepEdit
from sequences.models.recurrent import Stack
from sequences.models.transformer import TransformerNet, TransformerSeq2Seq
from sequences.models.transformer_one_to_many import TransformerOneToMany
from sequences.probes.asking import Clamp, LookError, MaskHead, SetUnit
from sequences.probes.recurrent import cell_name

# Each cell's gates as the probe names them, with the letters of the textbook equations.
GATES = {
    "lstm": {"input": "i", "forget": "f", "candidate": "g", "output": "o"},
    "gru": {"reset": "r", "update": "z", "candidate": "n"},
    "rnn": {"preactivation": "pre"},
    "mingru": {"update": "z", "candidate": "h~"},
    "minlstm": {"forget": "f", "input": "i", "candidate": "h~"},
    "ssm": {"step": "delta"},  # Δ_t: the step that sets how much is forgotten and written
}
# What a gate's value can be: a sigmoid between 0 and 1, a tanh between -1 and 1.
GATE_RANGE = {
    "input": (0.0, 1.0),
    "forget": (0.0, 1.0),
    "output": (0.0, 1.0),
    "reset": (0.0, 1.0),
    "update": (0.0, 1.0),
    "candidate": (-1.0, 1.0),
    "step": (0.0, 1e3),
}
# The min cells' candidates are linear in x_t, so any value is one they could take.
UNBOUNDED = {("mingru", "candidate"), ("minlstm", "candidate")}


def gate_name(cell: str, asked: str) -> str | None:
    """The probe's name of a gate asked by name or by letter ("f" -> "forget")."""
    for name, letter in GATES[cell].items():
        if asked.lower() in (name, letter):
            return name
    return None


def checked_steps(steps: list[int] | None, T: int, field: str) -> frozenset[int] | None:
    if steps is None:
        return None
    wrong = [t for t in steps if not 0 <= t < T]
    if wrong:
        raise LookError(f"{field}: step {wrong[0]} is not in this input (steps 0 to {T - 1})")
    return frozenset(steps)


def checked_units(units: list[int], hidden: int, field: str) -> list[int]:
    wrong = [u for u in units if not 0 <= u < hidden]
    if wrong:
        raise LookError(f"{field}: unit {wrong[0]} is out of range (units 0 to {hidden - 1})")
    return units


@dataclass(frozen=True)
class Change:
    """One intervention on one layer and direction: `name` set to `value` on `units`."""

    name: str  # what the step records: "forget", "hidden", ...
    value: float
    units: torch.Tensor | None  # (H,) True where it applies; None: every unit
    steps: frozenset[int] | None  # None: every step

    def apply(self, t: int, value: torch.Tensor) -> torch.Tensor:
        if self.steps is not None and t not in self.steps:
            return value
        held = torch.full_like(value, self.value)
        return held if self.units is None else torch.where(self.units, held, value)


class RecurrentEdits:
    """The `Edits` (probes.recurrent) of a list of clamps and set units, checked against
    the recurrent stack `rnn` reading T steps."""

    def __init__(self, interventions: list[Clamp | SetUnit], rnn: Stack, T: int):
        cell, hidden = cell_name(rnn), rnn.hidden_size
        both = ("forward", "backward") if rnn.bidirectional else ("forward",)
        self.changes: dict[tuple[int, str], list[Change]] = {}
        for index, asked in enumerate(interventions):
            field = f"interventions[{index}]"
            if not asked.layer < rnn.num_layers:
                raise LookError(
                    f"{field}.layer: this model has {rnn.num_layers} layer(s), "
                    f"numbered 0 to {rnn.num_layers - 1}"
                )
            if asked.direction == "backward" and not rnn.bidirectional:
                raise LookError(f"{field}.direction: this model reads forward only")
            steps = checked_steps(asked.steps, T, f"{field}.steps")
            change = self.change(asked, cell, hidden, steps, field)
            for direction in (asked.direction,) if asked.direction else both:
                self.changes.setdefault((asked.layer, direction), []).append(change)

    @staticmethod
    def change(
        asked: Clamp | SetUnit, cell: str, hidden: int, steps: frozenset[int] | None, field: str
    ) -> Change:
        def mask(units: list[int]) -> torch.Tensor:
            return torch.zeros(hidden, dtype=torch.bool).index_fill(0, torch.tensor(units), True)

        if isinstance(asked, SetUnit):
            checked_units([asked.unit], hidden, f"{field}.unit")
            return Change("hidden", asked.value, mask([asked.unit]), steps)
        name = gate_name(cell, asked.gate)
        if name is None:
            gates = ", ".join(f"{n} ({letter})" for n, letter in GATES[cell].items())
            raise LookError(f"{field}.gate: a {cell} has no gate {asked.gate!r}; it has {gates}")
        unbounded = (-float("inf"), float("inf"))
        low, high = unbounded if (cell, name) in UNBOUNDED else GATE_RANGE.get(name, unbounded)
        if not low <= asked.value <= high:
            raise LookError(f"{field}.value: the {name} gate lies between {low:g} and {high:g}")
        units = None if asked.units is None else mask(checked_units(asked.units, hidden, field))
        return Change(name, asked.value, units, steps)

    def of(self, layer: int, direction: str) -> StepEdit | None:
        changes = self.changes.get((layer, direction))
        if not changes:
            return None

        def edit(t: int, name: str, value: torch.Tensor) -> torch.Tensor:
            for change in changes:
                if change.name == name:
                    value = change.apply(t, value)
            return value

        return edit


Transformer = TransformerNet | TransformerSeq2Seq | TransformerOneToMany


def attention_module(model: Transformer, asked: MaskHead, field: str) -> Attention:
    """The attention module a head mask names, checked against the model."""
    if isinstance(model, TransformerNet):
        if asked.attention != "self":
            raise LookError(f"{field}.attention: this transformer has self-attention only")
        stacks = {"self": model.blocks}
    elif isinstance(model, TransformerOneToMany):
        if asked.attention == "cross":
            raise LookError(
                f"{field}.attention: this transformer has no encoder to attend across; its "
                "self-attention over the input and what it wrote is the decoder's"
            )
        # Its one attention, the decoder's own, answers to either name.
        stacks = {"self": model.decoder, "decoder": model.decoder}
    else:
        stacks = {"self": model.encoder, "decoder": model.decoder, "cross": model.decoder}
    blocks = stacks[asked.attention]
    if not asked.layer < len(blocks):
        raise LookError(
            f"{field}.layer: this model has {len(blocks)} layer(s), numbered 0 to {len(blocks) - 1}"
        )
    block = blocks[asked.layer]
    module = block.cross if asked.attention == "cross" else block.attend
    assert isinstance(module, Attention)  # a decoder block always has cross-attention
    if not asked.head < module.heads:
        raise LookError(
            f"{field}.head: this model has {module.heads} heads, numbered 0 to {module.heads - 1}"
        )
    return module


def head_name(model: Transformer, asked: MaskHead) -> str:
    """A masked head by the probe's name of its map: "decoder.l0.h1"."""
    kind = "decoder" if isinstance(model, TransformerOneToMany) else asked.attention
    return f"{kind}.l{asked.layer}.h{asked.head}"


def head_masks(model: Transformer, masks: list[MaskHead]) -> list[tuple[Attention, int]]:
    """(module, head) for each mask, checked: a LookError before anything runs."""
    return [
        (attention_module(model, asked, f"interventions[{index}]"), asked.head)
        for index, asked in enumerate(masks)
    ]


@contextmanager
def masked_heads(masked: list[tuple[Attention, int]]) -> Iterator[None]:
    """Within the block, each (module, head) adds nothing: its slice of the concatenated
    heads is zero when the output projection mixes them. Hooks go however the block ends."""
    hooks: list[RemovableHandle] = []
    for module, head in masked:

        def silence(
            out: nn.Module,
            args: tuple[torch.Tensor, ...],
            heads: int = module.heads,
            head: int = head,
        ) -> tuple[torch.Tensor]:
            (y,) = args  # (B, T, nh * hs): the heads side by side
            size = y.shape[-1] // heads
            keep = torch.ones(y.shape[-1], dtype=y.dtype, device=y.device)
            keep[head * size : (head + 1) * size] = 0
            return (y * keep,)

        hooks.append(module.out.register_forward_pre_hook(silence))
    try:
        yield
    finally:
        for hook in hooks:
            hook.remove()
