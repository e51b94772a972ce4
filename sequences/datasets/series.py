"""Sine waves: forecasting a series, and generating one from its parameters.

`sine` and `multi-sine` cut windows from waves of random frequency and phase (plus a
little noise); each paradigm asks a different question of the same window:
one-to-one (last value -> next: ambiguous, is the wave rising or falling?),
many-to-one (window -> next value), many-to-many (each step -> the next value) and
seq2seq (window -> the next `horizon` values). `wave` is one-to-many: from a
frequency and a phase, draw the wave.
"""

import math
from typing import Any

import torch
from pydantic import Field

from sequences.batch import Batch
from sequences.datasets.catalog import DatasetInfo
from sequences.settings import Paradigm
from sequences.strict import Strict
from sequences.task import Signature

VALIDATION_SIZE = 256
FORECAST_PARADIGMS: tuple[Paradigm, ...] = ("many-to-one", "many-to-many", "seq2seq", "one-to-one")


class SineOptions(Strict):
    length: int = Field(40, ge=2, le=1000)  # steps the model reads
    horizon: int = Field(10, ge=1, le=200)  # steps a seq2seq model forecasts
    noise: float = Field(0.05, ge=0, le=1)  # standard deviation of added noise


def waves(
    n: int, steps: int, components: int, noise: float, generator: torch.Generator
) -> torch.Tensor:
    """(n, steps) sums of `components` sines of random frequency, phase and amplitude."""
    t = torch.arange(steps, dtype=torch.float32)
    frequency = 0.01 + 0.09 * torch.rand(n, components, 1, generator=generator)  # cycles per step
    phase = 2 * math.pi * torch.rand(n, components, 1, generator=generator)
    amplitude = torch.full((n, components, 1), 1.0 / components)
    series = (amplitude * torch.sin(2 * math.pi * frequency * t + phase)).sum(dim=1)
    return series + noise * torch.randn(n, steps, generator=generator)


class ForecastTask:
    def __init__(self, options: dict, paradigm: str, components: int, seed: int):
        self.length, self.horizon = options["length"], options["horizon"]
        self.noise, self.components, self.paradigm = options["noise"], components, paradigm
        reads = 1 if paradigm == "one-to-one" else self.length
        answers = {"many-to-many": self.length, "seq2seq": self.horizon}.get(paradigm, 1)
        causal = paradigm == "many-to-many"  # each step forecasts from the past only
        self.signature = Signature("values", 1, "values", 1, reads, answers, causal=causal)
        self.validation = self.sample(
            VALIDATION_SIZE, torch.Generator().manual_seed(seed + 15485863)
        )

    def sample(self, n: int, generator: torch.Generator) -> Batch:
        T, H = self.length, self.horizon
        s = waves(n, T + H, self.components, self.noise, generator)[..., None]  # (n, T+H, 1)
        if self.paradigm == "one-to-one":
            return Batch(s[:, T - 1 : T], s[:, T])  # (n, 1, 1) -> (n, 1)
        if self.paradigm == "many-to-one":
            return Batch(s[:, :T], s[:, T])  # (n, T, 1) -> (n, 1)
        if self.paradigm == "many-to-many":
            return Batch(s[:, :T], s[:, 1 : T + 1])  # (n, T, 1) -> (n, T, 1), shifted by one
        return Batch(s[:, :T], s[:, T : T + H])  # seq2seq: (n, T, 1) -> (n, H, 1)


class WaveOptions(Strict):
    length: int = Field(50, ge=2, le=500)  # steps to draw


class WaveTask:
    """One-to-many: (frequency, phase) -> the wave itself."""

    def __init__(self, length: int, seed: int):
        self.length = length
        self.signature = Signature("values", 2, "values", 1, 1, length)
        self.validation = self.sample(
            VALIDATION_SIZE, torch.Generator().manual_seed(seed + 32452843)
        )

    def sample(self, n: int, generator: torch.Generator) -> Batch:
        frequency = 0.01 + 0.09 * torch.rand(n, 1, generator=generator)  # cycles per step
        phase = torch.rand(n, 1, generator=generator)  # in turns
        t = torch.arange(self.length, dtype=torch.float32)
        y = torch.sin(2 * math.pi * (frequency * t + phase))[..., None]  # (n, T, 1)
        x = torch.stack([frequency[:, 0] * 10, phase[:, 0]], dim=-1)[
            :, None, :
        ]  # (n, 1, 2), ~unit scale
        return Batch(x, y)


def sine_dataset(id: str, name: str, components: int, description: str) -> DatasetInfo:
    def make_forecast(
        options: dict[str, Any], paradigm: str, seed: int, val_split: float = 0.2
    ) -> ForecastTask:
        """Generated afresh for every batch: val_split does not apply."""
        return ForecastTask(options, paradigm, components, seed)

    return DatasetInfo(
        id=id,
        name=name,
        kind="series",
        paradigms=FORECAST_PARADIGMS,
        summary={
            "description": description,
            "task": "forecasting",
            "options": {
                "length": "steps the model reads (2 to 1000, default 40)",
                "horizon": "steps a seq2seq model forecasts (default 10)",
                "noise": "standard deviation of the noise (0 to 1, default 0.05)",
            },
        },
        options=SineOptions,
        make=make_forecast,
    )


SINE = sine_dataset(
    "sine", "Sine wave", 1, "Forecast a noisy sine wave of random frequency and phase."
)
MULTI_SINE = sine_dataset(
    "multi-sine", "Sum of sines", 3, "Forecast a sum of three sines: a wave with a richer rhythm."
)


def make_wave(
    options: dict[str, Any], paradigm: str, seed: int, val_split: float = 0.2
) -> WaveTask:
    """Generated afresh for every batch: val_split does not apply."""
    return WaveTask(options["length"], seed)


WAVE = DatasetInfo(
    id="wave",
    name="Draw a wave",
    kind="synthetic",
    paradigms=("one-to-many",),
    summary={
        "description": "Given a frequency and a phase, draw the sine wave step by step, "
        "each step fed the one before.",
        "task": "generation",
        "options": {"length": "steps to draw (2 to 500, default 50)"},
    },
    options=WaveOptions,
    make=make_wave,
)
