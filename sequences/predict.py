"""Trying a trained model: write from a prompt, classify a sentence, forecast a series.

`answer(task, model, request)` reads a validated PredictRequest and returns a JSON-ready
dict with "output"; a request the task cannot answer raises PredictError."""

from typing import Any

import torch
from pydantic import Field
from torch import nn

from sequences.datasets.catalog import DatasetInfo
from sequences.datasets.text import LanguageTask
from sequences.examples import predictions
from sequences.generate import generate
from sequences.strict import Strict
from sequences.task import ClassifiesText, Task
from sequences.uploads.tasks import SeriesTask


class PredictError(ValueError):
    """A request this run cannot answer, in a sentence for the person who asked."""


class PredictRequest(Strict):
    input: str | list[float] | list[list[float]] | None = Field(None)  # prompt, sentence, values
    temperature: float = Field(0.8, ge=0, le=2)  # text: 0 always takes the likeliest token
    length: int = Field(200, ge=1, le=1000)  # text: tokens to write
    steps: int | None = Field(None, ge=1, le=500)  # series: steps to forecast
    seed: int = Field(0, ge=0)


def try_kind(info: DatasetInfo) -> str | None:
    """What a person can try with a model trained on this dataset: write, classify, forecast."""
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
    raise PredictError(
        "this kind of task has no 'try it' yet: it works for text (write from a prompt), "
        "classification (classify a sentence) and series (forecast the next values)"
    )


def text_input(request: PredictRequest, what: str) -> str:
    if not isinstance(request.input, str) or not request.input.strip():
        raise PredictError(f"input: type {what}")
    return request.input


def write(task: LanguageTask, model: nn.Module, request: PredictRequest) -> dict[str, Any]:
    prompt = task.encode(text_input(request, "a prompt for the model to continue"))
    if not prompt:
        raise PredictError("input: none of the prompt's tokens are in this model's vocabulary")
    generator = torch.Generator().manual_seed(request.seed)
    written = generate(model, prompt, request.length, request.temperature, task.length, generator)
    return {"output": task.decode(written), "prompt": task.decode(prompt)}


def classify(task: ClassifiesText, model: nn.Module, request: PredictRequest) -> dict[str, Any]:
    ids = task.encode(text_input(request, "a sentence to classify"))
    if not ids:
        raise PredictError("input: none of the sentence's words are in this model's vocabulary")
    x = torch.tensor([ids])
    scores = predictions(model, x, torch.tensor([len(ids)]))[0]
    probabilities = torch.softmax(scores, dim=-1).tolist()
    best = max(range(len(probabilities)), key=probabilities.__getitem__)
    return {
        "output": str(task.labels[best]),
        "probabilities": {
            str(k): round(p, 4) for k, p in zip(task.labels, probabilities, strict=True)
        },
        "read": task.decode(ids),  # what the model saw (unknown words as <unk>)
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
