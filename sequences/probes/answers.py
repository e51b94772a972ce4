"""What the model answers, from its raw output on one sequence, shaped as "Try it"
(sequences/predict.py) answers for the same task, so a page can say "the model answers X"
before and after an intervention."""

from typing import Any

import torch

from sequences.datasets.adding import AddingTask
from sequences.datasets.symbols import SymbolTask
from sequences.predict_synthetic import added, symbol_text
from sequences.task import Labelled, Task, vocab_of
from sequences.uploads.tasks import SeriesTask

TOP = 5  # the likeliest next tokens shown


def answer_of(
    task: Task, x: torch.Tensor, y: torch.Tensor | None, output: torch.Tensor
) -> dict[str, Any]:
    """`output` is the model's (1, O) or (1, T, O) answer to x (1, T, ...); y the truth."""
    signature = task.signature
    if signature.outputs == "classes":
        probabilities = torch.softmax(output[0].float(), dim=-1).tolist()
        names = [str(label) for label in task.labels] if isinstance(task, Labelled) else None
        named = names or [str(i) for i in range(len(probabilities))]
        best = max(range(len(probabilities)), key=probabilities.__getitem__)
        return {
            "output": named[best],
            "probabilities": {n: round(p, 4) for n, p in zip(named, probabilities, strict=True)},
        }
    if signature.outputs == "tokens" and isinstance(task, SymbolTask):
        expected = [] if y is None else [int(i) for i in y[0]]
        written = [int(i) for i in output[0].argmax(dim=-1)][: len(expected) or None]
        return {
            "output": symbol_text(task, written),
            "expected": symbol_text(task, expected),
            "correct": sum(a == b for a, b in zip(written, expected, strict=False)),
            "symbols": len(expected),
        }
    if signature.outputs == "tokens":  # a language model: what comes after the last token
        vocab = vocab_of(task)
        likelihood = torch.softmax(output[0, -1].float(), dim=-1)
        top = likelihood.topk(min(TOP, len(likelihood)))
        names = [vocab[i] if vocab else str(i) for i in top.indices.tolist()]
        return {
            "output": names[0],
            "next": {n: round(p, 4) for n, p in zip(names, top.values.tolist(), strict=True)},
        }
    if isinstance(task, AddingTask):
        values, markers = x[0, :, 0].tolist(), x[0, :, 1].tolist()
        return added(task, values, markers, float(output.reshape(-1)[0]))
    answers = output[0].reshape(-1, signature.output_size)  # (steps, F)
    if isinstance(task, SeriesTask):
        answers = task.original_units(answers)
        return {
            "output": {
                c: [round(float(v), 5) for v in answers[:, i]] for i, c in enumerate(task.columns)
            }
        }
    return {"output": [[round(float(v), 5) for v in row] for row in answers]}
