"""The runs API in-process: creation, the event log, status compare-and-set, ownership."""

import pytest
from django.test import Client

from playground.runs import events, lifecycle
from playground.runs.models import Run

SPEC = {"dataset": "adding", "model": {"cell": "gru", "hidden": 8}, "training": {"steps": 20}}


def create(client, spec=SPEC) -> dict:
    response = client.post("/api/runs", spec, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.django_db
def test_creating_a_run_answers_its_links_and_records_queued_as_event_1(client):
    body = create(client)
    assert body["status"] == "queued"
    assert body["url"] == f"/runs/{body['id']}/"
    assert body["ws"] == f"/ws/runs/{body['id']}/"
    assert len(body["id"]) >= 22  # 128 random bits
    run = client.get(f"/api/runs/{body['id']}").json()
    assert run["progress"] == {"step": 0, "total_steps": 20}
    assert run["spec"]["model"]["cell"] == "gru" and run["spec"]["model"]["hidden"] == 8
    # The defaults.
    assert run["spec"]["model"]["layers"] == 1 and run["spec"]["paradigm"] == "many-to-one"
    stored = client.get(f"/api/runs/{body['id']}/events?after=0").json()
    assert stored == {"status": "queued", "events": [stored["events"][0]]}
    assert stored["events"][0]["seq"] == 1 and stored["events"][0]["status"] == "queued"


@pytest.mark.django_db
def test_events_are_numbered_without_gaps_and_read_after_a_seq(client):
    run_id = create(client)["id"]
    for step in range(5):
        events.record(run_id, "metrics", {"step": step})
    assert [e["seq"] for e in events.stored_after(run_id, 0)] == [1, 2, 3, 4, 5, 6]
    later = client.get(f"/api/runs/{run_id}/events?after=4").json()["events"]
    assert [(e["seq"], e["type"]) for e in later] == [(5, "metrics"), (6, "metrics")]


@pytest.mark.django_db
def test_a_status_change_happens_once_when_two_processes_race(client):
    run_id = create(client)["id"]
    assert lifecycle.move(run_id, "queued", "running") is True
    assert lifecycle.move(run_id, "queued", "running") is False  # the second one lost the race
    statuses = [e["status"] for e in events.stored_after(run_id, 0)]
    assert statuses == ["queued", "running"]
    assert Run.objects.get(id=run_id).started_at is not None


@pytest.mark.django_db
def test_the_owner_cancels_a_queued_run_and_others_may_not(client):
    run_id = create(client)["id"]
    stranger = Client()
    refused = stranger.post(f"/api/runs/{run_id}/cancel")
    assert refused.status_code == 403
    assert "Only the browser" in refused.json()["error"]
    accepted = client.post(f"/api/runs/{run_id}/cancel")
    assert accepted.status_code == 202
    assert accepted.json()["status"] == "cancelled"
    again = client.post(f"/api/runs/{run_id}/cancel")
    assert again.status_code == 409
    assert "already ended as cancelled" in again.json()["error"]


@pytest.mark.django_db
def test_a_script_can_cancel_with_its_owner_token(client):
    created = create(client)
    wrong = Client().post(f"/api/runs/{created['id']}/cancel", headers={"X-Owner-Token": "guess"})
    assert wrong.status_code == 403
    assert Run.objects.get(id=created["id"]).status == "queued"  # a guess changes nothing
    script = Client()
    response = script.post(
        f"/api/runs/{created['id']}/cancel", headers={"X-Owner-Token": created["owner_token"]}
    )
    assert response.status_code == 202 and response.json()["status"] == "cancelled"


@pytest.mark.django_db
def test_cancelling_a_running_run_asks_its_worker_to_stop(client):
    run_id = create(client)["id"]
    lifecycle.move(run_id, "queued", "running")
    response = client.post(f"/api/runs/{run_id}/cancel")
    assert response.status_code == 202
    run = Run.objects.get(id=run_id)
    assert run.status == "running" and run.cancel_requested  # the worker ends it cooperatively


@pytest.mark.django_db
def test_a_run_with_a_lapsed_lease_reads_as_waiting_to_resume(client, settings):
    from datetime import timedelta

    from django.utils import timezone

    run_id = create(client)["id"]
    lifecycle.move(run_id, "queued", "running")
    Run.objects.filter(id=run_id).update(
        heartbeat_at=timezone.now() - timedelta(seconds=settings.RUN_LEASE_SECONDS + 1)
    )
    run = client.get(f"/api/runs/{run_id}").json()
    # Never "running" with a dead worker: back in the queue, for the next worker to resume.
    assert run["status"] == "queued" and run["error"] is None
    last = Run.objects.get(id=run_id).events.last().data
    assert last["message"] == (
        "The worker training this run stopped answering; starting again from step 0."
    )


@pytest.mark.django_db
def test_the_datasets_list_has_the_adding_problem(client):
    datasets = {d["id"]: d for d in client.get("/api/datasets").json()["datasets"]}
    adding = datasets["adding"]
    assert adding["builtin"] is True and adding["kind"] == "synthetic"
    assert adding["paradigms"] == ["many-to-one"]
    assert set(datasets["sentiment"]["paradigms"]) == {"many-to-one", "one-to-one"}
    served = {p for d in datasets.values() for p in d["paradigms"]}
    assert served == {"one-to-one", "one-to-many", "many-to-one", "many-to-many", "seq2seq"}


@pytest.mark.django_db
def test_the_build_page_shows_the_form_and_an_empty_state(client):
    page = client.get("/").content.decode()
    assert 'id="build"' in page and "No runs yet" in page
    create(client)
    mine = client.get("/").content.decode()
    assert "No runs yet" not in mine and "GRU on adding" in mine
    # Another browser's runs stay private.
    assert "No runs yet" in Client().get("/").content.decode()


@pytest.mark.django_db
def test_checking_a_spec_answers_its_size_or_why_it_cannot_run(client):
    good = client.post(
        "/api/runs/check",
        {"dataset": "sentiment", "model": {"cell": "gru", "hidden": 8}},
        content_type="application/json",
    ).json()
    assert good["ok"] is True and good["parameters"] > 0 and good["activation_mib"] >= 0
    assert good["spec"]["paradigm"] == "many-to-one"
    bad = client.post(
        "/api/runs/check",
        {"dataset": "sentiment", "model": {"cell": "bow"}},
        content_type="application/json",
    )
    assert bad.status_code == 200 and bad.json()["ok"] is False
    assert bad.json()["details"][0]["field"] == "model.cell"
    assert Run.objects.count() == 0
