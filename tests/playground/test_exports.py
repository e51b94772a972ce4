"""Exports of a finished run, trained by the real worker: settings, metrics, weights that
load back (weights_only) into the same model, and a report that needs no network."""

import csv
import io
import json

import pytest
import torch

from sequences.models import build_model
from sequences.spec import parse_spec
from sequences.tasks import make_task
from tests.conftest import tiny_spec

pytestmark = pytest.mark.stack


def download(client, path) -> tuple[int, bytes, dict]:
    import urllib.error

    try:
        with client.opener.open(client.base_url + path, timeout=30) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def test_a_finished_run_exports_its_settings_metrics_weights_and_report(client_of):
    client = client_of()
    spec = tiny_spec(steps=60)
    _, run = client.post("/api/runs", spec)
    finished = client.wait_for_status(run["id"], {"completed", "failed"})
    assert finished["status"] == "completed", finished["error"]
    base = f"/api/runs/{run['id']}/export"

    status, body, headers = download(client, f"{base}/config")
    assert status == 200 and f"run-{run['id']}.json" in headers["Content-Disposition"]
    assert json.loads(body) == finished["spec"]

    status, body, _ = download(client, f"{base}/metrics")
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert rows[0].keys() >= {"step", "loss", "val_loss", "grad_norm", "lr"}
    assert rows[-1]["step"] == "60" and float(rows[-1]["loss"]) > 0

    status, body, _ = download(client, f"{base}/weights")
    state = torch.load(io.BytesIO(body), weights_only=True)  # plain tensors, nothing else
    parsed = parse_spec(finished["spec"])
    model = build_model(parsed, make_task(parsed).signature)
    model.load_state_dict(state)  # the same model, rebuilt from the settings
    assert sum(p.numel() for p in model.parameters()) == finished["result"]["parameters"]

    status, body, _ = download(client, f"{base}/report")
    page = body.decode()
    assert status == 200 and page.startswith("<!doctype html>")
    assert "cdn" not in page.lower().split("<body>")[0]  # plotly.js inline: opens offline
    assert "Plotly.newPlot" in page and "validation loss" in page

    status, body, _ = download(client, f"{base}/spreadsheet")
    assert status == 404 and b"config, metrics, weights, script, report" in body


def test_weights_of_a_run_still_training_are_a_409_that_says_why(client_of):
    from tests.conftest import slow_spec

    client = client_of()
    _, run = client.post("/api/runs", slow_spec())
    client.wait_for_status(run["id"], {"running"})
    status, body, _ = download(client, f"/api/runs/{run['id']}/export/weights")
    assert status == 409 and b"saved when it finishes" in body
    status, answer = client.request("DELETE", f"/api/runs/{run['id']}")
    assert status == 409 and "cancel it first" in answer["error"]
    client.request("POST", f"/api/runs/{run['id']}/cancel")
    client.wait_for_status(run["id"], {"cancelled"})


def test_only_the_owner_deletes_a_finished_run_and_its_link_then_answers_404(client_of):
    owner, stranger = client_of(), client_of()
    _, run = owner.post("/api/runs", tiny_spec(steps=20))
    owner.wait_for_status(run["id"], {"completed"})
    status, answer = stranger.request("DELETE", f"/api/runs/{run['id']}")
    assert status == 403 and "Only the browser that started" in answer["error"]
    status, answer = owner.request("DELETE", f"/api/runs/{run['id']}")
    assert status == 200 and answer["deleted"]
    assert owner.get(f"/api/runs/{run['id']}")[0] == 404
    assert download(owner, f"/api/runs/{run['id']}/export/weights")[0] == 404
