"""Validation: enough points for a curve, within its share of the training work."""

import pytest

from sequences.datasets.adding import AddingTask
from sequences.train import (
    MAX_VALIDATIONS,
    MIN_VALIDATION_ROWS,
    MIN_VALIDATIONS,
    VALIDATION_SHARE,
    logging_interval,
    spread_sample,
    train,
    validation_plan,
)
from tests.sequences.helpers import Recorder, small


def passes(steps: int, every: int) -> int:
    """How many validations a run makes: every `every` steps, and at the last step."""
    return steps // every + (steps % every != 0)


@pytest.mark.parametrize(
    "steps, rows, batch_size",
    [
        (300, 256, 32),
        (1000, 256, 32),
        (20_000, 256, 32),
        (300, 1200, 32),
        (500, 93, 8),
        (800, 1200, 32),
    ],
)
def test_a_run_validates_ten_to_twenty_five_times_within_the_budget(steps, rows, batch_size):
    plan = validation_plan(steps, logging_interval(steps), rows, batch_size)
    count = passes(steps, plan.every)
    # The last pass reads plan.last_rows; the ones before it read plan.rows.
    work = ((count - 1) * plan.rows + plan.last_rows) / batch_size / 2
    print(
        f"{steps} steps: {count} validations of {plan.rows}, then {plan.last_rows} rows: "
        f"{work / steps:.2%} of the work"
    )
    assert MIN_VALIDATIONS <= count <= MAX_VALIDATIONS + 1
    assert plan.every % logging_interval(steps) == 0
    assert work <= VALIDATION_SHARE * steps


def test_a_long_run_validates_on_the_whole_set():
    assert validation_plan(20_000, logging_interval(20_000), 256, 32).rows == 256


def test_a_run_ends_on_the_whole_set_where_it_costs_at_most_half_the_budget():
    plan = validation_plan(1000, logging_interval(1000), 256, 32)
    assert plan.last_rows == 256 and plan.rows < 256


def test_a_tiny_run_still_validates_on_a_few_sequences():
    assert validation_plan(20, 1, 256, 32).rows == MIN_VALIDATION_ROWS


def test_the_sample_is_spread_over_the_set_and_always_the_same():
    validation = AddingTask(length=5, seed=0).validation
    sample = spread_sample(validation, 16)
    assert len(sample) == 16
    assert sample.x[0].equal(validation.x[0]) and sample.x[-1].equal(validation.x[-1])
    assert spread_sample(validation, 16).x.equal(sample.x)
    assert spread_sample(validation, 1000) is validation


def test_a_300_step_run_draws_a_validation_curve_of_at_least_ten_points():
    recorder = Recorder()
    outcome = train(small(options={"length": 12}, training={"steps": 300}), reporter=recorder)
    validated = [p for p in recorder.points if "val_loss" in p]
    assert len(validated) >= MIN_VALIDATIONS
    # The last point is the run's final validation loss.
    assert validated[-1]["step"] == 300
    assert validated[-1]["val_loss"] == outcome.result["final_val_loss"]
