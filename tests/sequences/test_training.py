"""The training loop: logging, determinism, stopping, divergence, knobs."""

import itertools
import math

import pytest
import torch

from sequences.datasets.adding import AddingTask
from sequences.models import build_model
from sequences.optim import initialize
from sequences.spec import SpecError
from sequences.tasks import make_task
from sequences.train import MAX_LOGGED_POINTS, CarriedState, gradient_norms, train
from tests.sequences.helpers import Recorder, small


def test_training_reports_every_step_it_logs_and_completes():
    recorder = Recorder()
    outcome = train(small(options={"length": 12}), reporter=recorder)
    assert outcome.status == "completed"
    assert [p["step"] for p in recorder.points] == list(range(1, 41))
    assert recorder.points[-1]["val_loss"] == outcome.result["final_val_loss"]
    assert set(recorder.points[0]["grad_norms"]) == {"rnn.l0", "head"}
    assert outcome.result["parameters"] > 0 and outcome.result["steps"] == 40


def test_a_long_run_logs_a_bounded_number_of_points():
    recorder = Recorder()
    train(small(options={"length": 5}, training={"steps": 1203}), reporter=recorder)
    assert len(recorder.points) <= MAX_LOGGED_POINTS + 1
    assert recorder.points[-1]["step"] == 1203


@pytest.mark.parametrize(
    "dataset, cell, training",
    [
        ("adding", "gru", {}),
        ("sentiment", "transformer", {"optimizer": "adamw", "schedule": "warmup"}),
        ("copy", "lstm", {"teacher_forcing": 0.5}),
        ("stories", "rnn", {"optimizer": "sgd", "schedule": "cosine", "l1": 0.0001}),
    ],
)
def test_the_same_spec_and_seed_give_the_same_losses(dataset, cell, training):
    runs = []
    for seed in (5, 5, 6):
        recorder = Recorder()
        train(
            small(dataset, cell=cell, training={"seed": seed, "steps": 15, **training}),
            reporter=recorder,
        )
        runs.append([p["loss"] for p in recorder.points])
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_training_stops_when_asked():
    calls = itertools.count(1)
    outcome = train(small(training={"steps": 1000}), should_stop=lambda: next(calls) >= 7)
    assert outcome.status == "cancelled"
    assert outcome.result["steps"] == 7


class BlowsUpAt(AddingTask):
    """Adding data whose targets become infinite from a given batch on."""

    def __init__(self, step):
        self.batches, self.step = 0, step + 1  # the validation set is drawn first
        super().__init__(length=12, seed=0)

    def sample(self, n, generator):
        self.batches += 1
        batch = super().sample(n, generator)
        if self.batches >= self.step:
            batch.y = batch.y * float("inf")
        return batch


def test_a_non_finite_loss_ends_the_run_as_diverged_with_step_and_norm():
    outcome = train(small(training={"steps": 100}), task=BlowsUpAt(step=23))
    assert outcome.status == "diverged", outcome
    assert outcome.result["steps"] == 23
    assert "diverged at step 23" in outcome.message
    assert "gradient norm" in outcome.message


def test_gradient_norms_add_up_to_the_total():
    spec = small()
    task = AddingTask(length=5, seed=0)
    model = build_model(spec, task.signature)
    model(task.validation.x, task.validation.y)[1].backward()
    total, per_layer = gradient_norms(model)
    assert total == pytest.approx(sum(v**2 for v in per_layer.values()) ** 0.5, rel=1e-5)


def test_early_stopping_ends_a_run_that_stopped_improving():
    # A tanh RNN on long adding sequences plateaus at the baseline: nothing left to wait for.
    spec = small(
        "adding",
        cell="rnn",
        options={"length": 60},
        training={"steps": 5000, "batch_size": 32, "early_stopping": 2},
    )
    outcome = train(spec)
    assert outcome.status == "completed" and outcome.result["stopped_early"] is True
    assert outcome.result["steps"] < 5000


def test_epochs_become_steps_for_fixed_datasets_only():
    spec = small(
        "sentiment",
        "many-to-one",
        "lstm",
        training={"epochs": 2, "batch_size": 40},
        options={"size": 1000},
    )
    assert spec.training.steps == 40  # 800 training sentences, twice, 40 at a time
    with pytest.raises(SpecError) as refused:
        small("adding", training={"epochs": 2})
    assert refused.value.details[0]["field"] == "training.epochs"


@pytest.mark.parametrize("schedule", ["constant", "cosine", "step", "warmup"])
def test_the_learning_rate_follows_its_schedule(schedule):
    recorder = Recorder()
    train(small(training={"steps": 30, "lr": 0.01, "schedule": schedule}), reporter=recorder)
    rates = [p["lr"] for p in recorder.points]
    if schedule == "constant":
        assert set(rates) == {0.01}
    else:
        assert rates[-1] < 0.01 and max(rates) <= 0.01 + 1e-12


@pytest.mark.parametrize("init", ["orthogonal", "identity"])
def test_initialization_schemes_set_the_recurrent_weights(init):
    spec = small(cell="rnn", model={"activation": "relu"}, training={"init": init, "steps": 1})
    model = build_model(spec, AddingTask(5, 0).signature)
    initialize(model, init)
    w_hh = model.rnn.weight_hh_l0.detach()
    if init == "identity":
        assert torch.equal(w_hh, torch.eye(16))  # IRNN
    elif init == "orthogonal":
        assert torch.allclose(w_hh @ w_hh.T, torch.eye(16), atol=1e-5)
    assert torch.all(model.rnn.bias_hh_l0 == 0)


def test_xavier_initialization_draws_each_recurrent_matrix_from_the_xavier_range():
    # Glorot and Bengio: U(-a, a), a = sqrt(6 / (fan_in + fan_out)), so a variance of
    # 2 / (fan_in + fan_out); torch's default for an LSTM is U(-1/sqrt(H), 1/sqrt(H)).
    hidden, features = 64, 2
    spec = small(cell="lstm", model={"hidden": hidden}, training={"init": "xavier"})
    torch.manual_seed(0)
    model = build_model(spec, AddingTask(5, 0).signature)
    default = model.rnn.weight_hh_l0.detach().clone()
    initialize(model, "xavier")
    w_ih, w_hh = model.rnn.weight_ih_l0.detach(), model.rnn.weight_hh_l0.detach()
    # W_ih is one (4H, F) matrix; W_hh one (H, H) matrix per gate.
    matrices = [(w_ih, features, 4 * hidden), *((gate, hidden, hidden) for gate in w_hh.chunk(4))]
    for weights, fan_in, fan_out in matrices:
        bound = math.sqrt(6 / (fan_in + fan_out))
        assert weights.abs().max() <= bound
        assert weights.abs().max() > 0.9 * bound  # the whole range is used
        assert weights.var().item() == pytest.approx(2 / (fan_in + fan_out), rel=0.15)
    print(f"W_hh variance: default {default.var():.5f}, xavier {w_hh.var():.5f}")
    assert default.var().item() == pytest.approx(1 / (3 * hidden), rel=0.15)
    assert w_hh.var() > 2.5 * default.var()  # xavier's 1/H is three times the default's 1/(3H)
    assert torch.all(model.rnn.bias_hh_l0 == 0) and torch.all(model.rnn.bias_ih_l0 == 0)


def weight_size(**training) -> float:
    outcome = train(small(training={"steps": 300, "lr": 0.01, **training}))
    assert outcome.status == "completed"
    return sum(p.abs().sum().item() for n, p in outcome.model.named_parameters() if "weight" in n)


def test_weight_decay_and_l1_shrink_the_weights():
    plain = weight_size()
    decayed, sparse = weight_size(optimizer="adamw", weight_decay=0.5), weight_size(l1=0.01)
    print(f"sum |w|: plain {plain:.1f}, weight decay {decayed:.1f}, l1 {sparse:.1f}")
    assert decayed < 0.9 * plain
    assert sparse < 0.9 * plain


def test_a_language_model_trained_with_truncated_bptt_learns_to_spell():
    recorder = Recorder()
    spec = small(
        "stories",
        cell="lstm",
        model={"hidden": 64},
        training={"steps": 300, "tbptt": 32, "lr": 0.01},
    )
    outcome = train(spec, reporter=recorder)
    assert outcome.status == "completed"
    first, last = recorder.points[0]["loss"], outcome.result["final_val_loss"]
    print(f"character loss: first {first:.2f}, validation at the end {last:.2f}")
    assert last < 0.6 * first  # it learned to spell


def test_each_chunk_starts_from_the_last_chunks_final_state_detached():
    spec = small("stories", cell="lstm", training={"tbptt": 8})
    task = make_task(spec)
    torch.manual_seed(0)
    model = build_model(spec, task.signature)
    carried = CarriedState(task, model, batch_size=4, chunk=8)
    first, second = next(carried.chunks), next(carried.chunks)
    carried.loss(first)
    h, c = carried.state  # where the first chunk ended
    _, _, (h_end, c_end) = model.forward_with_state(first.x, first.y)  # from zeros
    assert torch.equal(h, h_end) and torch.equal(c, c_end)
    assert not h.requires_grad and not c.requires_grad  # gradients stop at the chunk's edge
    _, from_carried, _ = model.forward_with_state(second.x, second.y, state=(h, c))
    _, from_zeros, _ = model.forward_with_state(second.x, second.y)
    loss = carried.loss(second)
    print(f"second chunk: loss {loss:.5f}, from zeros it would be {from_zeros:.5f}")
    assert torch.allclose(loss, from_carried)
    assert not torch.isclose(loss, from_zeros)


def test_a_stream_continues_each_row_where_the_last_chunk_ended():
    task = make_task(small("stories", cell="lstm", training={"tbptt": 8}))
    stream = task.stream(4, 8)
    first, second = next(stream), next(stream)
    assert torch.equal(first.y[:, -1], second.x[:, 0])  # the next chunk starts where this ended


def test_truncated_bptt_is_only_for_recurrent_language_models():
    with pytest.raises(SpecError) as refused:
        small("stories", cell="transformer", training={"tbptt": 16})
    assert refused.value.details[0]["field"] == "training.tbptt"
    with pytest.raises(SpecError):
        small("adding", cell="lstm", training={"tbptt": 16})
