"""Each lesson, trained exactly as its preset says (with looks inside, as a worker trains
it), shows its point. The browser test (tests/browser/test_lessons_in_browser.py) runs one
lesson end to end through the page; these check every lesson's outcome."""

import math

import pytest
import torch

from playground.runs.presets import PRESETS
from sequences.spec import parse_spec
from sequences.train import train
from tests.sequences.helpers import Recorder

ADDING_GUESSING = 1 / 6  # the MSE of always answering the mean


def lesson(lesson_id: str) -> dict:
    return next(p for p in PRESETS if p["id"] == lesson_id)


# Outcomes by spec (the name aside): a run two lessons share (the LSTM of
# vanishing-gradients and of gru-or-lstm) trains once; training is seeded, so a second
# training would end the same.
TRAINED: dict[str, tuple] = {}


def trained(run: dict):
    key = parse_spec(run).model_dump_json(exclude={"name"})
    if key not in TRAINED:
        TRAINED[key] = training(run)
    return TRAINED[key]


def training(run: dict):
    recorder = Recorder()
    outcome = train(parse_spec(run), reporter=recorder, probes=True, device="cpu")
    seconds = outcome.result["seconds"]
    print(
        f"{run['name']}: {outcome.status} in {seconds:.1f} s, best {outcome.result['best_val_loss']}"
    )
    return outcome, recorder


def test_vanishing_gradients_the_lstm_leaves_guessing_and_the_rnn_stays_on_it():
    rnn_run, lstm_run = lesson("vanishing-gradients")["runs"]
    (rnn, _), (lstm, _) = trained(rnn_run), trained(lstm_run)
    assert lstm.result["final_val_loss"] < 0.1 * ADDING_GUESSING
    assert rnn.result["best_val_loss"] > 0.8 * ADDING_GUESSING


def test_exploding_gradients_the_spike_is_seen_before_divergence_and_clipping_learns():
    wild_run, tame_run = lesson("exploding-gradients")["runs"]
    (wild, seen), (tame, tame_seen) = trained(wild_run), trained(tame_run)
    assert wild.status == "diverged"
    norms = [p["grad_norm"] for p in seen.points]
    # The gradient norm climbs a thousandfold on the logged points before the end...
    assert max(norms) > 1000 * norms[0]
    # ...and the run looked inside while it climbed, so its panels are not empty.
    assert seen.probes and seen.probes[0]["step"] < wild.result["steps"]
    assert all(math.isfinite(v) for p in seen.probes for v in p["grad_by_time"])
    # What the run's progress shows last is the step its message names.
    assert f"after step {seen.points[-1]['step']}" in wild.message
    assert tame.status == "completed"
    first_validation = next(p["val_loss"] for p in tame_seen.points if "val_loss" in p)
    assert tame.result["final_val_loss"] < 0.7 * first_validation


def test_order_matters_the_lstm_reads_negation_the_bag_of_words_cannot():
    bow_run, lstm_run = lesson("order-matters")["runs"]
    (bow, _), (lstm, _) = trained(bow_run), trained(lstm_run)
    assert lstm.result["final_val_accuracy"] > 0.9
    assert bow.result["final_val_accuracy"] < 0.7


def test_attention_reverses_better_and_shows_its_map():
    plain_run, attending_run = lesson("attention")["runs"]
    (plain, plain_seen), (attending, seen) = trained(plain_run), trained(attending_run)
    assert attending.result["final_val_accuracy"] > plain.result["final_val_accuracy"] + 0.1
    assert "attention" in seen.probes[-1] and "attention" not in plain_seen.probes[-1]


def test_gru_or_lstm_both_leave_guessing():
    for run in lesson("gru-or-lstm")["runs"]:
        outcome, _ = trained(run)
        assert outcome.result["final_val_loss"] < 0.5 * ADDING_GUESSING


@pytest.fixture
def one_thread():
    """One intra-op thread, as a worker gives a model this small (sequences/threads.py)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_parallel_rnn_the_mingru_learns_faster_per_second_and_its_scan_equals_the_loop(one_thread):
    gru_run, mingru_run = lesson("parallel-rnn")["runs"]
    (gru, gru_seen), (mingru, seen) = trained(gru_run), trained(mingru_run)
    speeds = gru.result["steps_per_second"], mingru.result["steps_per_second"]
    agreement = seen.probes[-1]["scan_agreement"]
    print(
        f"steps/s: GRU {speeds[0]}, minGRU {speeds[1]} ({speeds[1] / speeds[0]:.1f} times); "
        f"scan and loop agree to {agreement['largest_difference']:.1e}"
    )
    # Both carry the first number across 200 steps: far below guessing.
    assert mingru.result["final_val_loss"] < 0.1 * ADDING_GUESSING
    assert gru.result["final_val_loss"] < 0.1 * ADDING_GUESSING
    # The lesson's point: the same steps in a fraction of the time (about five times as many
    # steps a second where measured on one core; twice leaves room for a busy machine).
    assert speeds[1] > 2 * speeds[0]
    # The minGRU's last look inside says how far its scan lies from its loop; a GRU has none.
    assert seen.probes[-1]["step"] == mingru.result["steps"]
    assert agreement["relative"] < 1e-5
    assert all("scan_agreement" not in probe for probe in gru_seen.probes)


@pytest.mark.parametrize("preset", PRESETS, ids=[p["id"] for p in PRESETS])
def test_every_lesson_has_a_test_of_its_outcome_here(preset):
    names = [name for name in globals() if name.startswith("test_")]
    word = preset["id"].split("-")[0]
    assert any(word in name for name in names), f"no outcome test for {preset['id']}"


def test_the_empty_states_first_experiment_shows_its_effect_from_the_builders_defaults():
    """The build page's first suggestion: Train as the page is (its defaults: an LSTM on
    adding), which stays on the guessing line, then again with 1000 steps at 0.01, which is
    the vanishing-gradients lesson's LSTM run and leaves it (checked above)."""
    as_the_page_is = {"dataset": "adding", "model": {"cell": "lstm"}}
    first, _ = trained({**as_the_page_is, "name": "as the page is"})
    assert first.result["steps"] == 300
    assert first.result["best_val_loss"] > 0.8 * ADDING_GUESSING
    _, lstm_run = lesson("vanishing-gradients")["runs"]
    again = {**as_the_page_is, "training": {"steps": 1000, "lr": 0.01}}
    assert parse_spec(again).model_dump(exclude={"name"}) == parse_spec(lstm_run).model_dump(
        exclude={"name"}
    )
