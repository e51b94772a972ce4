"""The adding problem: a long-range dependency that plain RNNs famously fail to learn.

Each step carries a random value in [0, 1) and a marker; exactly two steps are
marked, one in each half. The target is the sum of the two marked values, so the
model must remember the first one across up to `length` steps. Always answering
1.0 gives a mean squared error of 1/6 ≈ 0.167 (the variance of the sum): the
baseline a model has to beat to show it learned anything.
"""

from typing import Any

import torch
from pydantic import Field

from sequences.batch import Batch
from sequences.datasets.catalog import DatasetInfo
from sequences.strict import Strict
from sequences.task import Signature

VALIDATION_SIZE = 256


class AddingOptions(Strict):
    length: int = Field(50, ge=2, le=1000)  # time steps between the first marker and the answer


class AddingTask:
    """Samples fresh training batches; keeps one fixed validation set."""

    def __init__(self, length: int, seed: int):
        self.length = length
        self.signature = Signature("values", 2, "values", 1, length)
        self.validation = self.sample(VALIDATION_SIZE, torch.Generator().manual_seed(seed + 7919))

    def sample(self, n: int, generator: torch.Generator) -> Batch:
        half = self.length // 2
        values = torch.rand(n, self.length, generator=generator)  # (n, T)
        first = torch.randint(0, half, (n,), generator=generator)
        second = torch.randint(half, self.length, (n,), generator=generator)
        markers = torch.zeros(n, self.length)
        rows = torch.arange(n)
        markers[rows, first] = 1.0
        markers[rows, second] = 1.0
        x = torch.stack([values, markers], dim=-1)  # (n, T, 2)
        y = (values * markers).sum(dim=1, keepdim=True)  # (n, 1)
        return Batch(x, y)


def make_adding(
    options: dict[str, Any], paradigm: str, seed: int, val_split: float = 0.2
) -> AddingTask:
    """Generated afresh for every batch: nothing is held out, so val_split does not apply."""
    return AddingTask(options["length"], seed)


ADDING = DatasetInfo(
    id="adding",
    name="Adding problem",
    kind="synthetic",
    paradigms=("many-to-one",),
    summary={
        "description": "Add the two marked numbers of a long sequence: a test of long-range memory.",
        "task": "regression",
        "baseline_mse": round(1 / 6, 3),
        "options": {"length": "time steps per sequence (2 to 1000, default 50)"},
    },
    options=AddingOptions,
    make=make_adding,
)
