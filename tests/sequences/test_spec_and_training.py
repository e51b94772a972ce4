"""The sequences library on its own: spec limits, size estimates, the training loop."""

import itertools

import pytest
import torch

from sequences.datasets.adding import AddingTask
from sequences.estimate import estimate_parameters
from sequences.models import build_model
from sequences.spec import SpecError, parse_spec
from sequences.train import MAX_LOGGED_POINTS, gradient_norms, train


def spec(**training):
    return parse_spec(
        {
            "dataset_options": {"length": 12},
            "model": {"cell": "gru", "hidden": 8},
            "training": {"steps": 40, "batch_size": 8, **training},
        }
    )


@pytest.mark.parametrize("cell, layers", list(itertools.product(["rnn", "lstm", "gru"], [1, 3])))
def test_the_parameter_estimate_is_exact(cell, layers):
    model_spec = parse_spec({"model": {"cell": cell, "layers": layers, "hidden": 7}}).model
    task = AddingTask(length=5, seed=0)
    built = build_model(model_spec, task)
    actual = sum(p.numel() for p in built.parameters())
    assert estimate_parameters(model_spec, task.input_size, task.output_size) == actual


def test_spec_errors_list_every_problem():
    with pytest.raises(SpecError) as caught:
        parse_spec({"model": {"layers": 0, "hidden": -1}})
    fields = [d["field"] for d in caught.value.details]
    assert fields == ["model.layers", "model.hidden"]


def test_the_adding_task_sums_the_two_marked_values():
    task = AddingTask(length=20, seed=3)
    x, y = task.sample(64, torch.Generator().manual_seed(0))
    assert x.shape == (64, 20, 2) and y.shape == (64, 1)
    assert torch.all(x[..., 1].sum(dim=1) == 2)  # exactly two markers per sequence
    assert torch.allclose((x[..., 0] * x[..., 1]).sum(dim=1, keepdim=True), y)


class Recorder:
    def __init__(self):
        self.points = []

    def metrics(self, point):
        self.points.append(point)


def test_training_reports_every_step_it_logs_and_completes():
    recorder = Recorder()
    outcome = train(spec(), reporter=recorder)
    assert outcome.status == "completed"
    assert [p["step"] for p in recorder.points] == list(range(1, 41))
    assert recorder.points[-1]["val_loss"] == outcome.result["final_val_loss"]
    assert set(recorder.points[0]["grad_norms"]) == {"rnn.l0", "head"}
    assert outcome.result["parameters"] > 0 and outcome.result["steps"] == 40


def test_a_long_run_logs_a_bounded_number_of_points():
    recorder = Recorder()
    train(spec(steps=1203), reporter=recorder)
    assert len(recorder.points) <= MAX_LOGGED_POINTS + 1
    assert recorder.points[-1]["step"] == 1203


def test_the_same_spec_and_seed_give_the_same_losses():
    first, second = Recorder(), Recorder()
    train(spec(seed=5), reporter=first)
    train(spec(seed=5), reporter=second)
    assert [p["loss"] for p in first.points] == [p["loss"] for p in second.points]
    other = Recorder()
    train(spec(seed=6), reporter=other)
    assert [p["loss"] for p in other.points] != [p["loss"] for p in first.points]


def test_training_stops_when_asked():
    calls = itertools.count(1)
    outcome = train(spec(steps=1000), should_stop=lambda: next(calls) >= 7)
    assert outcome.status == "cancelled"
    assert outcome.result["steps"] == 7


class BlowsUpAt(AddingTask):
    """Adding data whose targets become infinite from a given batch on."""

    def __init__(self, step):
        self.batches, self.step = 0, step + 1  # the validation set is drawn first
        super().__init__(length=12, seed=0)

    def sample(self, n, generator):
        self.batches += 1
        x, y = super().sample(n, generator)
        return (x, y * float("inf")) if self.batches >= self.step else (x, y)


def test_a_non_finite_loss_ends_the_run_as_diverged_with_step_and_norm():
    outcome = train(spec(steps=100), task=BlowsUpAt(step=23))
    assert outcome.status == "diverged", outcome
    assert outcome.result["steps"] == 23
    assert "diverged at step 23" in outcome.message
    assert "gradient norm" in outcome.message


def test_gradient_norms_add_up_to_the_total():
    model = build_model(spec().model, AddingTask(length=5, seed=0))
    x, y = AddingTask(length=5, seed=0).validation
    model(x, y)[1].backward()
    total, per_layer = gradient_norms(model)
    assert total == pytest.approx(sum(v**2 for v in per_layer.values()) ** 0.5, rel=1e-5)
