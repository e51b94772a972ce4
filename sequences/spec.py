"""The run spec: one validated description of a model, its data and its training.

It is checked when a run is created and again by the worker before training, so
every limit here is a hard limit. Messages are written for a person, not a log.
"""

import math
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from sequences.datasets import CATALOG, DatasetInfo
from sequences.estimate import estimate_activation_bytes, exact_parameters
from sequences.models import why_not
from sequences.strict import Strict
from sequences.tasks import cached_task

Paradigm = Literal["one-to-one", "one-to-many", "many-to-one", "many-to-many", "seq2seq"]
Cell = Literal["rnn", "lstm", "gru", "transformer", "bow"]

MAX_PARAMETERS = 5_000_000  # keeps one run within a shared worker's share of memory
MAX_ACTIVATION_BYTES = 1 << 30  # 1 GiB of activations kept for backward, per step
MAX_STEPS = 20_000


class ModelSpec(Strict):
    cell: Cell = "lstm"  # rnn, lstm, gru (fused), transformer (self-attention), bow (baseline)
    layers: int = Field(1, ge=1, le=6)  # stacked layers (recurrent or transformer blocks)
    hidden: int = Field(64, ge=1, le=1024)  # units per layer; the model width of a transformer
    activation: Literal["tanh", "relu"] = "tanh"  # vanilla RNN only; relu + identity init = IRNN
    bidirectional: bool = (
        False  # also read the sequence backwards (not where that shows the answer)
    )
    dropout: float = Field(0.0, ge=0, le=0.9)  # between layers
    heads: int = Field(4, ge=1, le=16)  # transformer attention heads
    ff: int | None = Field(
        None, ge=1, le=8192
    )  # transformer feed-forward width (default 4 x hidden)
    positional: Literal["sinusoidal", "learned"] = "sinusoidal"  # transformer position encoding
    input_encoding: Literal["embedding", "one-hot"] = "embedding"  # how tokens become vectors
    embedding: int = Field(32, ge=1, le=1024)  # embedding size for tokens
    attention: bool = False  # recurrent seq2seq: the decoder attends over encoder states

    @model_validator(mode="after")
    def default_ff(self):
        if self.ff is None and self.cell == "transformer":
            self.ff = 4 * self.hidden
        return self


class TrainingSpec(Strict):
    steps: int = Field(300, ge=1, le=MAX_STEPS)  # optimizer steps
    epochs: float | None = Field(None, gt=0, le=1000)  # instead of steps, for fixed datasets
    batch_size: int = Field(32, ge=1, le=512)  # sequences per step
    optimizer: Literal["sgd", "adam", "adamw", "rmsprop"] = "adam"
    lr: float = Field(0.003, gt=0, le=10)  # learning rate
    momentum: float = Field(0.9, ge=0, lt=1)  # sgd and rmsprop
    schedule: Literal["constant", "cosine", "step", "warmup"] = "constant"  # learning-rate schedule
    clip: Literal["norm", "value", "off"] = "norm"  # gradient clipping
    clip_value: float = Field(1.0, gt=0, le=1000)  # the norm or value clipped to
    weight_decay: float = Field(0.0, ge=0, le=1)  # L2 (decoupled for adamw)
    l1: float = Field(0.0, ge=0, le=1)  # L1 penalty on weights, added to the loss
    init: Literal["default", "xavier", "orthogonal", "identity"] = "default"  # recurrent weights
    seed: int = Field(0, ge=0, le=2**31 - 1)  # same spec and seed, same loss curve on CPU
    val_split: float = Field(0.2, ge=0.05, le=0.5)  # held out from fixed datasets
    early_stopping: int | None = Field(None, ge=1, le=100)  # validations without improvement
    teacher_forcing: float = Field(1.0, ge=0, le=1)  # recurrent decoders: read the truth this often
    tbptt: int | None = Field(None, ge=2, le=1000)  # stream in chunks this long, state carried
    precision: Literal["fp32", "bf16"] = "fp32"  # bf16 autocast on a GPU


class ProbeSpec(Strict):
    every: int = Field(25, ge=1, le=100_000)  # steps between looks inside the model


class RunSpec(Strict):
    name: str = Field("", max_length=100)
    dataset: str = Field("adding", min_length=1, max_length=64)
    dataset_options: dict[str, Any] = Field(default_factory=dict)
    paradigm: Paradigm | None = None  # default: the dataset's first (adding: many-to-one)
    model: ModelSpec = Field(default_factory=ModelSpec)
    training: TrainingSpec = Field(default_factory=TrainingSpec)
    probe: ProbeSpec = Field(default_factory=ProbeSpec)

    @model_validator(mode="after")
    def fits_dataset_and_limits(self, info):
        catalog = (info.context or {}).get("catalog", CATALOG)
        dataset = catalog.get(self.dataset)
        if dataset is None:
            known = ", ".join(sorted(catalog))
            raise ValueError(
                f"dataset: there is no dataset '{self.dataset}'; choose one of {known}"
            )
        if self.paradigm is None:
            self.paradigm = dataset.paradigms[0]
        if self.paradigm not in dataset.paradigms:
            served = ", ".join(dataset.paradigms)
            raise ValueError(
                f"paradigm: dataset '{self.dataset}' serves {served}, not {self.paradigm}"
            )
        self.dataset_options = validated_options(dataset, self.dataset_options)
        task = cached_task(dataset, self.dataset_options, self.paradigm, self.training.val_split)
        problem = why_not(self, task.signature, task)
        if problem:
            raise ValueError(f"{problem[0]}: {problem[1]}")
        if self.training.epochs is not None:
            self.training.steps = steps_for_epochs(self.training, task)
        check_size(self, task.signature)
        return self


def validated_options(dataset: DatasetInfo, options: dict) -> dict:
    """Validate dataset_options with the dataset's own options model, naming the bad key."""
    try:
        return dataset.options.model_validate(options).model_dump()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in ("dataset_options", *first["loc"]))
        message = first["msg"].removeprefix("Value error, ")
        if not first["loc"] and ": " in message:  # a check across options names its field
            field, message = message.split(": ", 1)
            where = f"dataset_options.{field}"
        raise ValueError(f"{where}: {message}") from None


def steps_for_epochs(training: TrainingSpec, task) -> int:
    train = getattr(task, "train", None)
    if train is None:
        raise ValueError(
            "training.epochs: this dataset is generated afresh for every batch, so it has no "
            "epochs; set steps instead"
        )
    steps = math.ceil(training.epochs * len(train) / training.batch_size)
    if steps > MAX_STEPS:
        raise ValueError(
            f"training.epochs: {training.epochs} epochs are {steps:,} steps; the limit is "
            f"{MAX_STEPS:,}. Use fewer epochs or a larger batch."
        )
    return steps


def check_size(spec: RunSpec, signature) -> None:
    """Refuse models too big for a shared worker, with the limit in the sentence."""
    parameters = exact_parameters(spec, signature)
    if parameters > MAX_PARAMETERS:
        raise ValueError(
            f"model: this model has {parameters:,} parameters; the limit is {MAX_PARAMETERS:,}. "
            "Use fewer layers or a smaller hidden size."
        )
    activations = estimate_activation_bytes(spec, signature)
    if activations > MAX_ACTIVATION_BYTES:
        raise ValueError(
            f"training.batch_size: one step would keep about {activations / 2**20:,.0f} MiB of "
            f"activations; the limit is {MAX_ACTIVATION_BYTES / 2**20:,.0f} MiB. "
            "Use a smaller batch, hidden size or sequence length."
        )


class SpecError(ValueError):
    """A spec that cannot run: `message` is one sentence, `details` one entry per problem."""

    def __init__(self, message: str, details: list[dict]):
        super().__init__(message)
        self.message = message
        self.details = details


def parse_spec(data: Any, catalog: dict[str, DatasetInfo] | None = None) -> RunSpec:
    """Validate raw JSON-like data into a RunSpec, or raise SpecError naming each field."""
    if not isinstance(data, dict):
        raise SpecError("The run spec must be a JSON object.", [])
    context = {"catalog": catalog} if catalog is not None else None
    try:
        return RunSpec.model_validate(data, context=context)
    except ValidationError as exc:
        details = [describe(error) for error in exc.errors(include_url=False)]
        first = details[0]
        raise SpecError(f"{first['field']}: {first['message']}", details) from None


def describe(error: dict) -> dict:
    """One pydantic error as {field, message}; model-level errors carry the field in the text."""
    field = ".".join(str(p) for p in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    if ": " in message and (not field or field in ("model", "training")):
        field, message = message.split(": ", 1)
    if error["type"] == "extra_forbidden":
        message = "is not a known setting; remove it or check its spelling"
    return {"field": field or "spec", "message": message}
