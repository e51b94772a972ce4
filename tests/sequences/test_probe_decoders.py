"""Looking inside recurrent encoder-decoders, one-to-many generators and bag-of-words."""

import pytest
import torch

from sequences.models import build_model
from sequences.probes.look import look, probe_sequence
from sequences.probes.payload import MAX_BYTES, size_of
from sequences.spec import parse_spec
from sequences.task import vocab_of
from sequences.tasks import make_task
from tests.sequences.helpers import small

DECODERS = [
    ("copy", "seq2seq", "lstm", {"layers": 2, "bidirectional": True, "attention": True}),
    ("reverse", "seq2seq", "gru", {"bidirectional": True}),
    ("sine", "seq2seq", "rnn", {"layers": 2}),
    ("wave", "one-to-many", "lstm", {"layers": 2}),
    ("wave", "one-to-many", "gru", {}),
]


def probed(spec):
    task = make_task(spec)
    torch.manual_seed(0)
    model = build_model(spec, task.signature)
    x, y = probe_sequence(task)
    return look(model, x, y, vocab_of(task)), model, x, y


@pytest.mark.parametrize("dataset, paradigm, cell, model", DECODERS, ids=lambda v: str(v))
def test_the_decoder_probe_reproduces_the_teacher_forced_loss(dataset, paradigm, cell, model):
    # The probe decodes from the unrolled encoder's final state, through the bridge, reading
    # the true previous outputs: exactly what a teacher-forced training step computes.
    payload, net, x, y = probed(small(dataset, paradigm, cell, model=model))
    with torch.no_grad():
        _, loss = net.train()(x, y)  # dropout is 0: training mode only turns forcing on
    print(f"probe loss {payload['loss']:.6f}, fused {loss.item():.6f}")
    assert payload["loss"] == pytest.approx(loss.item(), rel=1e-4)
    assert all(p.grad is None for p in net.parameters())
    assert net.training  # the look puts the model back as it found it


def test_a_seq2seq_probe_shows_encoder_decoder_and_the_attention_between():
    payload, _, x, y = probed(small("reverse", "seq2seq", "lstm", model={"attention": True}))
    gates = ("input", "forget", "candidate", "output", "cell", "hidden")
    assert set(payload["heatmaps"]) == {
        f"{half}.l0.{g}" for half in ("encoder", "decoder") for g in gates
    }
    assert payload["heatmaps"]["decoder.l0.forget"]["axis"] == "outputs"
    assert "axis" not in payload["heatmaps"]["encoder.l0.forget"]
    assert len(payload["heatmaps"]["decoder.l0.hidden"]["z"]) == len(payload["output_time"])
    assert payload["outputs"] == payload["inputs"][::-1]  # reverse: the axis labels say so
    assert set(payload["grad_by_time_hidden"]) == {"encoder.l0", "decoder.l0"}
    assert len(payload["grad_by_time_hidden"]["decoder.l0"]) == len(payload["output_time"])
    assert set(payload["spectral_norms"]) == {
        f"{half}.l0.{g}" for half in ("encoder", "decoder") for g in gates[:4]
    }
    cross = payload["attention"]["cross"]
    assert len(cross["heads"]) == 1
    assert cross["rows"] == list(range(y.shape[1])) and cross["cols"] == list(range(x.shape[1]))
    for row in cross["heads"][0]:  # each output step's weights over the inputs sum to 1
        assert sum(row) == pytest.approx(255, abs=len(row))


def test_gradient_flows_from_the_outputs_back_into_the_encoder():
    payload, _, _, _ = probed(small("copy", "seq2seq", "gru", options={"min_length": 8}))
    for layer, norms in payload["grad_by_time_hidden"].items():
        assert all(v > 0 for v in norms), (layer, norms)
    assert all(v > 0 for v in payload["grad_by_time"])


def test_a_one_to_many_probe_draws_the_decoder_against_the_output_steps():
    payload, _, _, y = probed(small("wave", "one-to-many", "gru", options={"length": 30}))
    assert payload["time"] == [0] and len(payload["inputs"]) == 1  # the one input
    assert payload["output_time"] == list(range(30)) and len(payload["outputs"]) == 30
    assert all(name.startswith("decoder.") for name in payload["heatmaps"])
    assert payload["outputs"][0] == [round(float(y[0, 0, 0]), 4)]


def test_a_bag_of_words_sends_every_position_the_same_gradient():
    payload, net, x, _ = probed(small("sentiment", "one-to-one", "bow"))
    assert set(payload["heatmaps"]) == {"words.embedding", "words.vote"}
    assert len(payload["heatmaps"]["words.vote"]["units"]) == net.signature.output_size
    grads = payload["grad_by_time"]
    assert len(grads) == x.shape[1] and min(grads) > 0
    assert max(grads) == pytest.approx(min(grads), rel=1e-3)  # order is invisible to it
    assert all(isinstance(word, str) for word in payload["inputs"])


@pytest.mark.parametrize(
    "spec",
    [
        {
            "dataset": "copy",
            "dataset_options": {"min_length": 200, "max_length": 200},
            "model": {
                "cell": "lstm",
                "layers": 6,
                "hidden": 128,
                "bidirectional": True,
                "attention": True,
            },
        },
        {
            "dataset": "wave",
            "dataset_options": {"length": 500},
            "model": {"cell": "lstm", "layers": 6, "hidden": 256},
        },
    ],
    ids=["seq2seq", "one-to-many"],
)
def test_a_decoder_probe_of_a_large_model_stays_under_64_kib(spec):
    payload, _, _, _ = probed(parse_spec({**spec, "training": {"batch_size": 2}}))
    print(f"probe event: {size_of(payload)} bytes")
    assert size_of(payload) < MAX_BYTES


@pytest.mark.parametrize(
    "dataset, paradigm, cell, model",
    [
        ("copy", "seq2seq", "gru", {"attention": True}),
        ("wave", "one-to-many", "rnn", {}),
        ("sentiment", "one-to-one", "bow", {}),
        ("sine", "seq2seq", "transformer", {"heads": 2}),
    ],
    ids=["seq2seq-attention", "one-to-many", "bow", "transformer-seq2seq"],
)
def test_every_kind_of_model_is_looked_at_while_it_trains(dataset, paradigm, cell, model):
    from sequences.train import train
    from tests.sequences.helpers import Recorder

    recorder = Recorder()
    spec = small(dataset, paradigm, cell, model=model, training={"steps": 20})
    spec.probe.every = 10
    outcome = train(spec, reporter=recorder, probes=True)
    assert outcome.status == "completed", outcome.message
    assert [p["step"] for p in recorder.probes][-1] == 20
    assert recorder.probes[-1]["grad_by_time"]
