"""A look inside a recurrent model: what a probe event carries, and its bounds."""

import pytest
import torch

from sequences.models import build_model
from sequences.probes.look import look, probe_sequence
from sequences.probes.payload import MAX_BYTES, MAX_TIME, size_of
from sequences.spec import MAX_PARAMETERS, parse_spec
from sequences.task import vocab_of
from sequences.tasks import make_task
from tests.sequences.helpers import small


def looked(spec):
    task = make_task(spec)
    model = build_model(spec, task.signature)
    x, y = probe_sequence(task)
    return look(model, x, y, vocab_of(task)), model, task


def test_an_lstm_probe_shows_every_gate_of_every_layer_and_direction():
    payload, model, task = looked(
        small("sentiment", "many-to-one", "lstm", model={"layers": 2, "bidirectional": True})
    )
    layers = {"l0", "l0.reverse", "l1", "l1.reverse"}
    gates = {"input", "forget", "candidate", "output", "cell", "hidden"}
    assert set(payload["heatmaps"]) == {f"{layer}.{gate}" for layer in layers for gate in gates}
    assert set(payload["grad_by_time_hidden"]) == layers
    assert len(payload["grad_by_time"]) == len(payload["time"]) == len(payload["inputs"])
    assert all(isinstance(word, str) for word in payload["inputs"])  # tokens label the axis
    forget = payload["heatmaps"]["l0.forget"]
    assert 0 < forget["min"] <= forget["max"] < 1 and len(forget["z"]) == len(payload["time"])
    fused_layers = ("l0", "l0_reverse", "l1", "l1_reverse")
    gate_blocks = ("input", "forget", "candidate", "output")
    assert set(payload["spectral_norms"]) == {f"{n}.{g}" for n in fused_layers for g in gate_blocks}


def test_the_probe_leaves_training_gradients_alone():
    spec = small("adding", cell="gru")
    task = make_task(spec)
    model = build_model(spec, task.signature)
    x, y = probe_sequence(task)
    look(model, x, y)
    assert all(p.grad is None for p in model.parameters())


def test_the_probe_loss_equals_the_fused_models_loss():
    spec = small("sine", "many-to-many", "gru", model={"layers": 2})
    payload, model, task = looked(spec)
    x, y = probe_sequence(task)
    with torch.no_grad():
        _, loss = model.eval()(x, y)
    assert payload["loss"] == pytest.approx(loss.item(), rel=1e-5)


def test_the_hidden_gradient_reaches_back_through_every_step():
    payload, _, _ = looked(
        small("adding", cell="lstm", options={"length": 12}, model={"layers": 2})
    )
    for layer, norms in payload["grad_by_time_hidden"].items():
        assert all(v > 0 for v in norms), (layer, norms)  # not only the step the head reads
        assert norms[-1] > norms[0]  # and it shrinks going back


def test_a_tanh_rnn_with_small_weights_loses_its_gradient_going_back_in_time_unlike_an_lstm():
    def first_to_last(cell):
        spec = small("adding", cell=cell, options={"length": 20}, model={"hidden": 32})
        task = make_task(spec)
        torch.manual_seed(0)
        model = build_model(spec, task.signature)
        if cell == "rnn":
            with torch.no_grad():
                model.rnn.weight_hh_l0.mul_(0.5)  # |W_hh| well below 1
        x, y = probe_sequence(task)
        grads = look(model, x, y)["grad_by_time"]
        return grads[0] / grads[-1]

    rnn, lstm = first_to_last("rnn"), first_to_last("lstm")
    print(f"dL/dx at the first step / at the last: rnn {rnn:.2e}, lstm {lstm:.2e}")
    assert rnn < 1e-6  # vanished: many orders of magnitude over 20 steps
    assert lstm > 1000 * rnn  # the cell state carries it much further


def test_a_probe_of_the_largest_model_stays_under_64_kib():
    # The most arrays: a 6-layer bidirectional LSTM, on the longest adding sequences allowed.
    spec = parse_spec(
        {
            "dataset": "adding",
            "dataset_options": {"length": 1000},
            "model": {"cell": "lstm", "layers": 6, "hidden": 160, "bidirectional": True},
            "training": {"batch_size": 4},
        }
    )
    payload, model, _ = looked(spec)
    assert sum(p.numel() for p in model.parameters()) < MAX_PARAMETERS
    assert len(payload["time"]) <= 100
    print(f"probe event: {size_of(payload)} bytes")
    assert size_of(payload) < MAX_BYTES


def test_training_with_probes_looks_inside_at_its_interval_and_at_the_end():
    from sequences.train import train
    from tests.sequences.helpers import Recorder

    recorder = Recorder()
    spec = small("adding", cell="lstm", training={"steps": 60})
    spec.probe.every = 10
    train(spec, reporter=recorder, probes=True)
    steps = [p["step"] for p in recorder.probes]
    assert steps[0] == 10 and steps[-1] == 60  # the first look, then at most one a second
    assert all(s % 10 == 0 for s in steps)
    assert "l0.forget" in recorder.probes[0]["heatmaps"]


def test_training_without_probes_never_looks():
    from sequences.train import train
    from tests.sequences.helpers import Recorder

    recorder = Recorder()
    train(small(training={"steps": 20}), reporter=recorder)
    assert recorder.probes == []


def test_a_transformer_probe_shows_attention_per_layer_and_head_and_gradient_flow():
    payload, model, task = looked(
        small("reverse", cell="transformer", model={"layers": 2, "heads": 2})
    )
    assert set(payload["attention"]) == {
        f"{k}.l{n}" for k in ("self", "decoder", "cross") for n in (0, 1)
    }
    cross = payload["attention"]["cross.l0"]
    assert len(cross["heads"]) == 2 and len(cross["heads"][0]) == len(cross["rows"])
    assert payload["outputs"] and all(isinstance(t, str) for t in payload["inputs"])
    assert len(payload["grad_by_time"]) == len(payload["time"]) and max(payload["grad_by_time"]) > 0
    assert all(p.grad is None for p in model.parameters())


def test_a_probe_of_the_largest_transformer_stays_under_64_kib():
    # The most heads on the longest inputs. A horizon of MAX_TIME makes the event as large
    # as the longest horizon allowed (200) does: each kept axis holds MAX_TIME steps at most
    # and each attention map is `side` square (checked below), while the look at 200 costs
    # four times as much (it decodes step by step).
    spec = parse_spec(
        {
            "dataset": "sine",
            "paradigm": "seq2seq",
            "dataset_options": {"length": 1000, "horizon": MAX_TIME},
            "model": {"cell": "transformer", "layers": 6, "hidden": 64, "heads": 16},
            "training": {"batch_size": 1},
        }
    )
    payload, _, _ = looked(spec)
    assert len(payload["time"]) == len(payload["output_time"]) == MAX_TIME
    sides = {len(m["rows"]) for m in payload["attention"].values()}
    assert len(sides) == 1 and sides.pop() < MAX_TIME  # downsampled: longer axes add nothing
    print(f"probe event: {size_of(payload)} bytes")
    assert size_of(payload) < MAX_BYTES
