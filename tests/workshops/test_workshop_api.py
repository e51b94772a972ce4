"""The workshop API: an instructor's workshop, participants joining by name, and the
server enforcing the workshop's locks and quotas on their runs."""

import pytest
from django.test import Client

from playground.runs.models import Run
from playground.workshops.models import Workshop

pytestmark = pytest.mark.django_db

PRESET = {
    "dataset": "adding",
    "dataset_options": {"length": 10},
    "model": {"cell": "lstm", "hidden": 16},
    "training": {"steps": 50},
}


def post(client, path, body):
    return client.post(path, body, content_type="application/json")


def workshop(client, **extra):
    body = {
        "title": "RNNs at noon",
        "preset": PRESET,
        "locked": ["dataset"],
        "hidden": ["cell"],
        "quotas": {"concurrent_runs": 1, "max_steps": 100, "max_parameters": 5000},
        **extra,
    }
    answer = post(client, "/api/workshops", body)
    assert answer.status_code == 201, answer.json()
    return answer.json()


def joined(code, name="Ada"):
    client = Client()
    answer = post(client, f"/api/workshops/{code}/join", {"name": name})
    assert answer.status_code == 201, answer.json()
    return client, answer.json()


def test_an_instructor_creates_a_workshop_and_participants_join_by_name():
    made = workshop(Client())
    code = made["code"]
    assert made["join_url"] == f"/w/{code}/" and "key=" in made["instructor_url"]
    secret = Workshop.objects.get(code=code).secret
    assert secret in made["instructor_url"] and len(secret) >= 22
    _, me = joined(code, "  Ada   Lovelace ")
    assert me["board_ws"] == f"/ws/workshops/{code}/"
    detail = Client().get(f"/api/workshops/{code.lower()}").json()  # codes ignore case
    assert detail["title"] == "RNNs at noon" and detail["status"] == "open"
    assert detail["participants"] == [{"id": me["participant"], "name": "Ada Lovelace"}]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"title": ""}, "title"),
        ({"title": "x", "preset": {"model": {"cell": "cnn"}}}, "preset.model.cell"),
        ({"title": "x", "locked": ["model.colour"]}, "locked"),
        ({"title": "x", "quotas": {"max_steps": 0}}, "quotas.max_steps"),
        ({"title": "x", "quotas": {"gpus": 2}}, "quotas.gpus"),
    ],
)
def test_a_bad_workshop_is_a_422_naming_the_field(body, field):
    answer = post(Client(), "/api/workshops", body)
    assert answer.status_code == 422
    assert answer.json()["error"].startswith(field), answer.json()


def test_a_bad_name_or_code_is_refused_clearly():
    code = workshop(Client())["code"]
    for name in ("", "   ", "x" * 41):
        answer = post(Client(), f"/api/workshops/{code}/join", {"name": name})
        assert answer.status_code == 422 and "name" in answer.json()["error"]
    assert post(Client(), "/api/workshops/NOPE42/join", {"name": "A"}).status_code == 404


def test_the_server_enforces_locks_and_quotas_with_reasons():
    code = workshop(Client())["code"]
    client, _ = joined(code)
    cases = [
        (
            {**PRESET, "dataset": "sentiment", "dataset_options": {}},
            403,
            "dataset is locked to 'adding'",
        ),
        ({**PRESET, "training": {"steps": 500}}, 403, "at most 100 steps"),
        ({**PRESET, "model": {"cell": "lstm", "hidden": 64}}, 403, "at most 5,000"),
    ]
    for spec, status, reason in cases:
        answer = post(client, "/api/runs", spec)
        assert answer.status_code == status and reason in answer.json()["error"], answer.json()
    first = post(client, "/api/runs", PRESET)
    assert first.status_code == 201
    answer = post(client, "/api/runs", PRESET)
    assert answer.status_code == 429 and "allows 1 at a time" in answer.json()["error"]
    run = Run.objects.get(id=first.json()["id"])
    assert run.workshop_id == code and run.participant.name == "Ada" and run.round == 0


def test_only_the_instructor_acts_and_a_closed_workshops_browsers_train_on_their_own():
    teacher = Client()
    code = workshop(teacher)["code"]
    student, _ = joined(code)
    run = post(student, "/api/runs", PRESET).json()
    for action, body in [
        ("stop", {"run": run["id"]}),
        ("spotlight", {"run": run["id"]}),
        ("close", {}),
    ]:
        answer = post(student, f"/api/workshops/{code}/{action}", body)
        assert answer.status_code == 403 and "instructor" in answer.json()["error"]
    assert student.get(f"/api/workshops/{code}/results").status_code == 403
    assert post(teacher, f"/api/workshops/{code}/spotlight", {"run": run["id"]}).json() == {
        "spotlight": run["id"]
    }
    assert post(teacher, f"/api/workshops/{code}/stop", {"run": run["id"]}).status_code == 202
    assert Run.objects.get(id=run["id"]).status == "cancelled"
    assert post(teacher, f"/api/workshops/{code}/close", {}).status_code == 200
    # The browser trains on its own again: the run is not the closed workshop's.
    answer = post(student, "/api/runs", PRESET)
    assert answer.status_code == 201
    assert Run.objects.get(id=answer.json()["id"]).workshop_id is None
    assert post(Client(), f"/api/workshops/{code}/join", {"name": "Late"}).status_code == 403
    csv = teacher.get(f"/api/workshops/{code}/results").content.decode()
    assert csv.splitlines()[0].startswith("participant,run,task") and "Ada" in csv
    assert Client().get(f"/api/workshops/{code}").json()["status"] == "closed"  # an archive


def test_a_key_in_a_header_makes_a_script_the_instructor():
    made = workshop(Client())
    key = made["instructor_url"].split("key=")[1]
    answer = Client().post(
        f"/api/workshops/{made['code']}/close",
        "{}",
        content_type="application/json",
        headers={"X-Instructor-Key": key},
    )
    assert answer.status_code == 200
