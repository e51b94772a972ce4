"""A run's script and report are built in the work pool, not in the web process: while
the pool is full, a new one is refused with a 503 that says try again; a script, and a
finished run's report, once built are kept and served however busy the pool is. And the
page of a run on an upload learns what it can offer without loading the upload's data."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from playground.datasets.catalog import catalog_for
from playground.runs.models import Run
from sequences.spec import parse_spec
from tests.conftest import tiny_spec
from tests.uploading import MILLION_ROWS, SMALL, in_background, token, wait_for_phase

pytestmark = pytest.mark.django_db(transaction=True)


def finished_run(**spec) -> Run:
    """A run as the worker leaves a completed one (its events play no part here)."""
    spec = {**tiny_spec(), **spec}
    parsed = parse_spec(spec, catalog_for(spec["dataset"]))
    return Run.objects.create(
        spec=parsed.model_dump(mode="json"),
        owner="someone",
        status="completed",
        step=parsed.training.steps,
        total_steps=parsed.training.steps,
        result={"parameters": 1},
    )


def export(run: Run, what: str):
    return Client().get(f"/api/runs/{run.id}/export/{what}")


def test_built_exports_are_kept_and_new_ones_wait_for_a_free_pool(work_pool_of):
    work_pool_of(processes=1, queue=0)
    run = finished_run()
    script = export(run, "script")
    assert script.status_code == 200
    compile(script.content, "run.py", "exec")  # a whole Python script
    # The pool's one process at work on a large upload, and no place to wait:
    busy = token()
    upload = in_background(MILLION_ROWS, busy)
    wait_for_phase(busy, {"reading", "checking"})
    refused = export(run, "report")
    assert refused.status_code == 503
    assert refused.json() == {
        "error": "The server's helper processes are busy; try again in a moment."
    }
    again = export(run, "script")  # kept: no process needed
    assert again.status_code == 200 and again.content == script.content
    upload["thread"].join()
    assert upload["answer"].status_code == 201
    report = export(run, "report")
    assert report.status_code == 200 and report.content.startswith(b"<!doctype html>")


def test_the_script_of_a_run_on_an_upload_carries_its_data_and_a_deleted_upload_is_a_409():
    client = Client()
    file = SimpleUploadedFile("s.csv", SMALL)
    answer = client.post("/api/datasets", {"file": file, "kind": "series"})
    assert answer.status_code == 201, answer.json()
    dataset = answer.json()["id"]
    spec = {"dataset": dataset, "paradigm": "many-to-one", "dataset_options": {"window": 8}}
    kept, lost = finished_run(**spec), finished_run(**spec)
    script = export(kept, "script")
    assert script.status_code == 200 and f"{dataset!r}".encode() in script.content
    assert client.delete(f"/api/datasets/{dataset}").status_code == 200
    gone = export(lost, "script")
    assert gone.status_code == 409
    assert gone.json()["error"].startswith("This run's settings can no longer be rebuilt")


def test_the_page_of_a_run_on_an_upload_offers_to_try_it_as_its_kind_says():
    """The run page learns the upload's kind from its row, not from its data."""
    client = Client()
    file = SimpleUploadedFile("s.csv", SMALL)
    dataset = client.post("/api/datasets", {"file": file, "kind": "series"}).json()["id"]
    run = finished_run(dataset=dataset, paradigm="many-to-one", dataset_options={"window": 8})
    page = client.get(f"/runs/{run.id}/").content.decode()
    assert 'id="try-card" data-kind="forecast"' in page
