"""Every cell in every paradigm: built with the right shapes, or refused with a reason."""

import pytest
import torch

from sequences.datasets import CATALOG
from sequences.estimate import exact_parameters
from sequences.models import build_model
from sequences.spec import SpecError
from sequences.tasks import make_task
from sequences.train import train
from tests.sequences.helpers import small

CELLS = ["rnn", "lstm", "gru", "mingru", "minlstm", "ssm", "transformer", "bow"]
COMBINATIONS = [(d, p, c) for d, info in CATALOG.items() for p in info.paradigms for c in CELLS]


def output_matches_targets(output, y, signature):
    if signature.outputs == "classes":
        return output.shape == (*y.shape, signature.output_size)
    if signature.outputs == "tokens":
        return output.shape == (*y.shape, signature.output_size)
    return output.shape == y.shape


@pytest.mark.parametrize(
    "dataset, paradigm, cell", COMBINATIONS, ids=["-".join(c) for c in COMBINATIONS]
)
def test_every_combination_trains_or_is_refused_with_a_reason(dataset, paradigm, cell):
    try:
        spec = small(dataset, paradigm, cell, training={"steps": 3})
    except SpecError as refused:
        assert refused.details[0]["field"].startswith("model."), refused.message
        assert len(refused.details[0]["message"]) > 30  # a reason, not a code
        return
    task = make_task(spec)
    model = build_model(spec, task.signature)
    batch = task.sample(5, torch.Generator().manual_seed(0))
    output, loss = model(batch.x, batch.y, batch.lengths)
    assert output_matches_targets(output, batch.y, task.signature), (output.shape, batch.y.shape)
    assert loss.ndim == 0 and torch.isfinite(loss)
    assert train(spec).status == "completed"


def test_every_paradigm_is_served_by_a_builtin_dataset():
    served = {p for info in CATALOG.values() for p in info.paradigms}
    assert served == {"one-to-one", "one-to-many", "many-to-one", "many-to-many", "seq2seq"}


@pytest.mark.parametrize(
    "dataset, paradigm, cell, model",
    [
        ("adding", None, "lstm", {"layers": 3, "bidirectional": True}),
        (
            "sentiment",
            "many-to-one",
            "transformer",
            {"layers": 2, "heads": 2, "positional": "learned"},
        ),
        ("copy", None, "gru", {"attention": True, "bidirectional": True, "layers": 2}),
        ("reverse", None, "transformer", {"layers": 2, "ff": 40}),
        ("wave", None, "lstm", {"layers": 2}),
        ("wave", None, "transformer", {"layers": 2, "heads": 2, "positional": "learned"}),
        ("sine", "one-to-one", "transformer", {"heads": 2}),
        ("sentiment", "one-to-one", "bow", {"input_encoding": "one-hot"}),
        ("adding", None, "ssm", {"layers": 2}),
        ("wave", None, "ssm", {"layers": 2}),
        ("copy", None, "mingru", {"attention": True}),
        ("sentiment", "many-to-one", "minlstm", {"layers": 3}),
    ],
)
def test_the_parameter_count_is_exact(dataset, paradigm, cell, model):
    spec = small(dataset, paradigm, cell, model=model)
    signature = make_task(spec).signature
    built = build_model(spec, signature)
    assert exact_parameters(spec, signature) == sum(p.numel() for p in built.parameters())


def recurrent_parameters(cell):
    rnn = build_model(
        small("adding", cell=cell, model={"hidden": 32}), make_task(small()).signature
    ).rnn
    return sum(p.numel() for p in rnn.parameters())


def test_a_gru_has_three_quarters_of_an_lstms_recurrent_parameters():
    assert recurrent_parameters("gru") * 4 == recurrent_parameters("lstm") * 3


@pytest.mark.parametrize(
    "dataset, paradigm, cell, model",
    [
        ("sentiment", "many-to-one", "rnn", {}),
        ("sentiment", "many-to-one", "lstm", {"bidirectional": True, "layers": 2}),
        ("sentiment", "many-to-one", "gru", {"input_encoding": "one-hot"}),
        ("sentiment", "many-to-one", "transformer", {"heads": 2}),
        ("sentiment", "one-to-one", "bow", {}),
        ("copy", "seq2seq", "lstm", {"attention": True, "bidirectional": True}),
        ("reverse", "seq2seq", "transformer", {"heads": 2}),
        ("sentiment", "many-to-one", "mingru", {"layers": 2}),
        ("sentiment", "many-to-one", "ssm", {"layers": 2}),
        ("copy", "seq2seq", "minlstm", {"attention": True}),
        ("copy", "seq2seq", "ssm", {"layers": 2}),
    ],
)
def test_appending_padding_changes_no_prediction_and_no_loss(dataset, paradigm, cell, model):
    spec = small(dataset, paradigm, cell, model=model)
    task = make_task(spec)
    net = build_model(spec, task.signature).eval()
    # Sequences at least 2 shorter than the longest possible, trimmed to their own width,
    # then padded up to the longest width any batch of this dataset can have.
    batch = task.validation
    short = batch.lengths <= task.signature.length - 2
    x, y, lengths = batch.x[short][:16], batch.y[short][:16], batch.lengths[short][:16]
    x = x[:, : int(lengths.max())]
    pad = task.signature.length - x.shape[1]
    assert len(x) == 16 and pad >= 2
    padded_x = torch.cat([x, torch.zeros(len(x), pad, dtype=x.dtype)], dim=1)
    with torch.no_grad():
        output, loss = net(x, y, lengths)
        padded_output, padded_loss = net(padded_x, y, lengths)
    difference = (output - padded_output).abs().max().item()
    print(f"max difference {difference:.2e}")
    assert torch.allclose(output, padded_output, atol=1e-5), difference
    assert torch.allclose(loss, padded_loss, atol=1e-6)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"cell": "lstm", "activation": "relu"}, "model.activation"),
        ({"cell": "transformer", "hidden": 30, "heads": 4}, "model.heads"),
        ({"cell": "gru", "attention": True}, "model.attention"),
        ({"cell": "mingru", "bidirectional": True}, "model.bidirectional"),
        ({"cell": "ssm", "activation": "relu"}, "model.activation"),
    ],
)
def test_settings_that_do_not_fit_the_cell_are_refused(change, field):
    with pytest.raises(SpecError) as refused:
        small("adding", model=change)
    assert refused.value.details[0]["field"] == field


def test_a_cell_without_a_recurrent_matrix_refuses_its_initialisations():
    assert small("adding", cell="gru", training={"init": "orthogonal"})
    with pytest.raises(SpecError) as refused:
        small("adding", cell="minlstm", training={"init": "orthogonal"})
    assert refused.value.details[0]["field"] == "training.init"
    assert "W_hh" in refused.value.message


def test_a_transformer_reads_tokens_as_embeddings_not_one_hot_vectors():
    assert small("reverse", cell="gru", model={"input_encoding": "one-hot"})
    with pytest.raises(SpecError) as refused:
        small("reverse", cell="transformer", model={"input_encoding": "one-hot"})
    assert refused.value.details[0]["field"] == "model.input_encoding"


def test_a_language_model_may_not_read_backwards():
    with pytest.raises(SpecError) as refused:
        small("stories", cell="lstm", model={"bidirectional": True})
    assert "answer" in refused.value.message


def test_teacher_forcing_below_one_is_for_recurrent_decoders():
    assert small("copy", cell="gru", training={"teacher_forcing": 0.5})
    with pytest.raises(SpecError):
        small("copy", cell="transformer", training={"teacher_forcing": 0.5})
    with pytest.raises(SpecError):
        small("adding", cell="gru", training={"teacher_forcing": 0.5})
