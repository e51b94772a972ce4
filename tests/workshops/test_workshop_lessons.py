"""A workshop's participant is offered only the lessons its rules would admit: each run
within the steps and parameters a run, the locks kept, and no more runs than may train at
once. Everyone else is offered every lesson."""

import json
import re

import pytest
from django.test import Client

from playground.runs.presets import PRESETS
from tests.workshops.test_workshop_api import joined, post, workshop

pytestmark = pytest.mark.django_db

ROOMY = {"concurrent_runs": 4, "max_steps": 20_000, "max_parameters": 5_000_000}


def offered(client) -> list[str]:
    page = client.get("/").content.decode()
    data = re.search(r'<script id="preset-data" type="application/json">(.*?)</script>', page, re.S)
    return [lesson["id"] for lesson in json.loads(data.group(1))]


def longest(lesson) -> int:
    return max(run.get("training", {}).get("steps", 300) for run in lesson["runs"])


def participant_in(**rules):
    code = workshop(Client(), **rules)["code"]
    client, _ = joined(code)
    return client, code


def test_a_browser_outside_a_workshop_is_offered_every_lesson():
    assert offered(Client()) == [lesson["id"] for lesson in PRESETS]


def test_lessons_longer_than_the_step_quota_are_not_offered():
    shortest = min(longest(lesson) for lesson in PRESETS)
    client, _ = participant_in(quotas={**ROOMY, "max_steps": shortest}, locked=[], preset={})
    fitting = [lesson["id"] for lesson in PRESETS if longest(lesson) <= shortest]
    assert fitting and offered(client) == fitting


def test_a_step_quota_below_every_lesson_offers_none():
    client, _ = participant_in(quotas={**ROOMY, "max_steps": 100}, locked=[], preset={})
    assert all(longest(lesson) > 100 for lesson in PRESETS)
    assert offered(client) == []


def test_lessons_with_more_runs_than_may_train_at_once_are_not_offered():
    client, _ = participant_in(quotas={**ROOMY, "concurrent_runs": 1}, locked=[], preset={})
    assert offered(client) == [lesson["id"] for lesson in PRESETS if len(lesson["runs"]) == 1]


def test_lessons_over_the_parameter_quota_are_not_offered():
    client, _ = participant_in(quotas={**ROOMY, "max_parameters": 100}, locked=[], preset={})
    assert offered(client) == []


def test_lessons_that_break_a_lock_are_not_offered():
    client, _ = participant_in(quotas=ROOMY, preset={"dataset": "sentiment"}, locked=["dataset"])
    on_sentiment = [
        lesson["id"]
        for lesson in PRESETS
        if all(run["dataset"] == "sentiment" for run in lesson["runs"])
    ]
    assert on_sentiment and offered(client) == on_sentiment


def test_after_the_close_a_participant_is_offered_every_lesson_again():
    teacher = Client()
    code = workshop(teacher, quotas={**ROOMY, "max_steps": 100}, locked=[], preset={})["code"]
    client, _ = joined(code)
    assert offered(client) == []
    assert post(teacher, f"/api/workshops/{code}/close", {}).status_code == 200
    assert offered(client) == [lesson["id"] for lesson in PRESETS]
