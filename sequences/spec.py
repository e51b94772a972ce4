"""The run spec: one validated description of a model, its data and its training.

It is checked when a run is created and again by the worker before training, so
every limit here is a hard limit. Messages are written for a person, not a log.
"""

from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from sequences.datasets import CATALOG, DatasetInfo
from sequences.estimate import estimate_activation_bytes, estimate_parameters
from sequences.strict import Strict

Paradigm = Literal["one-to-one", "one-to-many", "many-to-one", "many-to-many", "seq2seq"]
Cell = Literal["rnn", "lstm", "gru"]

MAX_PARAMETERS = 5_000_000  # keeps one run within a shared worker's share of memory
MAX_ACTIVATION_BYTES = 1 << 30  # 1 GiB of activations kept for backward, per step


class ModelSpec(Strict):
    cell: Cell = "lstm"  # recurrent cell, run through torch's fused module
    layers: int = Field(1, ge=1, le=4)  # stacked recurrent layers
    hidden: int = Field(64, ge=1, le=1024)  # units per layer


class TrainingSpec(Strict):
    steps: int = Field(300, ge=1, le=20_000)  # optimizer steps
    batch_size: int = Field(32, ge=1, le=512)  # sequences per step
    lr: float = Field(0.003, gt=0, le=10)  # Adam learning rate
    seed: int = Field(0, ge=0, le=2**31 - 1)  # same spec and seed, same loss curve on CPU


class ProbeSpec(Strict):
    every: int = Field(25, ge=1, le=100_000)  # steps between looks inside the model


class RunSpec(Strict):
    name: str = Field("", max_length=100)
    dataset: str = Field("adding", min_length=1, max_length=64)
    dataset_options: dict[str, Any] = Field(default_factory=dict)
    paradigm: Paradigm = "many-to-one"
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
        if self.paradigm not in dataset.paradigms:
            served = ", ".join(dataset.paradigms)
            raise ValueError(
                f"paradigm: dataset '{self.dataset}' serves {served}, not {self.paradigm}"
            )
        self.dataset_options = validated_options(dataset, self.dataset_options)
        check_size(self, dataset)
        return self


def validated_options(dataset: DatasetInfo, options: dict) -> dict:
    """Validate dataset_options with the dataset's own options model, naming the bad key."""
    try:
        return dataset.options.model_validate(options).model_dump()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in ("dataset_options", *first["loc"]))
        raise ValueError(f"{where}: {first['msg']}") from None


def check_size(spec: RunSpec, dataset: DatasetInfo) -> None:
    """Refuse models too big for a shared worker, with the limit in the sentence."""
    shape = dataset.shape(spec.dataset_options)
    parameters = estimate_parameters(spec.model, shape.input_size, shape.output_size)
    if parameters > MAX_PARAMETERS:
        raise ValueError(
            f"model: this model has {parameters:,} parameters; the limit is {MAX_PARAMETERS:,}. "
            "Use fewer layers or a smaller hidden size."
        )
    activations = estimate_activation_bytes(spec.model, spec.training.batch_size, shape.length)
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
    if not field and ": " in message:
        field, message = message.split(": ", 1)
    if error["type"] == "extra_forbidden":
        message = "is not a known setting; remove it or check its spelling"
    return {"field": field or "spec", "message": message}
