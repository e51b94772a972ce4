"""Bad run specs get a 4xx whose sentence names the field; nothing is created for them."""

import pytest

from playground.runs.models import Run

GOOD = {"dataset": "adding", "model": {"cell": "lstm", "layers": 1, "hidden": 16}}

BAD = {
    "unknown cell": ({"model": {"cell": "banana"}}, "model.cell"),
    "zero layers": ({"model": {"layers": 0}}, "model.layers"),
    "huge hidden": ({"model": {"hidden": 10_000_000}}, "model.hidden"),
    "negative steps": ({"training": {"steps": -5}}, "training.steps"),
    "steps as text": ({"training": {"steps": "100"}}, "training.steps"),
    "lr as list": ({"training": {"lr": [0.1]}}, "training.lr"),
    "layers as bool": ({"model": {"layers": True}}, "model.layers"),
    "unknown top key": ({"epochz": 3}, "epochz"),
    "unknown model key": ({"model": {"cells": "lstm"}}, "model.cells"),
    "missing dataset": ({"dataset": "no-such-data"}, "dataset"),
    "wrong paradigm": ({"paradigm": "seq2seq"}, "paradigm"),
    "bad option": ({"dataset_options": {"length": 1}}, "dataset_options.length"),
    "unknown option": ({"dataset_options": {"size": 3}}, "dataset_options.size"),
    "too big a model": ({"model": {"layers": 4, "hidden": 1024}}, "model"),
    "too much memory": (
        {
            "model": {"hidden": 1024},
            "training": {"batch_size": 512},
            "dataset_options": {"length": 1000},
        },
        "training.batch_size",
    ),
}


def merged(change: dict) -> dict:
    spec = {key: dict(value) if isinstance(value, dict) else value for key, value in GOOD.items()}
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(spec.get(key), dict):
            spec[key] = {**spec[key], **value}
        else:
            spec[key] = value
    return spec


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_it_rejects_a_bad_spec_naming_the_field(client, case):
    change, field = BAD[case]
    response = client.post("/api/runs", merged(change), content_type="application/json")
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["error"].startswith(f"{field}: "), body
    assert any(d["field"] == field for d in body["details"]), body
    assert Run.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, status, expected",
    [
        # Not JSON at all: the request is malformed.
        (b"", 400, "empty"),
        (b"{not json", 400, "not valid JSON"),
        (b"\xff\xfe", 400, "not valid JSON"),
        # JSON, but not a spec: the content is wrong.
        (b"[1, 2]", 422, "must be a JSON object"),
    ],
)
def test_it_rejects_a_body_that_is_not_a_json_object(client, body, status, expected):
    response = client.post("/api/runs", body, content_type="application/json")
    assert response.status_code == status
    assert expected in response.json()["error"]
    assert Run.objects.count() == 0


@pytest.mark.django_db
def test_it_answers_a_wrong_method_with_405_and_a_sentence(client):
    response = client.get("/api/runs")
    assert response.status_code == 405
    assert "POST" in response.json()["error"]


@pytest.mark.django_db
def test_it_answers_unknown_api_paths_and_runs_with_json_404(client):
    assert client.get("/api/nope").json()["error"]
    response = client.get("/api/runs/does-not-exist")
    assert response.status_code == 404
    assert "no run" in response.json()["error"]


@pytest.mark.django_db
@pytest.mark.parametrize("after", ["-1", "abc", "1.5"])
def test_it_rejects_a_bad_after(client, after):
    created = client.post("/api/runs", GOOD, content_type="application/json").json()
    response = client.get(f"/api/runs/{created['id']}/events?after={after}")
    assert response.status_code == 400
    assert "after" in response.json()["error"]
