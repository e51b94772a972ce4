"""One look inside a model on its probe sequence: the one entry point training calls."""

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from sequences.batch import IGNORE
from sequences.models.bow import BagOfWords
from sequences.models.recurrent import RecurrentNet
from sequences.models.seq2seq import RecurrentOneToMany, RecurrentSeq2Seq
from sequences.models.transformer import TransformerNet, TransformerSeq2Seq
from sequences.models.transformer_one_to_many import TransformerOneToMany
from sequences.probes.inside_bow import look_bow
from sequences.probes.inside_decoder import look_decoder
from sequences.probes.inside_recurrent import look_recurrent
from sequences.probes.inside_transformer import look_one_to_many, look_transformer
from sequences.task import Task


def probe_sequence(task: Task) -> tuple[torch.Tensor, torch.Tensor]:
    """The one sequence every probe of a run looks at: the first validation example, without
    its padding (in the input, and in token targets, where padding is IGNORE)."""
    v = task.validation
    length = int(v.lengths[0]) if v.lengths is not None else v.x.shape[1]
    x, y = v.x[:1, :length], v.y[:1]
    if y.dtype == torch.long and y.dim() == 2:
        real = (y[0] != IGNORE).nonzero()
        y = y[:, : int(real.max()) + 1] if len(real) else y
    return x, y


# Each kind of model, and how to look inside it.
LOOKS: list[tuple[type | tuple[type, ...], Callable[..., dict[str, Any]]]] = [
    (RecurrentNet, look_recurrent),
    ((RecurrentSeq2Seq, RecurrentOneToMany), look_decoder),
    ((TransformerNet, TransformerSeq2Seq), look_transformer),
    (TransformerOneToMany, look_one_to_many),
    (BagOfWords, look_bow),
]


def look(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, vocab: list[str] | None = None
) -> dict[str, Any]:
    """What `model` does inside on one sequence (x, y), in eval mode (no dropout)."""
    was_training = model.training
    model.eval()
    try:
        for kinds, look_inside in LOOKS:
            if isinstance(model, kinds):
                return look_inside(model, x, y, vocab)
        raise TypeError(f"no probe for {type(model).__name__}")
    finally:
        model.train(was_training)
