"""The datasets API: an upload is checked, stored, listed for its owner and previewed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from playground.datasets.models import Dataset
from sequences.uploads.prepare import MAX_BYTES

pytestmark = pytest.mark.django_db

SERIES = "date;temperature;rain\n" + "".join(
    f"2024-01-{1 + i % 28:02d} {i // 28:02d}:00;{10 + i % 7},5;{i % 3}\n" for i in range(60)
)


def upload(client, filename, content, kind, **choices):
    file = SimpleUploadedFile(filename, content.encode() if isinstance(content, str) else content)
    return client.post("/api/datasets", {"file": file, "kind": kind, **choices})


def test_an_upload_is_stored_with_its_summary_and_preview_and_listed_for_its_owner(client):
    answer = upload(client, "weather.csv", SERIES, "series", name="Weather")
    assert answer.status_code == 201, answer.json()
    d = answer.json()
    assert d["id"].startswith("u-") and len(d["id"]) >= 24  # unguessable, like run links
    assert (d["name"], d["kind"], d["builtin"]) == ("Weather", "series", False)
    assert d["paradigms"] == ["many-to-one", "many-to-many", "seq2seq"]
    assert d["summary"]["columns"] == ["temperature", "rain"]  # ';' and decimal commas read
    assert d["summary"]["statistics"]["temperature"]["min"] == 10.5
    assert d["summary"]["time_column"] == "date"
    assert set(d["preview"]["series"]) == {"temperature", "rain"}
    assert "window" in d["options_schema"]["properties"]
    listed = [x["id"] for x in client.get("/api/datasets").json()["datasets"]]
    assert d["id"] in listed and "adding" in listed
    assert d["id"] not in [x["id"] for x in Client().get("/api/datasets").json()["datasets"]]
    shared = Client().get(f"/api/datasets/{d['id']}").json()  # the id works as a link
    assert shared["preview"]["x"][0].startswith("2024-01-01")


def test_builtin_datasets_have_a_detail_too_and_unknown_ones_a_404(client):
    assert client.get("/api/datasets/adding").json()["builtin"] is True
    answer = client.get("/api/datasets/u-nothing")
    assert answer.status_code == 404 and "no dataset 'u-nothing'" in answer.json()["error"]


def test_an_upload_needs_a_file_and_a_kind(client):
    answer = client.post("/api/datasets", {"kind": "series"})
    assert answer.status_code == 400 and "'file'" in answer.json()["error"]
    answer = upload(client, "a.csv", SERIES, "spreadsheet")
    assert answer.status_code == 400 and "kind" in answer.json()["error"]
    answer = upload(client, "a.csv", SERIES, "series", missing="maybe")
    assert answer.status_code == 400 and "missing" in answer.json()["error"]
    assert Dataset.objects.count() == 0


def test_a_file_over_the_limit_is_refused_with_413(client):
    answer = upload(client, "big.csv", b"1\n" * (MAX_BYTES // 2 + 10), "series")
    assert answer.status_code == 413 and "5 MB" in answer.json()["error"]


def test_missing_values_are_dropped_or_interpolated_when_the_person_says_so(client):
    rows = [f"{i},{i}" for i in range(40)]
    rows[7] = "7,"
    content = "step,value\n" + "\n".join(rows)
    assert upload(client, "m.csv", content, "series").status_code == 422
    dropped = upload(client, "m.csv", content, "series", missing="drop").json()
    assert dropped["summary"]["rows"] == 39 and dropped["summary"]["missing"]["dropped_rows"] == 1
    filled = upload(client, "m.csv", content, "series", missing="interpolate").json()
    assert filled["summary"]["rows"] == 40 and filled["summary"]["missing"]["interpolated_cells"]


def test_a_run_on_an_upload_is_checked_against_that_upload(client):
    d = upload(client, "weather.csv", SERIES, "series").json()
    spec = {
        "dataset": d["id"],
        "paradigm": "seq2seq",
        "model": {"cell": "gru", "hidden": 16},
        "dataset_options": {"window": 12, "horizon": 4},
        "training": {"steps": 10},
    }
    check = client.post("/api/runs/check", spec, content_type="application/json").json()
    assert check["ok"], check
    spec["dataset_options"]["window"] = 55
    check = client.post("/api/runs/check", spec, content_type="application/json").json()
    assert not check["ok"] and check["details"][0]["field"] == "dataset_options.window"
    assert "48" in check["error"]  # the rows in the training part, said
    spec["dataset_options"] = {"normalize": "log"}
    answer = client.post("/api/runs", spec, content_type="application/json")
    assert answer.status_code == 422
    assert answer.json()["details"][0]["field"] == "dataset_options.normalize"


def test_only_the_uploader_deletes_an_upload_and_runs_on_it_then_cannot_start(client):
    d = upload(client, "weather.csv", SERIES, "series").json()
    assert Client().delete(f"/api/datasets/{d['id']}").status_code == 403
    answer = client.delete(f"/api/datasets/{d['id']}")
    assert answer.status_code == 200 and answer.json()["deleted"]
    assert client.get(f"/api/datasets/{d['id']}").status_code == 404
    spec = {"dataset": d["id"], "model": {"cell": "gru", "hidden": 8}}
    answer = client.post("/api/runs", spec, content_type="application/json")
    assert answer.status_code == 422 and "there is no dataset" in answer.json()["error"]
