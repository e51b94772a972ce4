"""Trying a finished run's model through POST /api/runs/{id}/predict, on the real worker's
saved weights: write from a prompt, classify a sentence, forecast a series."""

import math
import time

import pytest

from tests.conftest import slow_spec, tiny_spec
from tests.uploads.test_uploads_on_the_stack import upload

pytestmark = pytest.mark.stack


def trained(client, spec) -> str:
    status, run = client.post("/api/runs", spec)
    assert status == 201, run
    finished = client.wait_for_status(run["id"], {"completed", "failed", "diverged"})
    assert finished["status"] == "completed", finished["error"]
    return run["id"]


def asked(client, run_id, body):
    started = time.perf_counter()
    status, answer = client.post(f"/api/runs/{run_id}/predict", body)
    return status, answer, time.perf_counter() - started


def test_a_language_model_writes_on_from_a_prompt(client_of):
    client = client_of()
    run_id = trained(
        client,
        {"dataset": "stories", "model": {"cell": "gru", "hidden": 32}, "training": {"steps": 60}},
    )
    status, answer, seconds = asked(
        client, run_id, {"input": "The cat", "length": 80, "temperature": 0.5}
    )
    assert status == 200, answer
    print(f"wrote {len(answer['output'])} characters in {seconds:.3f} s: {answer['output']!r}")
    assert answer["prompt"] == "The cat" and len(answer["output"]) == 80
    again = asked(client, run_id, {"input": "The cat", "length": 80, "temperature": 0.5})[1]
    assert again["output"] == answer["output"]  # the same seed writes the same text
    status, answer, _ = asked(client, run_id, {"input": "", "length": 10})
    assert status == 422 and "prompt" in answer["error"]
    status, answer, _ = asked(client, run_id, {"input": "x", "temperature": 9})
    assert status == 422 and answer["error"].startswith("temperature")


def test_a_classifier_classifies_a_typed_sentence(client_of):
    client = client_of()
    run_id = trained(
        client,
        {
            "dataset": "sentiment",
            "model": {"cell": "lstm", "hidden": 32},
            "training": {"steps": 80},
        },
    )
    status, answer, seconds = asked(client, run_id, {"input": "The film was NOT boring!"})
    assert status == 200, answer
    print(f"{answer} in {seconds:.3f} s")
    assert answer["output"] in ("negative", "positive")
    assert sum(answer["probabilities"].values()) == pytest.approx(1, abs=1e-3)
    assert answer["read"] == "the film was not boring"


def test_a_forecaster_forecasts_past_the_end_of_the_series(client_of):
    client = client_of()
    rows = "".join(f"{i},{100 + 10 * math.sin(i / 5):.3f}\n" for i in range(200))
    _, dataset = upload(client, "wave.csv", ("t,level\n" + rows).encode(), kind="series")
    run_id = trained(
        client,
        {
            "dataset": dataset["id"],
            "paradigm": "many-to-one",
            "dataset_options": {"window": 20},
            "model": {"cell": "gru", "hidden": 16},
            "training": {"steps": 100},
        },
    )
    status, answer, seconds = asked(client, run_id, {"steps": 30})
    assert status == 200, answer
    print(f"forecast 30 steps in {seconds:.3f} s")
    assert answer["steps"] == 30 and len(answer["output"]["level"]) == 30
    assert all(80 < v < 120 for v in answer["output"]["level"])  # in the series' own units
    status, answer, _ = asked(client, run_id, {"input": [1.0, 2.0], "steps": 3})
    assert status == 422 and "at least 20 rows" in answer["error"]


def test_a_run_without_a_model_yet_or_without_a_try_says_why(client_of):
    client = client_of()
    status, run = client.post("/api/runs", slow_spec())
    client.wait_for_status(run["id"], {"running"})
    status, answer, _ = asked(client, run["id"], {"input": "hello"})
    assert status == 409 and "once it has finished" in answer["error"]
    client.request("POST", f"/api/runs/{run['id']}/cancel")
    client.wait_for_status(run["id"], {"cancelled"})
    wave = trained(
        client,
        {"dataset": "wave", "model": {"cell": "gru", "hidden": 8}, "training": {"steps": 20}},
    )
    status, answer, _ = asked(client, wave, {"input": "1 2 3"})
    assert status == 422 and "no 'try it' yet" in answer["error"]
    status, answer, _ = asked(client, "nope", {})
    assert status == 404


def test_the_lesson_tasks_answer_through_the_endpoint(client_of):
    client = client_of()
    adding = trained(client, tiny_spec(steps=20))  # adding, 10 steps a sequence
    rows = [[0.25, 1.0 if t in (1, 8) else 0.0] for t in range(10)]
    status, answer, _ = asked(client, adding, {"input": rows})
    assert status == 200, answer
    assert answer["expected"] == 0.5 and answer["marked"] == [1, 8]
    assert isinstance(answer["output"], float)
    status, answer, _ = asked(client, adding, {"input": rows[:4]})
    assert status == 422 and answer["error"].startswith("input: give 10 rows")
    reverse = trained(
        client,
        {"dataset": "reverse", "model": {"cell": "gru", "hidden": 16}, "training": {"steps": 20}},
    )
    status, answer, _ = asked(client, reverse, {"input": "123"})
    assert status == 200, answer
    assert answer["expected"] == "321" and len(answer["output"]) == 3
    status, answer, _ = asked(client, reverse, {"input": "12Z"})
    assert status == 422 and "'Z' is not among this model's symbols" in answer["error"]
