"""Quotas for every browser, on a live web server with tight limits: runs and steps at
once, stored uploads, new identities from one address; a closed workshop's browsers train
on their own again; expired runs and uploads are swept away."""

import subprocess
import sys
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from playground.stack.redis_server import free_port
from playground.stack.supervisor import BASE_DIR, Stack
from tests.conftest import Browserless, database_url, tiny_spec
from tests.parallel import SUITE_REDIS_URL, redis_database
from tests.uploads.test_uploads_on_the_stack import upload

pytestmark = pytest.mark.stack

LIMITS = {
    "BROWSER_ACTIVE_RUNS": "2",
    "BROWSER_QUEUED_STEPS": "1000",
    "BROWSER_UPLOADS": "2",
    "BROWSER_UPLOAD_BYTES": "3000",
    "NEW_IDENTITIES_PER_MINUTE": "3",
}
SERIES = b"t,v\n" + b"".join(f"{i},{i % 7}\n".encode() for i in range(60))
# Over the 3000 bytes a browser may keep, in one file.
BIG_SERIES = b"t,v\n" + b"".join(f"{i},{i % 7}\n".encode() for i in range(600))


def redis_of_its_own() -> str:
    """The test Redis server, the database above the suite's (tests/parallel.py
    redis_for_worker): nothing here reaches a session worker, and its rate-limit counters
    start from nothing."""
    return redis_database(SUITE_REDIS_URL, 1)


@pytest.fixture(scope="module")
def strict_web(django_db_setup, django_db_blocker):
    """A web server (no worker: runs stay queued) with small per-browser limits."""
    from django.db import connection

    from playground.runs.models import Run

    url = redis_of_its_own()
    started = timezone.now()
    env = {
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": url,
        "DEBUG": "False",
        **LIMITS,
    }
    web = Stack(port=free_port(), env=env, embedded_redis=False)
    try:
        with web.serving("web", workers=0):
            yield web
    finally:
        redis.Redis.from_url(url).flushdb()
        # Its runs were handed to a queue nobody reads: gone, so that they hold no place
        # ahead of the session's worker.
        with django_db_blocker.unblock():
            Run.objects.filter(created_at__gte=started).delete()


@pytest.fixture
def strict(strict_web):
    """The strict server with its counters at zero."""
    redis.Redis.from_url(strict_web.env["REDIS_URL"]).flushdb()
    return strict_web


def test_a_browser_may_queue_only_so_many_runs_and_steps(strict):
    browser = Browserless(strict.url)
    first = browser.post("/api/runs", tiny_spec(steps=300))
    second = browser.post("/api/runs", tiny_spec(steps=300))
    assert first[0] == 201 and second[0] == 201
    code, refused = browser.post("/api/runs", tiny_spec(steps=300))
    assert code == 429 and "2 at a time" in refused["error"] and "cancel one" in refused["error"]

    # A cancelled run frees its place; steps still waiting count against the next one.
    assert browser.post(f"/api/runs/{first[1]['id']}/cancel")[0] == 202
    code, refused = browser.post("/api/runs", tiny_spec(steps=800))
    assert code == 429 and "300 steps to train" in refused["error"], refused
    assert browser.post("/api/runs", tiny_spec(steps=700))[0] == 201


def test_a_browser_may_keep_only_so_many_uploads_and_bytes(strict):
    browser = Browserless(strict.url)
    assert upload(browser, "a.csv", SERIES, kind="series")[0] == 201
    code, refused = upload(browser, "big.csv", BIG_SERIES, kind="series")
    assert code == 413 and "may keep 2.9 KB" in refused["error"], refused
    assert "Delete an upload" in refused["error"]
    assert upload(browser, "b.csv", SERIES, kind="series")[0] == 201
    code, refused = upload(browser, "c.csv", SERIES, kind="series")
    assert code == 429 and "may keep 2" in refused["error"]
    _, listed = browser.get("/api/datasets")
    assert sum(not d["builtin"] for d in listed["datasets"]) == 2  # nothing more was stored


def test_a_script_that_drops_its_cookies_gets_few_new_identities(strict):
    # Each fresh client is a new browser. The limit counts per minute, so over a minute's
    # edge two windows' worth may pass: never more.
    answers = [Browserless(strict.url).post("/api/runs", tiny_spec())[0] for _ in range(7)]
    assert answers.count(429) >= 1 and answers.count(201) <= 6, answers
    code, refused = Browserless(strict.url).post("/api/runs", tiny_spec())
    assert code == 429 and "new browsers" in refused["error"]


def test_a_browser_trains_on_its_own_once_its_workshop_closes(client_of):
    teacher, student = client_of(), client_of()
    _, made = teacher.post("/api/workshops", {"title": "Short", "preset": tiny_spec()})
    code = made["code"]
    assert student.post(f"/api/workshops/{code}/join", {"name": "Ada"})[0] == 201
    assert teacher.post(f"/api/workshops/{code}/close", {})[0] == 200

    status, run = student.post("/api/runs", tiny_spec())
    assert status == 201, run
    _, board = teacher.get(f"/api/workshops/{code}")
    assert run["id"] not in [r["id"] for r in board["runs"]]  # its own run, off the board


def test_the_sweeper_deletes_expired_runs_and_uploads(live, stack, django_db_blocker):
    from playground.datasets.models import Dataset
    from playground.runs.models import Run, RunEvent

    _, run = live.post("/api/runs", tiny_spec(steps=20000))
    assert live.post(f"/api/runs/{run['id']}/cancel")[0] == 202
    live.wait_for_status(run["id"], {"cancelled"}, timeout=120)
    status, dataset = upload(live, "old.csv", SERIES, kind="series")
    assert status == 201
    kept = live.post("/api/runs", tiny_spec())[1]

    long_ago = timezone.now() - timedelta(days=settings.RUN_RETENTION_DAYS + 1)
    with django_db_blocker.unblock():
        Run.objects.filter(id=run["id"]).update(finished_at=long_ago)
        Dataset.objects.filter(id=dataset["id"]).update(created_at=long_ago)
    sweep = subprocess.run(
        [sys.executable, "manage.py", "sweep_runs"],
        cwd=BASE_DIR,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert sweep.returncode == 0, sweep.stderr

    assert live.get(f"/api/runs/{run['id']}")[0] == 404
    assert live.get(f"/api/datasets/{dataset['id']}")[0] == 404
    assert live.get(f"/api/runs/{kept['id']}")[0] == 200  # not expired: kept
    with django_db_blocker.unblock():
        assert not RunEvent.objects.filter(run_id=run["id"]).exists()


def test_joining_again_keeps_the_participant_and_its_quota(client_of):
    teacher, student = client_of(), client_of()
    preset = tiny_spec(steps=5000)
    quotas = {"concurrent_runs": 1, "max_steps": 20000}
    _, made = teacher.post("/api/workshops", {"title": "Quota", "preset": preset, "quotas": quotas})
    code = made["code"]
    _, first = student.post(f"/api/workshops/{code}/join", {"name": "Ada"})
    status, run = student.post("/api/runs", preset)
    assert status == 201, run
    try:
        status, again = student.post(f"/api/workshops/{code}/join", {"name": "Ada L."})
        assert status == 201 and again["participant"] == first["participant"]
        status, refused = student.post("/api/runs", preset)
        assert status == 429 and "allows 1 at a time" in refused["error"]
        _, board = teacher.get(f"/api/workshops/{code}")
        assert [p["name"] for p in board["participants"]] == ["Ada L."]
    finally:
        student.post(f"/api/runs/{run['id']}/cancel")
