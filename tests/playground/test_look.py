"""Asking a run's model why through POST /api/runs/{id}/look on the live stack, with the
weights the real worker kept: what-if inputs, interventions, one step's arithmetic, any
kept checkpoint, and every bad request answered with a sentence naming its field."""

import time

import pytest

from tests.conftest import slow_spec, tiny_spec
from tests.playground.test_predict import trained

pytestmark = pytest.mark.stack

ROWS = [[0.25, 1.0 if t in (1, 8) else 0.0] for t in range(10)]


def looked(client, run_id, body):
    return client.post(f"/api/runs/{run_id}/look", body)


def kept_steps(client, run_id) -> list[int]:
    status, body = client.get(f"/api/runs/{run_id}/checkpoints")
    assert status == 200, body
    return body["steps"]


def test_a_finished_runs_model_answers_what_if_interventions_and_arithmetic(client_of):
    client = client_of()
    run_id = trained(client, tiny_spec(steps=40))  # a GRU on adding, 10 steps a sequence
    last = kept_steps(client, run_id)[-1]

    status, plain = looked(client, run_id, {})
    assert status == 200, plain
    assert plain["step"] == last and plain["probe"]["cell"] == "gru"
    assert set(plain["probe"]["heatmaps"]) >= {"l0.reset", "l0.update", "l0.hidden"}
    assert isinstance(plain["output"]["output"], float) and "before" not in plain

    started = time.perf_counter()
    status, what_if = looked(client, run_id, {"input": ROWS})
    print(f"a warm look answered in {time.perf_counter() - started:.3f} s")
    assert status == 200, what_if
    assert what_if["output"]["expected"] == 0.5 and what_if["output"]["marked"] == [1, 8]
    assert what_if["probe"]["inputs"][1] == [0.25, 1.0]

    body = {
        "input": ROWS,
        "interventions": [{"kind": "unit", "layer": 0, "unit": 2, "value": 0.0, "steps": [5]}],
        "explain": {"t": 5, "layer": 0, "units": [2, 3]},
    }
    status, changed = looked(client, run_id, body)
    assert status == 200, changed
    assert changed["before"]["output"] == what_if["output"]
    assert changed["before"]["probe"]["heatmaps"] == what_if["probe"]["heatmaps"]
    assert set(changed["difference"]["heatmaps"]) == set(changed["probe"]["heatmaps"])
    explained = changed["explain"]
    assert explained["cell"] == "gru" and [u["unit"] for u in explained["units"]] == [2, 3]
    assert explained["units"][0]["h"] == 0.0  # the arithmetic shows the unit as it was set
    assert set(explained["units"][1]) >= {"r", "z", "n", "h_prev", "h", "x_term", "h_term"}


def test_a_look_at_an_early_checkpoint_differs_from_the_last(client_of):
    client = client_of()
    status, run = client.post("/api/runs", slow_spec(steps=4000))
    assert status == 201, run
    status, refused = looked(client, run["id"], {})  # queued: nothing kept yet
    assert status == 409 and "no checkpoint" in refused["error"]
    deadline = time.monotonic() + 60
    while not kept_steps(client, run["id"]):
        assert time.monotonic() < deadline, "the run kept no checkpoint"
        time.sleep(0.2)
    early = kept_steps(client, run["id"])[0]
    # A running run can be looked at from its first kept checkpoint.
    status, running = looked(client, run["id"], {"step": early})
    assert status == 200, running
    while client.get(f"/api/runs/{run['id']}")[1]["progress"]["step"] < early + 200:
        assert time.monotonic() < deadline, "the run stopped moving"
        time.sleep(0.2)
    client.post(f"/api/runs/{run['id']}/cancel")
    client.wait_for_status(run["id"], {"cancelled"})
    steps = kept_steps(client, run["id"])
    assert steps[0] == early and steps[-1] > early

    status, first = looked(client, run["id"], {"step": early})
    assert status == 200 and first["step"] == early
    status, latest = looked(client, run["id"], {})
    assert status == 200 and latest["step"] == steps[-1]
    assert first["output"]["output"] != latest["output"]["output"]
    assert first["probe"]["loss"] != latest["probe"]["loss"]
    assert running["output"] == first["output"]  # the same weights, the same answer

    status, refused = looked(client, run["id"], {"step": early + 1})
    assert status == 422 and refused["error"].startswith("step: ")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"interventions": [{"kind": "clamp", "layer": 0, "gate": "forget", "value": 1.0}]},
            "interventions[0].gate",
        ),
        (
            {"interventions": [{"kind": "clamp", "layer": 1, "gate": "z", "value": 1.0}]},
            "interventions[0].layer",
        ),
        (
            {"interventions": [{"kind": "unit", "layer": 0, "unit": 8, "value": 0.0}]},
            "interventions[0].unit",
        ),
        ({"interventions": [{"kind": "unit", "layer": 0, "unit": 0}]}, "interventions[0].value"),
        ({"interventions": [{"kind": "head", "layer": 0, "head": 0}]}, "interventions[0].kind"),
        (
            {"interventions": [{"kind": "unit", "layer": 0, "unit": 0, "value": 0.0}] * 9},
            "interventions",
        ),
        ({"explain": {"t": 10, "layer": 0, "units": [0]}}, "explain.t"),
        ({"explain": {"t": 0, "layer": 0, "units": [8]}}, "explain.units"),
        ({"input": ROWS[:4]}, "input"),
        ({"input": "hello"}, "input"),
        ({"step": -1}, "step"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_each_bad_look_is_a_422_naming_its_field(client_of, finished_gru, body, field):
    status, refused = looked(client_of(), finished_gru, body)
    assert status == 422, refused
    print(refused["error"])
    assert refused["error"].startswith(f"{field}: ")


@pytest.fixture(scope="module")
def finished_gru(stack):
    from tests.conftest import Browserless

    return trained(Browserless(stack.url), tiny_spec(steps=20))


def test_a_look_at_no_run_is_a_404(client_of):
    status, _ = looked(client_of(), "nope", {})
    assert status == 404
