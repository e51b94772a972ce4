"""The build form offers each cell with a name and a one-line idea, and shows a control for
the cells it applies to: the parallel-scan cells share the recurrent readers' controls."""

import typing

import pytest

from playground.runs.form import form
from sequences.models import PARALLEL
from sequences.spec import Cell

CONTROLS = {control["path"]: control for group in form() for control in group["controls"]}


def test_every_cell_has_a_name_and_a_one_line_idea():
    cell = CONTROLS["model.cell"]
    labels = {option["value"]: option["label"] for option in cell["options"]}
    assert list(labels) == list(typing.get_args(Cell))
    assert all(labels[c] != c for c in ("mingru", "minlstm", "ssm")), labels
    for name, hint in cell["choice_hints"].items():
        assert "\n" not in hint and hint.endswith("."), name
    assert set(cell["choice_hints"]) == set(typing.get_args(Cell))


@pytest.mark.parametrize("cell", PARALLEL)
def test_a_parallel_cell_says_how_it_differs_from_the_gru_the_lstm_and_attention(cell):
    hint = CONTROLS["model.cell"]["choice_hints"][cell]
    assert "parallel scan" in hint
    assert "attention" in hint
    assert "GRU" in hint or "LSTM" in hint


@pytest.mark.parametrize("cell", PARALLEL)
@pytest.mark.parametrize(
    "path",
    [
        "model.layers",
        "model.dropout",
        "model.bidirectional",  # shown, and greyed out with why by the live check
        "model.attention",
        "training.teacher_forcing",
        "training.tbptt",
    ],
)
def test_a_parallel_cell_gets_the_recurrent_readers_controls(cell, path):
    assert cell in CONTROLS[path]["when"]["cell"]


@pytest.mark.parametrize("cell", PARALLEL)
def test_a_parallel_cell_has_no_activation_to_choose(cell):
    assert cell not in CONTROLS["model.activation"]["when"]["cell"]
