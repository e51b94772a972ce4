"""Models. Every model answers the same call: forward(x, targets=None, lengths=None)
-> (output, loss). Choosing one is the `if` chain in build_model."""

from __future__ import annotations

from torch import nn

from sequences.models.bow import BagOfWords
from sequences.models.recurrent import RecurrentNet
from sequences.models.seq2seq import RecurrentOneToMany, RecurrentSeq2Seq
from sequences.models.transformer import TransformerNet, TransformerSeq2Seq
from sequences.models.transformer_one_to_many import TransformerOneToMany
from sequences.settings import Recipe
from sequences.task import Signature

RECURRENT = ("rnn", "lstm", "gru")  # torch's fused modules
PARALLEL = ("mingru", "minlstm", "ssm")  # recurrences that train as one parallel scan
READERS = RECURRENT + PARALLEL  # every cell that reads a sequence step by step


def build_model(spec: Recipe, signature: Signature) -> nn.Module:
    """The model a spec describes, sized for its task's signature."""
    cell, paradigm = spec.model.cell, spec.paradigm
    if cell == "bow":
        return BagOfWords(spec, signature)
    if cell == "transformer" and paradigm == "seq2seq":
        return TransformerSeq2Seq(spec, signature)
    if cell == "transformer" and paradigm == "one-to-many":
        return TransformerOneToMany(spec, signature)
    if cell == "transformer":
        return TransformerNet(spec, signature)  # one-to-one, many-to-one, many-to-many
    if paradigm == "seq2seq":
        return RecurrentSeq2Seq(spec, signature)
    if paradigm == "one-to-many":
        return RecurrentOneToMany(spec, signature)
    return RecurrentNet(spec, signature)  # one-to-one, many-to-one, many-to-many


def why_not(spec: Recipe, signature: Signature, streams: bool = False) -> tuple[str, str] | None:
    """(field, reason) when this combination cannot be built, else None. `streams`: the task
    can be read as one long stream (truncated BPTT needs that)."""
    m, paradigm = spec.model, spec.paradigm
    if spec.training.tbptt and not (m.cell in READERS and paradigm == "many-to-many" and streams):
        return "training.tbptt", (
            "truncated BPTT streams one long text through a recurrent language model: "
            "choose a text dataset, many-to-many and a recurrent cell"
        )
    if m.cell == "bow" and (paradigm != "one-to-one" or signature.inputs != "tokens"):
        return "model.cell", (
            "bow, the bag-of-words baseline, reads a whole sentence as one bag of words: it needs "
            "a dataset of words (like sentiment) and the one-to-one paradigm"
        )
    if m.cell != "bow" and paradigm == "one-to-one" and signature.length > 1:
        return "model.cell", (
            "one-to-one reads a single input, and a whole sentence as one input is a bag of its "
            "words: choose bow here, or many-to-one to read it word by word"
        )
    if m.cell == "transformer" and m.input_encoding == "one-hot" and signature.inputs == "tokens":
        return "model.input_encoding", (
            "a transformer adds positions to vectors of its own width, and one-hot vectors are "
            "as wide as the vocabulary: choose embedding (a one-hot vector times a matrix is "
            "exactly an embedding lookup)"
        )
    if m.cell == "transformer" and m.hidden % m.heads:
        return "model.heads", f"the width {m.hidden} must divide into {m.heads} heads evenly"
    if m.activation != "tanh" and m.cell != "rnn":
        return "model.activation", "only the vanilla RNN has a choice of activation"
    if m.bidirectional and m.cell in PARALLEL:
        return "model.bidirectional", (
            f"{m.cell} reads forwards only: its parallel scan runs the recurrence one way, as "
            "in its paper. Choose rnn, lstm or gru to read both ways"
        )
    if m.bidirectional and (m.cell not in RECURRENT or paradigm in ("one-to-one", "one-to-many")):
        return (
            "model.bidirectional",
            "bidirectional reading needs a recurrent cell reading a sequence",
        )
    if m.bidirectional and signature.causal:
        return "model.bidirectional", (
            "this task predicts each next step, so reading backwards would show the model the answer"
        )
    if m.attention and (m.cell not in READERS or paradigm != "seq2seq"):
        return "model.attention", "attention over encoder states is for recurrent seq2seq decoders"
    if spec.training.teacher_forcing < 1 and (
        paradigm not in ("seq2seq", "one-to-many") or m.cell == "transformer"
    ):
        return "training.teacher_forcing", (
            "teacher forcing below 1 applies to recurrent decoders (seq2seq and one-to-many)"
        )
    if spec.training.init != "default" and m.cell in PARALLEL:
        return "training.init", (
            f"{m.cell} has no recurrent matrix W_hh: in h_t = a_t ⊙ h_(t-1) + b_t, a_t and b_t "
            "are made from x_t alone, so there is nothing for xavier, orthogonal or identity "
            "initialisation to shape"
        )
    return None
