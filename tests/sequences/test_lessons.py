"""The course's lessons, as real learning runs with fixed seeds."""

import pytest

from sequences.spec import parse_spec
from sequences.train import train

ADDING_BASELINE = 1 / 6  # the MSE of always answering 1.0


def adding(cell: str):
    spec = {
        "dataset": "adding",
        "dataset_options": {"length": 50},
        "model": {"cell": cell, "hidden": 32},
        "training": {"steps": 1500, "batch_size": 32, "lr": 0.003, "seed": 0},
    }
    return train(parse_spec(spec)).result["final_val_loss"]


def test_gates_carry_the_adding_problem_across_50_steps_where_a_tanh_rnn_cannot():
    lstm, rnn = adding("lstm"), adding("rnn")
    print(f"validation MSE after 1500 steps: lstm {lstm:.4f}, rnn {rnn:.4f}")
    assert lstm < 0.05
    assert rnn > 0.8 * ADDING_BASELINE  # no better than always answering the mean


def sentiment(cell: str, paradigm: str) -> float:
    spec = {
        "dataset": "sentiment",
        "paradigm": paradigm,
        "model": {"cell": cell, "hidden": 32},
        "training": {"steps": 400, "batch_size": 32, "lr": 0.01, "seed": 0},
    }
    return train(parse_spec(spec)).result["final_val_accuracy"]


def test_order_matters_an_lstm_reads_negation_a_bag_of_words_cannot():
    lstm, bow = sentiment("lstm", "many-to-one"), sentiment("bow", "one-to-one")
    print(f"validation accuracy: lstm {lstm:.3f}, bag of words {bow:.3f}")
    assert lstm > 0.95
    assert bow < 0.6  # a coin: the same bag comes with both labels
    assert lstm - bow > 0.35


def exploding(clip: str):
    spec = {
        "dataset": "adding",
        "dataset_options": {"length": 30},
        "model": {"cell": "rnn", "activation": "relu", "hidden": 32},
        "training": {"steps": 200, "optimizer": "sgd", "lr": 2.0, "clip": clip, "seed": 0},
    }
    return train(parse_spec(spec))


def test_a_large_learning_rate_explodes_without_clipping_and_stays_finite_with_it():
    unclipped = exploding("off")
    assert unclipped.status == "diverged"
    assert f"at step {unclipped.result['steps']}" in unclipped.message
    assert "gradient norm" in unclipped.message
    clipped = exploding("norm")
    assert clipped.status == "completed"
    assert clipped.result["final_val_loss"] < 100


@pytest.mark.parametrize("cell", ["lstm", "transformer"])
def test_seq2seq_learns_to_reverse_short_strings(cell):
    spec = {
        "dataset": "reverse",
        "dataset_options": {"symbols": 5, "min_length": 2, "max_length": 5},
        "model": {
            "cell": cell,
            "hidden": 32,
            "heads": 2,
            **({"attention": True} if cell == "lstm" else {}),
        },
        "training": {"steps": 600, "batch_size": 32, "lr": 0.005, "seed": 0},
    }
    accuracy = train(parse_spec(spec)).result["final_val_accuracy"]
    print(f"{cell} reverses with per-symbol accuracy {accuracy:.3f}")
    assert accuracy > 0.9
