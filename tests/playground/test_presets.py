"""Every preset on the build page is a valid set of runs that differ in what it teaches."""

import pytest

from playground.runs.presets import PRESETS
from sequences.spec import parse_spec


@pytest.mark.parametrize("preset", PRESETS, ids=[p["id"] for p in PRESETS])
def test_a_preset_trains_valid_runs_that_differ(preset):
    specs = [parse_spec(run) for run in preset["runs"]]
    assert len(specs) >= 2 and preset["lesson"]
    dumped = [s.model_dump(exclude={"name"}) for s in specs]
    assert all(d != dumped[0] for d in dumped[1:])  # each run changes something
    assert len({s.dataset for s in specs}) == 1  # on the same data


def test_the_exploding_gradients_preset_shows_what_clipping_does():
    from sequences.train import train

    preset = next(p for p in PRESETS if p["id"] == "exploding-gradients")
    unclipped, clipped = (
        parse_spec({**run, "training": {**run["training"], "steps": 300}}) for run in preset["runs"]
    )
    wild, tame = train(unclipped), train(clipped)
    print(f"no clipping: {wild.status} {wild.message or ''}; clipped: {tame.status}")
    assert wild.status == "diverged"
    assert tame.status == "completed" and tame.result["final_loss"] < 0.5
