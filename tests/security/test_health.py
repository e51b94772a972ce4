"""GET /api/health answers from the workers' heartbeat in Redis: it never asks the workers
itself, so a crowd of health checks is answered at once and holds up no other request.
(How fast a crowd of 200 is answered is measured by bench/health_load.py.)"""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.conf import settings

from playground import heartbeat
from tests.conftest import tiny_spec

pytestmark = pytest.mark.stack


@pytest.fixture
def store(stack):
    """Redis, where the heartbeat is; afterwards, the sweeper's own heartbeat is back."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    yield client
    client.close()
    stack.wait_ready(timeout=30)


def health_right_after(store, live, stored: dict | None) -> tuple[int, dict]:
    """Health as answered right after the heartbeat is set to `stored` (None: removed). The
    sweeper writes its own every 2 s, so try a few times for an answer that read ours."""
    for _ in range(5):
        if stored is None:
            store.delete(heartbeat.KEY)
        else:
            store.set(heartbeat.KEY, json.dumps(stored), ex=60)
        code, body = live.get("/api/health")
        if body["workers"] == (stored or {"workers": 0})["workers"]:
            return code, body
    return code, body


def test_the_sweeper_keeps_a_heartbeat_with_the_workers_per_queue(stack, store):
    deadline = time.monotonic() + 30
    while not (raw := store.get(heartbeat.KEY)):
        assert time.monotonic() < deadline, "no heartbeat"
        time.sleep(0.2)
    beat = json.loads(raw)
    assert beat["workers"] == 1
    assert beat["queues"] == {settings.CELERY_TASK_DEFAULT_QUEUE: 1}
    # Each worker by its name, with the queues it takes.
    (name,) = beat["nodes"]
    assert name.startswith(f"worker-{stack.port}@")
    assert beat["nodes"][name] == [settings.RUN_QUEUES["cpu"]]
    assert 0 < store.ttl(heartbeat.KEY) <= heartbeat.lifetime()


def test_health_reads_the_workers_from_the_heartbeat_and_asks_no_worker(store, live):
    cpu, gpu = settings.RUN_QUEUES["cpu"], settings.RUN_QUEUES["gpu"]
    stored = {"workers": 7, "queues": {cpu: 5, gpu: 3, "another-queue": 1}}
    code, body = health_right_after(store, live, stored)
    # The workers on each run queue, by kind (a worker taking both counts in each).
    queues = {"cpu": 5, "gpu": 3}
    assert (code, body) == (200, {"ok": True, "redis": True, "workers": 7, "queues": queues})


def test_with_a_heartbeat_of_no_worker_health_says_so(store, live):
    code, body = health_right_after(store, live, {"workers": 0, "queues": {}})
    assert code == 503 and body["ok"] is False and body["workers"] == 0
    assert body["queues"] == {"cpu": 0, "gpu": 0}
    assert body["error"] == (
        "No worker is running, so runs will wait in the queue until one starts."
    )


def test_without_a_heartbeat_health_says_the_sweeper_is_silent(store, live):
    code, body = health_right_after(store, live, None)
    assert code == 503 and body["redis"] is True and body["workers"] == 0
    assert body["queues"] == {"cpu": 0, "gpu": 0}
    assert body["error"].startswith("No word from the workers in the last")
    assert "manage.py sweep_runs --loop" in body["error"]


def test_a_crowd_of_health_checks_holds_up_no_run_being_created(stack, client_of):
    """20 health checks at once used to freeze run creation (each asked the workers and
    waited on the broker, one after another). Generous bounds: this is not a benchmark."""
    stack.wait_ready()
    people = [client_of() for _ in range(21)]
    with ThreadPoolExecutor(21) as pool:
        started = time.monotonic()
        checks = [pool.submit(person.get, "/api/health") for person in people[:20]]
        creating = pool.submit(people[20].post, "/api/runs", tiny_spec())
        code, created = creating.result(timeout=60)
        created_after = time.monotonic() - started
        answers = [check.result(timeout=60) for check in checks]
    assert code == 201, created
    assert all(code == 200 for code, _ in answers)
    assert created_after < 5
    people[20].post(f"/api/runs/{created['id']}/cancel")
