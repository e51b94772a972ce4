"""The build form, described once: label, one-line idea and when each control applies.

Kinds, choices, bounds and defaults come from the pydantic spec itself, so the form
never disagrees with validation.
"""

import types
import typing
from dataclasses import dataclass, field

from playground.runs.models import CELL_NAMES
from sequences.models import READERS as READER_CELLS
from sequences.spec import ModelSpec, TrainingSpec


@dataclass
class Control:
    path: str  # "model.hidden"
    label: str
    hint: str  # the idea behind the control, in one line
    # {"cell": [...], "paradigm": [...], ...}: shown only then
    when: dict = field(default_factory=dict)
    choice_hints: dict = field(default_factory=dict)  # a line per choice, shown as it is picked
    advanced: bool = False  # folded away under "More settings" until opened


# Every cell that reads a sequence step by step and carries a state: the fused classics and
# the parallel-scan cells alike (why_not says which of their settings each cannot take).
READERS = list(READER_CELLS)
LAYERED = [*READERS, "transformer"]
DECODERS = ["seq2seq", "one-to-many"]

MODEL = [
    Control(
        "model.cell",
        "Cell",
        "What reads the sequence.",
        choice_hints={
            "rnn": "h_t = tanh(W_xh x_t + W_hh h_{t-1} + b): one matrix carries all memory, so gradients vanish over long spans.",
            "lstm": "Forget, input and output gates guard a cell state along which gradients flow for many steps.",
            "gru": "Reset and update gates blend the old state with a candidate: LSTM-like memory with 3/4 of the weights.",
            "mingru": "A GRU whose gates read only x_t, not h_{t-1}: every step's gate is known at once, so it trains as one parallel scan; attention compares steps, this still carries one state.",
            "minlstm": "An LSTM whose forget and input gates read only x_t and sum to 1 (no output gate, no separate cell): it trains as one parallel scan; attention compares steps, this carries one state.",
            "ssm": "A state that decays by exp(Δ_t A), the step Δ_t chosen from x_t (no h_{t-1} in it, unlike the GRU and LSTM): trained as a parallel scan; unlike attention, its memory has a fixed size.",
            "transformer": "Self-attention: every step looks at every other, weighted by softmax(QK^T/sqrt(d)); positions are encoded.",
            "bow": "The order-blind baseline: averages the word vectors, so 'not good but fun' = 'good but not fun'.",
        },
    ),
    Control(
        "model.layers",
        "Layers",
        "Stacked layers: each reads the sequence of states of the one below.",
        {"cell": LAYERED},
    ),
    Control(
        "model.hidden",
        "Hidden size",
        "Units in each layer's state h_t (a transformer's width): the model's memory.",
    ),
    Control(
        "model.activation",
        "Activation",
        "tanh squashes into (-1, 1); relu with identity initialization is the IRNN.",
        {"cell": ["rnn"]},
    ),
    Control(
        "model.bidirectional",
        "Bidirectional",
        "Also read the sequence backwards, so each step sees what comes after it.",
        {"cell": READERS},
    ),
    Control(
        "model.dropout",
        "Dropout",
        "Randomly zero this share of activations between layers while training: a guard against memorizing.",
        {"cell": LAYERED},
        advanced=True,
    ),
    Control(
        "model.heads",
        "Attention heads",
        "Independent attention patterns, each over width/heads dimensions.",
        {"cell": ["transformer"]},
    ),
    Control(
        "model.ff",
        "Feed-forward width",
        "The per-position layer after attention (usually 4 x the width).",
        {"cell": ["transformer"]},
        advanced=True,
    ),
    Control(
        "model.positional",
        "Positions",
        "Attention alone is order-blind: add sinusoids of the position, or learn a vector per position.",
        {"cell": ["transformer"]},
        advanced=True,
    ),
    Control(
        "model.input_encoding",
        "Token encoding",
        "One-hot: a column of W_ih per token. Embedding: a smaller learned vector per token.",
        {"inputs": ["tokens"]},
    ),
    Control(
        "model.embedding",
        "Embedding size",
        "Length of each token's learned vector.",
        {"inputs": ["tokens"]},
        advanced=True,
    ),
    Control(
        "model.attention",
        "Decoder attention",
        "Let each decoder step look back at every encoder state instead of one summary vector.",
        {"cell": READERS, "paradigm": ["seq2seq"]},
    ),
]

TRAINING = [
    Control("training.steps", "Steps", "Optimizer updates, each on a fresh batch."),
    Control(
        "training.epochs",
        "Epochs (instead of steps)",
        "Passes over a fixed dataset; leave empty to count steps.",
        {"finite": [True]},
        advanced=True,
    ),
    Control("training.batch_size", "Batch size", "Sequences averaged into each gradient."),
    Control(
        "training.optimizer",
        "Optimizer",
        "SGD follows the gradient; Adam, AdamW and RMSprop scale each weight's step by its gradient history.",
    ),
    Control(
        "training.lr",
        "Learning rate",
        "Step size. Too large and the loss explodes; too small and nothing moves.",
    ),
    Control(
        "training.momentum",
        "Momentum",
        "Keep moving in the recent direction, smoothing noisy gradients.",
        {"optimizer": ["sgd", "rmsprop"]},
        advanced=True,
    ),
    Control(
        "training.schedule",
        "Schedule",
        "Change the learning rate over the run: cosine decay, step drops, or a warm-up first.",
        advanced=True,
    ),
    Control(
        "training.clip",
        "Gradient clipping",
        "Cap the gradient (its norm, or each value): the cure for exploding gradients.",
    ),
    Control(
        "training.clip_value",
        "Clip at",
        "The largest gradient norm (or value) allowed.",
        {"clip": ["norm", "value"]},
        advanced=True,
    ),
    Control(
        "training.weight_decay",
        "Weight decay (L2)",
        "Pull every weight towards zero a little each step.",
        advanced=True,
    ),
    Control(
        "training.l1",
        "L1 penalty",
        "Add |w| to the loss: pushes weights to exactly zero.",
        advanced=True,
    ),
    Control(
        "training.init",
        "Initialization",
        "Recurrent weights: orthogonal keeps |W_hh| near 1; identity (with relu) is the IRNN.",
        advanced=True,
    ),
    Control(
        "training.teacher_forcing",
        "Teacher forcing",
        "How often a decoder step reads the true previous output instead of its own guess.",
        {"cell": READERS, "paradigm": DECODERS},
    ),
    Control(
        "training.tbptt",
        "Truncated BPTT",
        "Read one long text in chunks this long: the state carries across, gradients stop at each chunk.",
        {"cell": READERS, "paradigm": ["many-to-many"], "inputs": ["tokens"]},
        advanced=True,
    ),
    Control(
        "training.val_split",
        "Validation share",
        "Part of a fixed dataset held out to measure generalization.",
        {"finite": [True]},
        advanced=True,
    ),
    Control(
        "training.early_stopping",
        "Early stopping",
        "Stop after this many validations without improvement; empty to never stop early.",
        advanced=True,
    ),
    Control(
        "training.seed",
        "Seed",
        "The same settings and seed give the same loss curve.",
        advanced=True,
    ),
    Control(
        "training.precision",
        "Precision",
        "bf16 halves memory traffic on a GPU; on a CPU runs stay fp32.",
        advanced=True,
    ),
]

SPECS = {"model": ModelSpec, "training": TrainingSpec}

# What a person reads in each dropdown; the spec (and the link) keeps the ids.
CHOICE_LABELS = {
    "model.cell": CELL_NAMES,
    "model.activation": {"tanh": "tanh", "relu": "ReLU"},
    "model.positional": {"sinusoidal": "Sinusoids", "learned": "Learned per position"},
    "model.input_encoding": {"embedding": "Embedding", "one-hot": "One-hot"},
    "training.optimizer": {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop"},
    "training.schedule": {
        "constant": "Constant",
        "cosine": "Cosine decay",
        "step": "Step drops",
        "warmup": "Warm-up, then constant",
    },
    "training.clip": {"norm": "By norm", "value": "By value", "off": "Off"},
    "training.init": {
        "default": "PyTorch default",
        "xavier": "Xavier",
        "orthogonal": "Orthogonal",
        "identity": "Identity (IRNN)",
    },
    "training.precision": {"fp32": "32-bit float", "bf16": "bfloat16"},
}
PARADIGM_NAMES = {
    "one-to-one": "One to one",
    "one-to-many": "One to many",
    "many-to-one": "Many to one",
    "many-to-many": "Many to many (in step)",
    "seq2seq": "Sequence to sequence",
}


def describe(control: Control) -> dict:
    """The control with its kind, choices, bounds and default, read from the spec."""
    group, name = control.path.split(".")
    spec_field = SPECS[group].model_fields[name]
    annotation = spec_field.annotation
    optional, base = False, annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):  # "int | None"
        optional = type(None) in typing.get_args(annotation)
        base = next(a for a in typing.get_args(annotation) if a is not type(None))
    entry = {
        "path": control.path,
        "id": name,
        "label": control.label,
        "hint": control.hint,
        "advanced": control.advanced,
        "when": control.when,
        "choice_hints": control.choice_hints,
        "default": spec_field.default,
        "optional": optional,
    }
    if typing.get_origin(base) is typing.Literal:
        choices = list(typing.get_args(base))
        labels = CHOICE_LABELS.get(control.path, {})
        options = [{"value": c, "label": labels.get(c, c)} for c in choices]
        entry.update(kind="select", choices=choices, options=options)
    elif base is bool:
        entry.update(kind="checkbox")
    else:
        entry.update(kind="number", step="1" if base is int else "any")
        for rule in spec_field.metadata:
            for key, attribute in (("min", "ge"), ("min", "gt"), ("max", "le"), ("max", "lt")):
                if getattr(rule, attribute, None) is not None:
                    entry[key] = getattr(rule, attribute)
    return entry


def form() -> list[dict]:
    return [
        {"legend": "Model", "controls": [describe(c) for c in MODEL]},
        {"legend": "Training", "controls": [describe(c) for c in TRAINING]},
    ]
