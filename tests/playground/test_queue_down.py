"""When Redis is down, creating a run is a clear 503 and the run is not left queued."""

import pytest

from playground.stack.redis_server import free_port
from playground.stack.supervisor import Stack
from tests.conftest import Browserless, database_url, tiny_spec

pytestmark = pytest.mark.stack


@pytest.fixture
def web_without_redis(django_db_setup):
    from django.db import connection

    env = {
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
    }
    web = Stack(port=free_port(), env=env, embedded_redis=False)
    with web.serving("web", workers=0):
        yield web


def test_a_run_that_cannot_be_queued_is_refused_with_503_and_marked_failed(web_without_redis):
    browser = Browserless(web_without_redis.url)
    code, health = browser.get("/api/health")
    assert code == 503 and health["redis"] is False and "Redis" in health["error"]

    code, body = browser.post("/api/runs", tiny_spec())
    assert code == 503
    assert "Redis" in body["error"] and "Try again" in body["error"]

    code, run = browser.get(f"/api/runs/{body['id']}")
    assert code == 200
    assert run["status"] == "failed" and "not answering" in run["error"]
    _, stored = browser.get(f"/api/runs/{body['id']}/events")
    assert [e["status"] for e in stored["events"]] == ["queued", "failed"]
