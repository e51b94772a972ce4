"""What a model produces now, for `sample` events: a forecast against the held-out truth,
text it writes, or its answers on held-out examples as a confusion matrix."""

from typing import Any

import torch
from torch import nn

from sequences.generate import generate
from sequences.task import ClassifiesText, TextTask

MAX_POINTS = 500


@torch.no_grad()
def predictions(
    model: nn.Module, x: torch.Tensor, lengths: torch.Tensor | None = None, batch: int = 256
) -> torch.Tensor:
    """The model's outputs on x (eval mode, in batches)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    try:
        outputs = []
        for start in range(0, len(x), batch):
            part = x[start : start + batch].to(device)
            part_lengths = lengths[start : start + batch] if lengths is not None else None
            outputs.append(model(part, None, part_lengths)[0].float().cpu())
        return torch.cat(outputs)
    finally:
        model.train(was_training)


def text_example(
    model: nn.Module,
    task: TextTask,
    prompt_tokens: int = 24,
    steps: int = 200,
    temperature: float = 0.8,
) -> dict[str, Any]:
    """The model continues the start of the held-out text."""
    prompt = task.validation.x[0, :prompt_tokens].tolist()
    generator = torch.Generator().manual_seed(0)  # the same draws each time: only the model changes
    written = generate(model, prompt, steps, temperature, task.signature.length, generator)
    return {
        "kind": "text",
        "prompt": task.decode(prompt),
        "text": task.decode(written),
        "temperature": temperature,
    }


def classification_example(
    model: nn.Module, task: ClassifiesText, shown: int = 8
) -> dict[str, Any]:
    """Accuracy and the confusion matrix on the held-out examples, and a few of them."""
    v = task.validation
    guesses = predictions(model, v.x, v.lengths).argmax(dim=-1)
    classes = len(task.labels)
    confusion = torch.zeros(classes, classes, dtype=torch.long)
    confusion.index_put_((v.y.cpu(), guesses), torch.ones_like(guesses), accumulate=True)
    examples = [
        {
            "text": task.decode(v.x[i].tolist()),  # decoding drops the padding
            "label": task.labels[int(v.y[i])],
            "predicted": task.labels[int(guesses[i])],
        }
        for i in range(min(shown, len(v.x)))
    ]
    return {
        "kind": "classification",
        "labels": list(task.labels),
        "confusion": confusion.tolist(),  # rows: the true class; columns: the guess
        "accuracy": round(float((guesses == v.y.cpu()).float().mean()), 4),
        "examples": examples,
    }
