"""Resuming from a checkpoint: a run stopped at a step and carried on from its saved state
reports exactly the losses of a run that never stopped, so the state is complete."""

import itertools

import pytest
import torch

from sequences.resume import TrainingState
from sequences.train import logging_interval, train
from tests.sequences.helpers import Recorder, small

# Steps whose logging interval is 2, so a checkpoint can fall between two logged steps,
# with a loss half summed.
STEPS = 520


class EveryNth:
    """Checkpoints due at every n-th step, kept in memory as they were saved."""

    def __init__(self, n: int):
        self.n, self.asked, self.saved = n, 0, []

    def due(self) -> bool:
        self.asked += 1
        return self.asked % self.n == 0

    def save(self, state: TrainingState) -> None:
        self.saved.append(TrainingState.from_bytes(state.to_bytes()))


def without_timing(result: dict) -> dict:
    return {k: v for k, v in result.items() if k not in ("seconds", "steps_per_second")}


CASES = {
    "gru on adding": small("adding", cell="gru", options={"length": 8}),
    "lstm on adding, dropout and a schedule": small(
        "adding",
        cell="lstm",
        model={"layers": 2, "dropout": 0.3},
        training={"optimizer": "adamw", "schedule": "cosine"},
        options={"length": 8},
    ),
    "gru on stories": small("stories", cell="gru", options={"length": 12}),
    "lstm on stories, truncated BPTT": small("stories", cell="lstm", training={"tbptt": 6}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_an_interrupted_run_resumed_from_its_state_gives_the_same_losses(name):
    spec = CASES[name].model_copy(deep=True)
    spec.training.steps = STEPS
    assert logging_interval(STEPS) == 2
    whole = Recorder()
    uninterrupted = train(spec, reporter=whole, device="cpu")

    stop_at = 301  # between two logged steps
    calls = itertools.count(1)
    before, after = Recorder(), Recorder()
    interrupted = train(
        spec, reporter=before, device="cpu", should_interrupt=lambda: next(calls) >= stop_at
    )
    assert interrupted.status == "interrupted" and interrupted.state is not None
    assert interrupted.state.step == stop_at
    assert interrupted.state.loop["summed"] == 1  # the checkpoint holds a half-summed loss
    # Through bytes, as a checkpoint travels from one worker to the next.
    state = TrainingState.from_bytes(interrupted.state.to_bytes())
    resumed = train(spec, reporter=after, device="cpu", resume=state)

    validated = [p["val_loss"] for p in before.points if p.get("val_loss") is not None]
    assert state.best_val_loss == (min(validated) if validated else None)
    assert resumed.status == "completed"
    assert after.points[0]["step"] == stop_at + 1
    assert before.points + after.points == whole.points
    assert without_timing(resumed.result) == without_timing(uninterrupted.result)


def test_a_checkpoint_saved_while_training_goes_on_keeps_the_state_of_its_step():
    spec = CASES["lstm on adding, dropout and a schedule"].model_copy(deep=True)
    spec.training.steps = STEPS
    whole, checkpoints = Recorder(), EveryNth(100)
    train(spec, reporter=whole, device="cpu", checkpoints=checkpoints)
    # Asked after every step but the last; each saved state is a copy, not a view of the
    # weights training kept changing.
    assert [s.step for s in checkpoints.saved] == [100, 200, 300, 400, 500]

    for state in (checkpoints.saved[1], checkpoints.saved[3]):
        after = Recorder()
        train(spec, reporter=after, device="cpu", resume=state)
        assert after.points == [p for p in whole.points if p["step"] > state.step]


def test_a_state_holds_every_generator_a_step_draws_from():
    spec = small("adding", cell="gru", training={"steps": 10})
    calls = itertools.count(1)
    state = train(spec, device="cpu", should_interrupt=lambda: next(calls) >= 5).state
    assert state is not None
    assert set(state.rng) == {"torch", "cuda", "data"}
    assert isinstance(state.rng["torch"], torch.Tensor) and state.rng["cuda"] is None
