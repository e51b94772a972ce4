"""A what-if input, read for the task a model was trained on: a sentence for text tasks, a
string of symbols for copy and reverse, [value, marker] rows for adding, numbers for a
series. Nothing is silently dropped or shortened: a token the model does not know, or an
input longer than it trained on, is a LookError naming the field.

Returns the input x (1, T) or (1, T, F) and the targets where the truth is known (adding,
copy, reverse, the next tokens of a text but its last), else None."""

import torch

from sequences.batch import IGNORE
from sequences.datasets.adding import AddingTask
from sequences.datasets.symbols import SymbolTask
from sequences.datasets.text import LanguageTask
from sequences.predict_synthetic import SyntheticInputError, adding_rows, symbol_ids
from sequences.probes.asking import LookError
from sequences.probes.look import probe_sequence
from sequences.task import Task, TextCodec
from sequences.uploads.tasks import SeriesTask
from sequences.uploads.tokens import tokenize

UNKNOWN = "<unk>"


def read_input(task: Task, given: object) -> tuple[torch.Tensor, torch.Tensor | None]:
    if given is None:
        return probe_sequence(task)
    try:
        if isinstance(task, AddingTask):
            values, markers = adding_rows(task, given)
            x = torch.tensor([list(zip(values, markers, strict=True))], dtype=torch.float32)
            sums = sum(v for v, m in zip(values, markers, strict=True) if m == 1.0)
            return x, torch.tensor([[sums]], dtype=torch.float32)
        if isinstance(task, SymbolTask):
            if not isinstance(given, str) or not given.strip():
                raise LookError("input: type a string of symbols for the model to write back")
            ids = symbol_ids(task, given)
            expected = ids[::-1] if task.reverse else ids
            return torch.tensor([ids]), torch.tensor([expected])
    except SyntheticInputError as exc:
        raise LookError(str(exc)) from None
    if isinstance(task, TextCodec) and task.signature.inputs == "tokens":
        return text_input(task, given)
    if task.signature.inputs == "values":
        return values_input(task, given), None
    raise LookError(
        "input: this kind of task has no what-if input yet; leave input out to look at the "
        "probe sequence"
    )


def text_input(task: Task, given: object) -> tuple[torch.Tensor, torch.Tensor | None]:
    """A sentence as token ids; a language model's targets are the next tokens (the last
    one is unknown: IGNORE, filled with the model's own guess later)."""
    if not isinstance(given, str) or not given.strip():
        raise LookError("input: type some text for the model to read")
    assert isinstance(task, TextCodec)  # read_input sends only tasks that read text
    characters = isinstance(task, LanguageTask) and task.joiner == ""
    typed = tokenize(given, "characters" if characters else "words")
    known = set(task.vocab) - {UNKNOWN}
    # Words alone count: a classifier's vocabulary has no punctuation to know.
    unknown = list(
        dict.fromkeys(t for t in typed if t not in known and (characters or t.isalnum()))
    )
    if unknown:
        shown = ", ".join(repr(t) for t in unknown[:10])
        raise LookError(
            f"input: {shown} {'is' if len(unknown) == 1 else 'are'} not in this model's "
            "vocabulary; use tokens it was trained on"
        )
    ids = task.encode(given)
    longest = task.signature.length
    if not ids:
        raise LookError("input: type some text with words in it")
    if len(ids) > longest:
        raise LookError(
            f"input: {len(ids)} tokens is longer than this model reads; type at most {longest}"
        )
    x = torch.tensor([ids])
    if task.signature.outputs == "tokens":  # a language model: each step's next token
        return x, torch.tensor([[*ids[1:], IGNORE]])
    return x, None


def values_input(task: Task, given: object) -> torch.Tensor:
    """Numbers, one a step (or rows of one value per feature), in the series' own units."""
    features, longest = task.signature.input_size, task.signature.length
    if not isinstance(given, list) or not given:
        raise LookError(f"input: give a list of numbers, at most {longest} of them")
    rows = torch.tensor(given, dtype=torch.float32)
    rows = rows[:, None] if rows.dim() == 1 else rows
    if rows.shape[1] != features:
        raise LookError(f"input: give {features} value(s) a step")
    if not 1 <= len(rows) <= longest:
        raise LookError(f"input: give 1 to {longest} steps (the longest this model reads)")
    if not torch.isfinite(rows).all():
        raise LookError("input: every value must be a finite number")
    if isinstance(task, SeriesTask):
        rows = (rows - task.center) / task.scale  # the scale the model was trained on
    return rows[None]  # (1, T, F)
