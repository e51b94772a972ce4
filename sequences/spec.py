"""The run spec: one validated description of a model, its data and its training.

It is checked when a run is created and again by the worker before training, so
every limit here is a hard limit. Messages are written for a person, not a log.
"""

import math
from typing import Any, Self

from pydantic import Field, ValidationError, ValidationInfo, model_validator
from pydantic_core import ErrorDetails

from sequences.datasets import CATALOG, DatasetInfo
from sequences.estimate import estimate_activation_bytes, exact_parameters
from sequences.models import why_not
from sequences.settings import (
    MAX_STEPS,
    Cell,
    ModelSpec,
    Paradigm,
    ProbeSpec,
    TrainingSpec,
)
from sequences.strict import Strict
from sequences.task import FixedSet, Signature, Streams, Task
from sequences.tasks import cached_task

__all__ = [
    "Cell",
    "ModelSpec",
    "Paradigm",
    "ProbeSpec",
    "RunSpec",
    "SpecError",
    "TrainingSpec",
    "parse_spec",
]

MAX_PARAMETERS = 5_000_000  # keeps one run within a shared worker's share of memory
MAX_ACTIVATION_BYTES = 1 << 30  # 1 GiB of activations kept for backward, per step


class RunSpec(Strict):
    name: str = Field("", max_length=100)
    dataset: str = Field("adding", min_length=1, max_length=64)
    dataset_options: dict[str, Any] = Field(default_factory=dict)
    paradigm: Paradigm | None = None  # default: the dataset's first (adding: many-to-one)
    model: ModelSpec = Field(default_factory=ModelSpec)
    training: TrainingSpec = Field(default_factory=TrainingSpec)
    probe: ProbeSpec = Field(default_factory=ProbeSpec)

    @model_validator(mode="after")
    def fits_dataset_and_limits(self, info: ValidationInfo) -> Self:
        catalog = (info.context or {}).get("catalog", CATALOG)
        dataset = catalog.get(self.dataset)
        if dataset is None:
            known = ", ".join(sorted(catalog))
            raise ValueError(
                f"dataset: there is no dataset '{self.dataset}'; choose one of {known}"
            )
        self.paradigm = dataset.paradigm_for(self.paradigm)
        if self.paradigm not in dataset.paradigms:
            served = ", ".join(dataset.paradigms)
            raise ValueError(
                f"paradigm: dataset '{self.dataset}' serves {served}, not {self.paradigm}"
            )
        self.dataset_options = validated_options(dataset, self.dataset_options)
        task = cached_task(dataset, self.dataset_options, self.paradigm, self.training.val_split)
        problem = why_not(self, task.signature, isinstance(task, Streams))
        if problem:
            raise ValueError(f"{problem[0]}: {problem[1]}")
        if self.training.epochs is not None:
            self.training.steps = steps_for_epochs(self.training.epochs, self.training, task)
        check_size(self, task.signature)
        return self


def validated_options(dataset: DatasetInfo, options: dict[str, Any]) -> dict[str, Any]:
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


def steps_for_epochs(epochs: float, training: TrainingSpec, task: Task) -> int:
    """The steps that read the training set `epochs` times over, within the limit."""
    if not isinstance(task, FixedSet):
        raise ValueError(
            "training.epochs: this dataset is generated afresh for every batch, so it has no "
            "epochs; set steps instead"
        )
    steps = math.ceil(epochs * len(task.train) / training.batch_size)
    if steps > MAX_STEPS:
        raise ValueError(
            f"training.epochs: {epochs} epochs are {steps:,} steps; the limit is "
            f"{MAX_STEPS:,}. Use fewer epochs or a larger batch."
        )
    return steps


def check_size(spec: RunSpec, signature: Signature) -> None:
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

    def __reduce__(self) -> tuple:
        # Raised in another process (a work pool's), it comes back whole.
        return type(self), (self.message, self.details)


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


def describe(error: ErrorDetails) -> dict[str, str]:
    """One pydantic error as {field, message}; model-level errors carry the field in the text."""
    field = ".".join(str(p) for p in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    if ": " in message and (not field or field in ("model", "training")):
        field, message = message.split(": ", 1)
    if error["type"] == "extra_forbidden":
        message = "is not a known setting; remove it or check its spelling"
    return {"field": field or "spec", "message": message}
