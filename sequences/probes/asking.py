"""What a person asks of a trained model's insides (POST /api/runs/{id}/look): a different
input, interventions on chosen steps, and one step's arithmetic. Bounds are checked here;
what depends on the model (a layer or unit out of range, a gate it lacks) in what_if."""

from typing import Annotated, Literal

from pydantic import Field

from sequences.strict import Strict

MAX_INTERVENTIONS = 8  # each one reruns nothing, but each is another thing to read
MAX_LISTED = 1000  # steps or units one intervention may name (the longest sequence allowed)
MAX_EXPLAINED_UNITS = 16  # units one step's arithmetic shows side by side
MAX_VALUE = 1000.0  # a unit set or a pre-activation clamped further out saturates anyway

Direction = Literal["forward", "backward"]


class LookError(ValueError):
    """A look this model cannot take, in a sentence that starts with the field it names."""


class Clamp(Strict):
    """Hold a gate at `value` on the chosen units and steps (all of them by default)."""

    kind: Literal["clamp"]
    layer: int = Field(ge=0)
    gate: str = Field(max_length=32)  # "forget" or "f", "update" or "z", ...
    value: float = Field(allow_inf_nan=False, ge=-MAX_VALUE, le=MAX_VALUE)
    steps: list[int] | None = Field(None, min_length=1, max_length=MAX_LISTED)
    units: list[int] | None = Field(None, min_length=1, max_length=MAX_LISTED)
    direction: Direction | None = None  # a bidirectional layer: one direction (default both)


class SetUnit(Strict):
    """Set one hidden unit's h_t to `value` (0: silence it) on the chosen steps."""

    kind: Literal["unit"]
    layer: int = Field(ge=0)
    unit: int = Field(ge=0)
    value: float = Field(allow_inf_nan=False, ge=-MAX_VALUE, le=MAX_VALUE)
    steps: list[int] | None = Field(None, min_length=1, max_length=MAX_LISTED)
    direction: Direction | None = None


class MaskHead(Strict):
    """Silence one attention head: its output is zero before the heads are mixed."""

    kind: Literal["head"]
    layer: int = Field(ge=0)
    head: int = Field(ge=0)
    # The probe's names: encoder self-attention, the decoder's own, the decoder's over the input.
    attention: Literal["self", "decoder", "cross"] = "self"


Intervention = Annotated[Clamp | SetUnit | MaskHead, Field(discriminator="kind")]


class Explain(Strict):
    """One step's arithmetic: at step `t` of `layer`, for these units."""

    t: int = Field(ge=0)
    layer: int = Field(ge=0)
    units: list[int] = Field(min_length=1, max_length=MAX_EXPLAINED_UNITS)
    direction: Direction = "forward"


class LookRequest(Strict):
    # Text for text tasks and copy/reverse, numbers for a series, [value, marker] rows for
    # adding; None: the run's probe sequence.
    input: str | list[float] | list[list[float]] | None = Field(None)
    step: int | None = Field(None, ge=0)  # a kept checkpoint; None: the latest
    interventions: list[Intervention] = Field(default_factory=list, max_length=MAX_INTERVENTIONS)
    explain: Explain | None = None
