"""Trying a model trained on a lesson task: the adding problem, copy and reverse.

Adding: the person gives the whole sequence (one [value, marker] row a step, as trained)
and gets the model's sum beside the true one. Copy and reverse: the person types a string
of the model's symbols and gets what the model writes beside the right answer. Symbol i
is typed as SYMBOL_CHARACTERS[i] (0-9, then a-z, then A-Z); a task with more symbols than
that reads space-separated names ("s0 s12 s71")."""

import math
from typing import Any

import torch
from torch import nn

from sequences.datasets.adding import AddingTask
from sequences.datasets.symbols import FIRST_SYMBOL, SymbolTask
from sequences.examples import predictions

SYMBOL_CHARACTERS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


class SyntheticInputError(ValueError):
    """An input the lesson's model cannot read, in a sentence for the person who typed it."""


def adding_rows(task: AddingTask, rows: object) -> tuple[list[float], list[float]]:
    """(values, markers) of a typed adding sequence: `task.length` rows of [value, marker]."""
    if not (
        isinstance(rows, list)
        and len(rows) == task.length
        and all(isinstance(row, list) and len(row) == 2 for row in rows)
    ):
        raise SyntheticInputError(
            f"input: give {task.length} rows of [value, marker], one a time step, "
            "as this model was trained on"
        )
    values = [float(value) for value, _ in rows]
    markers = [float(marker) for _, marker in rows]
    if not all(math.isfinite(v) for v in values) or any(m not in (0.0, 1.0) for m in markers):
        raise SyntheticInputError("input: each value must be a number, each marker 0 or 1")
    return values, markers


def add(task: AddingTask, model: nn.Module, rows: object) -> dict[str, Any]:
    """The model's sum of the marked values, with the true sum and where the marks are."""
    values, markers = adding_rows(task, rows)
    x = torch.tensor([list(zip(values, markers, strict=True))], dtype=torch.float32)  # (1, T, 2)
    return added(task, values, markers, float(predictions(model, x)[0].reshape(-1)[0]))


def added(
    task: AddingTask, values: list[float], markers: list[float], said: float
) -> dict[str, Any]:
    """The model's sum `said` of the marked values, beside the true one."""
    marked = [step for step, marker in enumerate(markers) if marker == 1.0]
    return {
        "output": round(said, 4),
        "expected": round(sum(values[step] for step in marked), 4),
        "marked": marked,
        # Trained on exactly two marks, one in each half: elsewhere it is guessing.
        "as_trained": len(marked) == 2 and marked[0] < task.length // 2 <= marked[1],
    }


def typed_one_a_character(task: SymbolTask) -> bool:
    return task.symbols <= len(SYMBOL_CHARACTERS)


def symbol_name(task: SymbolTask, token: int) -> str:
    """A token as the person types it; a pad or start token where a symbol belongs is "?"."""
    if token < FIRST_SYMBOL:
        return "?"
    symbol = token - FIRST_SYMBOL
    return SYMBOL_CHARACTERS[symbol] if typed_one_a_character(task) else f"s{symbol}"


def symbol_text(task: SymbolTask, ids: list[int]) -> str:
    """Tokens as the person types them."""
    return ("" if typed_one_a_character(task) else " ").join(symbol_name(task, i) for i in ids)


def alphabet(task: SymbolTask) -> str:
    """The symbols a person may type, as a range: "0 to 9", "s0 to s71"."""
    first, last = FIRST_SYMBOL, FIRST_SYMBOL + task.symbols - 1
    return f"{symbol_name(task, first)} to {symbol_name(task, last)}"


def symbol_ids(task: SymbolTask, text: str) -> list[int]:
    """The typed string as symbol ids; every piece that is not a symbol of this task is
    named in the error (none is silently left out)."""
    known = {
        **{SYMBOL_CHARACTERS[s]: s for s in range(min(task.symbols, len(SYMBOL_CHARACTERS)))},
        **{f"s{s}": s for s in range(task.symbols)},
    }
    pieces = text.split() if any(c.isspace() for c in text.strip()) else list(text.strip())
    unknown = sorted({p for p in pieces if p not in known})
    if unknown:
        shown = ", ".join(repr(p) for p in unknown[:10])
        raise SyntheticInputError(
            f"input: {shown} {'is' if len(unknown) == 1 else 'are'} not among this model's "
            f"symbols ({alphabet(task)})"
        )
    if not 1 <= len(pieces) <= task.max_length:
        raise SyntheticInputError(
            f"input: type 1 to {task.max_length} symbols (the longest this model trained on)"
        )
    return [FIRST_SYMBOL + known[p] for p in pieces]


def copy_or_reverse(task: SymbolTask, model: nn.Module, text: object) -> dict[str, Any]:
    """What the model writes for the typed symbols, and what it should have written."""
    if not isinstance(text, str) or not text.strip():
        raise SyntheticInputError("input: type a string of symbols for the model to write back")
    ids = symbol_ids(task, text)
    x = torch.tensor([ids])
    written = predictions(model, x, torch.tensor([len(ids)]))[0].argmax(dim=-1)[: len(ids)]
    written_ids = [int(i) for i in written]
    expected = ids[::-1] if task.reverse else ids
    return {
        "output": symbol_text(task, written_ids),
        "read": symbol_text(task, ids),
        "expected": symbol_text(task, expected),
        "correct": sum(a == b for a, b in zip(written_ids, expected, strict=True)),
        "symbols": len(ids),
    }
