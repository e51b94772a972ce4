"""What the course teaches beyond its lesson presets, as real learning runs with fixed seeds
(each preset lesson's own outcome is checked in tests/playground/test_lesson_outcomes.py)."""

import pytest

from sequences.spec import parse_spec
from sequences.train import train


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
