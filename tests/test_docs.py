"""The README documents every cell, paradigm, dataset and training setting there is."""

import typing
from pathlib import Path

import pytest

from sequences.datasets import CATALOG
from sequences.spec import Cell, Paradigm, TrainingSpec

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()

NAMES = [
    *typing.get_args(Cell),
    *typing.get_args(Paradigm),
    *CATALOG,
    *TrainingSpec.model_fields,
]


@pytest.mark.parametrize("name", NAMES)
def test_the_readme_documents_it(name):
    assert f"`{name}`" in README, f"README.md does not mention `{name}`"
