"""Inside the bag-of-words baseline: what each word says on its own, and the gradient at
each position, which is the same for a word wherever it stands: the model cannot see order."""

from typing import Any

import torch

from sequences.batch import PAD
from sequences.models.bow import BagOfWords
from sequences.models.losses import task_loss
from sequences.probes.labels import axis_labels, significant
from sequences.probes.payload import bounded


def look_bow(
    model: BagOfWords, x: torch.Tensor, y: torch.Tensor, vocab: list[str] | None
) -> dict[str, Any]:
    words = model.words(x).detach().requires_grad_(True)  # (1, T, E)
    real = (x != PAD).float()[..., None]
    bag = (words * real).sum(dim=1) / real.sum(dim=1).clamp(min=1)
    loss = task_loss(model.signature, model.answer(bag)[0], y)
    (grad,) = torch.autograd.grad(loss, [words])  # parameters' .grad untouched
    with torch.no_grad():
        votes = model.head(torch.relu(model.hidden(words[0])))  # (T, O): each word alone
    arrays = {"words.embedding": words[0].detach(), "words.vote": votes}
    heatmaps, time_kept = bounded(arrays, x.shape[1])
    return {
        "cell": "bow",
        "time": time_kept,
        "heatmaps": heatmaps,
        "grad_by_time": significant(grad[0].norm(dim=-1)[time_kept]),
        "inputs": axis_labels(x[0], time_kept, vocab),
        "loss": round(loss.item(), 6),
    }
