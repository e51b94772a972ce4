"""Ask a trained model why: look inside it on any input, with interventions, and show one
step's arithmetic (POST /api/runs/{id}/look).

`what_if(task, model, asked)` answers {"probe", "output"}: the probe event's data for the
input (the run's probe sequence when none is given) and what the model answers; with
interventions also "before" (the same without them) and "difference" (after − before per
state heatmap, the causal cone of the change, for recurrent models); with `explain`, the
arithmetic of one step. Where the truth of an input is unknown (a typed sentence's class, a
series' next value) the probe's loss and gradients are taken against the model's own answer.
"""

from typing import Any

import torch
from torch import nn

from sequences.batch import IGNORE
from sequences.models.bow import BagOfWords
from sequences.models.recurrent import RecurrentNet
from sequences.models.seq2seq import RecurrentOneToMany, RecurrentSeq2Seq
from sequences.models.transformer import TransformerNet, TransformerSeq2Seq
from sequences.models.transformer_one_to_many import TransformerOneToMany
from sequences.probes.answers import answer_of
from sequences.probes.asking import Clamp, LookError, LookRequest, MaskHead, SetUnit
from sequences.probes.explain import explain
from sequences.probes.inside_bow import look_bow
from sequences.probes.inside_decoder import look_decoder
from sequences.probes.inside_recurrent import (
    Inside,
    inside_recurrent,
    named_norms,
    recurrent_payload,
)
from sequences.probes.interventions import RecurrentEdits, head_masks, head_name, masked_heads
from sequences.probes.look import look
from sequences.probes.payload import bounded
from sequences.probes.what_if_input import read_input
from sequences.task import Task, vocab_of

DECODERS = (RecurrentSeq2Seq, RecurrentOneToMany)
TRANSFORMERS = (TransformerNet, TransformerSeq2Seq, TransformerOneToMany)


def what_if(task: Task, model: nn.Module, asked: LookRequest) -> dict[str, Any]:
    """Raises LookError for a request this model cannot answer."""
    was_training = model.training
    model.eval()
    try:
        x, known = read_input(task, asked.input)
        refuse_what_it_lacks(model, asked)
        # One forward on the fused modules: the model's plain answer, and the targets where
        # the truth is unknown.
        with torch.no_grad():
            plain = model(x)[0]
        y = targets(task, x, known, plain)
        if isinstance(model, RecurrentNet):
            return recurrent(task, model, x, y, asked)
        if isinstance(model, TRANSFORMERS):
            return transformer(task, model, x, y, asked)
        vocab = vocab_of(task)
        probe = look_bow(model, x, y, vocab) if isinstance(model, BagOfWords) else None
        if isinstance(model, DECODERS):
            probe = look_decoder(model, x, y, vocab)
        if probe is None:
            raise TypeError(f"no look for {type(model).__name__}")
        return {"probe": probe, "output": answer_of(task, x, known, plain)}
    finally:
        model.train(was_training)


def refuse_what_it_lacks(model: nn.Module, asked: LookRequest) -> None:
    """Interventions and arithmetic each need a kind of model; say which, by field."""
    recurrent, transformer = isinstance(model, RecurrentNet), isinstance(model, TRANSFORMERS)
    for index, change in enumerate(asked.interventions):
        field = f"interventions[{index}]"
        if isinstance(model, BagOfWords):
            raise LookError(
                f"{field}: the bag of words has no gates, states or heads to change; try "
                "a different input instead"
            )
        if isinstance(model, DECODERS):
            raise LookError(
                f"{field}: interventions work on recurrent readers and transformers; for an "
                "encoder-decoder, try a different input instead"
            )
        if isinstance(change, MaskHead) and not transformer:
            raise LookError(f"{field}.kind: a recurrent model has no attention heads to mask")
        if isinstance(change, (Clamp, SetUnit)) and not recurrent:
            raise LookError(
                f"{field}.kind: a transformer has no gates or recurrent units; mask a head instead"
            )
    if asked.explain is not None and not recurrent:
        raise LookError(
            "explain: one step's arithmetic is for recurrent readers (rnn, lstm, gru, mingru, "
            "minlstm or ssm in many-to-one, many-to-many or one-to-one); this model has no "
            "such step"
        )


def targets(
    task: Task, x: torch.Tensor, known: torch.Tensor | None, plain: torch.Tensor
) -> torch.Tensor:
    """The truth where it is known, else the model's own (plain) answer."""
    tokens = task.signature.outputs in ("classes", "tokens")
    own = plain.argmax(dim=-1) if tokens else plain.detach()
    if known is None:
        if task.signature.causal and x.shape[1] > 1:  # each step's target is the next input
            return torch.cat([x[:, 1:], own[:, -1:]], dim=1)
        return own
    if known.dtype == torch.long and known.dim() == 2 and known.shape == own.shape:
        # The next token after a typed text is unknown: the model's own guess stands in.
        return torch.where(known == IGNORE, own, known)
    return known


def recurrent(
    task: Task, model: RecurrentNet, x: torch.Tensor, y: torch.Tensor, asked: LookRequest
) -> dict[str, Any]:
    vocab, T = vocab_of(task), x.shape[1]
    changes = [c for c in asked.interventions if isinstance(c, (Clamp, SetUnit))]
    edits = RecurrentEdits(changes, model.rnn, T) if changes else None
    after = inside_recurrent(model, x, y, edits)
    norms = named_norms(model.rnn)  # the weights', the same before and after
    body: dict[str, Any] = {
        "probe": recurrent_payload(model, x, after, vocab, norms),
        "output": answer_of(task, x, y, after.output),
    }
    if edits is not None:
        before = inside_recurrent(model, x, y)
        body["before"] = {
            "probe": recurrent_payload(model, x, before, vocab, norms),
            "output": answer_of(task, x, y, before.output),
        }
        body["difference"] = difference(before, after, T)
    if asked.explain is not None:
        with torch.no_grad():
            embedded = model.inputs(x)
        body["explain"] = explain(model.rnn, embedded, after.layers, asked.explain, edits)
    return body


def difference(before: Inside, after: Inside, T: int) -> dict[str, Any]:
    """after − before for every state heatmap, within one event's budget: zero outside the
    causal cone of the change."""
    changed = {name: after.arrays[name] - before.arrays[name] for name in after.arrays}
    heatmaps, time_kept = bounded(changed, T)
    return {"time": time_kept, "heatmaps": heatmaps}


def transformer(
    task: Task,
    model: TransformerNet | TransformerSeq2Seq | TransformerOneToMany,
    x: torch.Tensor,
    y: torch.Tensor,
    asked: LookRequest,
) -> dict[str, Any]:
    vocab = vocab_of(task)
    masks = [c for c in asked.interventions if isinstance(c, MaskHead)]
    masked = head_masks(model, masks)

    def looked() -> dict[str, Any]:
        probe = look(model, x, y, vocab)
        with torch.no_grad():
            output = model(x)[0]
        return {"probe": probe, "output": answer_of(task, x, y, output)}

    with masked_heads(masked):
        body = looked()
    if masks:
        body["probe"]["masked_heads"] = [head_name(model, m) for m in masks]
        body["before"] = looked()
    return body
