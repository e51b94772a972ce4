"""Trying a trained model: write from a prompt, classify a sentence, forecast a series,
add two marked numbers, copy or reverse a string (sequences/predict_synthetic.py).

`answer(task, model, request)` reads a validated PredictRequest and returns a JSON-ready
dict with "output"; a request the task cannot answer raises PredictError. Text in is
never silently shortened: "tokens" lists every typed token with whether the model knows
it, and "unknown" the ones it does not."""

from typing import Any

import torch
from pydantic import Field
from torch import nn

from sequences.datasets.adding import AddingTask
from sequences.datasets.catalog import DatasetInfo
from sequences.datasets.symbols import SymbolTask
from sequences.datasets.text import LanguageTask
from sequences.examples import predictions
from sequences.generate import generate
from sequences.predict_synthetic import SyntheticInputError, add, copy_or_reverse
from sequences.strict import Strict
from sequences.task import ClassifiesText, Task
from sequences.uploads.tasks import SeriesTask
from sequences.uploads.tokens import tokenize

UNKNOWN = "<unk>"
# Built-in lesson tasks that can be tried, by dataset id.
LESSON_TRIES = {"adding": "add", "copy": "sequence", "reverse": "sequence"}


class PredictError(ValueError):
    """A request this run cannot answer, in a sentence for the person who asked."""


class PredictRequest(Strict):
    input: str | list[float] | list[list[float]] | None = Field(None)  # prompt, sentence, values
    temperature: float = Field(0.8, ge=0, le=2)  # text: 0 always takes the likeliest token
    length: int = Field(200, ge=1, le=1000)  # text: tokens to write
    steps: int | None = Field(None, ge=1, le=500)  # series: steps to forecast
    seed: int = Field(0, ge=0)


def try_kind(info: DatasetInfo) -> str | None:
    """What a person can try with a model trained on this dataset: write, classify,
    forecast, add (the adding problem) or sequence (copy, reverse)."""
    if info.builtin and info.id in LESSON_TRIES:
        return LESSON_TRIES[info.id]
    if info.kind == "text":
        return "write"
    if info.kind == "labelled-text":
        return "classify"
    if info.kind == "series" and (not info.builtin or info.preview is not None):
        return "forecast"  # uploaded or real series (the generated sines have no one series)
    return None


def answer(task: Task, model: nn.Module, request: PredictRequest) -> dict[str, Any]:
    if isinstance(task, LanguageTask):
        return write(task, model, request)
    if isinstance(task, SeriesTask):
        return forecast(task, model, request)
    if isinstance(task, ClassifiesText):
        return classify(task, model, request)
    try:
        if isinstance(task, AddingTask):
            return add(task, model, request.input)
        if isinstance(task, SymbolTask):
            return copy_or_reverse(task, model, request.input)
    except SyntheticInputError as exc:
        raise PredictError(str(exc)) from None
    raise PredictError(
        "this kind of task has no 'try it' yet: it works for text (write from a prompt), "
        "classification (classify a sentence), series (forecast the next values), the "
        "adding problem, copy and reverse"
    )


def text_input(request: PredictRequest, what: str) -> str:
    if not isinstance(request.input, str) or not request.input.strip():
        raise PredictError(f"input: type {what}")
    return request.input


def typed_tokens(vocab: list[str], tokens: list[str]) -> dict[str, Any]:
    """Every typed token with whether the model knows it ("tokens"), and the distinct
    ones it does not ("unknown"), in the order typed."""
    known = set(vocab) - {UNKNOWN}
    marked = [{"text": t, "known": t in known} for t in tokens]
    unknown = list(dict.fromkeys(t for t in tokens if t not in known))
    return {"tokens": marked, "unknown": unknown}


def write(task: LanguageTask, model: nn.Module, request: PredictRequest) -> dict[str, Any]:
    typed = text_input(request, "a prompt for the model to continue")
    prompt = task.encode(typed)
    if not prompt:
        raise PredictError("input: none of the prompt's tokens are in this model's vocabulary")
    generator = torch.Generator().manual_seed(request.seed)
    written = generate(model, prompt, request.length, request.temperature, task.length, generator)
    seen = typed_tokens(task.vocab, tokenize(typed, "characters" if task.joiner == "" else "words"))
    return {
        "output": task.decode(written),
        # The prompt as typed: an unknown character is shown (see "tokens"), never dropped.
        "prompt": typed
        if task.joiner == ""
        else task.joiner.join(t["text"] for t in seen["tokens"]),
        "read": task.decode(prompt),  # what the model read (unknown tokens as <unk> or left out)
        **seen,
    }


def classify(task: ClassifiesText, model: nn.Module, request: PredictRequest) -> dict[str, Any]:
    typed = text_input(request, "a sentence to classify")
    ids = task.encode(typed)
    if not ids:
        raise PredictError("input: type a sentence with words in it")
    x = torch.tensor([ids])
    scores = predictions(model, x, torch.tensor([len(ids)]))[0]
    probabilities = torch.softmax(scores, dim=-1).tolist()
    best = max(range(len(probabilities)), key=probabilities.__getitem__)
    unknown_id = task.vocab.index(UNKNOWN) if UNKNOWN in task.vocab else None
    known = sum(i != unknown_id for i in ids)
    read = [task.vocab[i] for i in ids]
    return {
        "output": str(task.labels[best]),
        "probabilities": {
            str(k): round(p, 4) for k, p in zip(task.labels, probabilities, strict=True)
        },
        "read": task.decode(ids),  # what the model saw (unknown words as <unk>)
        "tokens": [{"text": t, "known": i != unknown_id} for t, i in zip(read, ids, strict=True)],
        "unknown": list(
            dict.fromkeys(
                w for w in tokenize(typed, "words") if w.isalnum() and w not in task.vocab
            )
        ),
        "known_words": known,
        # A model that read only <unk> answers the same for every such sentence: its
        # probabilities say nothing about what was typed.
        "caution": None
        if known
        else (
            "The model knows none of these words: it read only <unk>, so this answer is "
            "what it says to any unknown sentence, not a judgement of yours."
        ),
    }


def forecast(task: SeriesTask, model: nn.Module, request: PredictRequest) -> dict[str, Any]:
    """The next `steps` values after the given ones (default: the series' last window),
    one model step at a time, each forecast fed back as the newest input."""
    window, features = task.window, len(task.columns)
    if request.input is None:
        recent = task.values[-window:]
    else:
        values = torch.tensor(request.input, dtype=torch.float32)
        values = values[:, None] if values.dim() == 1 else values
        if values.shape[1] != features or len(values) < window:
            raise PredictError(
                f"input: give at least {window} rows of {features} value(s) "
                f"({', '.join(task.columns)}), or nothing to continue the series"
            )
        recent = (values[-window:] - task.center) / task.scale
    steps = request.steps or task.ahead
    written: list[torch.Tensor] = []
    while len(written) < steps:
        out = predictions(model, recent[None])[0]  # (F,) or (T, F) or (H, F)
        new = (
            out[None]
            if task.paradigm == "many-to-one"
            else out[-1:]
            if task.paradigm == "many-to-many"
            else out
        )
        written.extend(new)
        recent = torch.cat([recent, new])[-window:]
    values = task.original_units(torch.stack(written[:steps]))
    return {
        "output": {
            c: [round(float(v), 5) for v in values[:, i]] for i, c in enumerate(task.columns)
        },
        "steps": steps,
    }
