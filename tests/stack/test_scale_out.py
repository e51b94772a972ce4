"""The scaled-out shape on loopback: two web processes on one socket, a CPU-queue worker and
a GPU-queue worker (training on the CPU where there is no GPU), the sweeper, a fresh
PostgreSQL database and the real Redis. A run streams to clients on both web processes;
a small run lands on the CPU worker, a big one on the GPU worker; with the GPU worker
stopped, a big run falls back to the CPU worker.

PostgreSQL: POSTGRES_URL_FOR_TESTS (default postgres://postgres@127.0.0.1:5432/postgres),
where the test makes a database of its own and drops it afterwards."""

import os
import secrets
import time
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import psycopg
import pytest
from django.conf import settings

from playground.stack.redis_server import free_port
from playground.stack.supervisor import Stack
from tests.conftest import Browserless, slow_spec, tiny_spec
from tests.events_client import EventClient, seqs

pytestmark = pytest.mark.stack

POSTGRES = os.environ.get("POSTGRES_URL_FOR_TESTS", "postgres://postgres@127.0.0.1:5432/postgres")
SMALL = tiny_spec()  # 60 steps: an estimated cost of 1.4e6
BIG = tiny_spec(steps=120)  # twice the work
GPU_COST = 2_000_000  # between them: BIG goes to the GPU queue


def wait_for(condition, what: str, timeout: float = 30):
    """Poll `condition` until it returns something true; fail saying `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.1)
    return found


@pytest.fixture(scope="module")
def database():
    """A fresh PostgreSQL database URL, dropped afterwards."""
    name = f"scale_out_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(POSTGRES, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"This test needs PostgreSQL at {POSTGRES} (POSTGRES_URL_FOR_TESTS): {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlsplit(POSTGRES)._replace(path=f"/{name}").geturl()
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def scaled(database):
    port = free_port()
    env = {
        "DATABASE_URL": database,
        "REDIS_URL": settings.REDIS_URL,
        # Queues of its own: no other stack on this Redis takes its runs, nor it theirs.
        "CELERY_QUEUE": f"scale-out-{port}",
        "WEB_PROCESSES": "2",
        "WORKER_CONCURRENCY": "1",
        "GPU_DEVICES": "0",
        "GPU_SLOTS": "1",
        "RUN_GPU_COST": str(GPU_COST),
        "HEALTH_HEARTBEAT_SECONDS": "1",
        "RUN_REAP_INTERVAL_SECONDS": "1",
        "DEBUG": "False",
    }
    stack = Stack(port=port, env=env, embedded_redis=False)
    try:
        # The web processes and workers read no table until asked: they start while the
        # database is migrated; the sweeper reads from the start.
        stack.start("web", "worker", "gpu-worker")
        stack.manage("migrate", "--no-input", "-v0", "--skip-checks")
        stack.start("sweeper")
        stack.wait_ready(workers=2)
        yield stack
    finally:
        stack.stop()


def placed(database: str, run_id: str) -> tuple[str, str]:
    """(queue, worker) the run was handed to and taken by, from the database."""
    with psycopg.connect(database) as db:
        row = db.execute("SELECT queue, worker FROM runs_run WHERE id = %s", [run_id]).fetchone()
    return row


def start(client: Browserless, spec: dict) -> str:
    code, body = client.post("/api/runs", spec)
    assert code == 201, body
    return body["id"]


def web_process_of(stack: Stack, client: EventClient) -> str:
    """Which web process holds this client's socket (by the client's own address)."""
    local = client.socket.local_address[:2]
    for name in stack.names("web"):
        connections = psutil.Process(stack.processes[name].pid).net_connections("tcp")
        if any(tuple(c.raddr) == local for c in connections if c.raddr):
            return name
    return ""


def one_client_on_each_web_process(stack: Stack, run_id: str) -> dict[str, EventClient]:
    """Open sockets to the run until each web process serves one (the kernel hands each new
    connection to whichever process accepts it first); close the others."""
    clients: dict[str, EventClient] = {}
    deadline = time.monotonic() + 30
    while len(clients) < len(stack.names("web")):
        assert time.monotonic() < deadline, f"the sockets all went to {list(clients)}"
        client = EventClient(stack.url, run_id)
        name = wait_for(lambda c=client: web_process_of(stack, c), "the socket's process")
        if name in clients:
            client.close()
        else:
            clients[name] = client
    return clients


def test_health_reports_a_worker_on_each_queue(scaled):
    health = wait_for(
        lambda: (h := scaled.health()).get("queues") == {"cpu": 1, "gpu": 1} and h,
        "a worker on each queue",
    )
    # The total counts every worker on this Redis (another stack's too), the queues only
    # this stack's.
    assert health["ok"] is True and health["workers"] >= 2


def test_a_run_streams_to_clients_on_both_web_processes(scaled, database):
    owner = Browserless(scaled.url)
    run_id = start(owner, slow_spec())
    clients = one_client_on_each_web_process(scaled, run_id)
    assert sorted(clients) == ["web-1", "web-2"]
    # Every event from here on was recorded after both clients were listening: each web
    # process hears of it through the channel layer.
    _, stored = owner.get(f"/api/runs/{run_id}/events")
    connected_at = len(stored["events"])
    for client in clients.values():
        client.until(lambda e: e["seq"] > connected_at)
    assert owner.post(f"/api/runs/{run_id}/cancel")[0] == 202

    logs = [client.until_finished() for client in clients.values()]
    for client in clients.values():
        client.close()
    assert logs[0] == logs[1]
    assert seqs(logs[0]) == list(range(1, len(logs[0]) + 1))
    assert logs[0][-1]["status"] == "cancelled"
    # Its estimated cost is above RUN_GPU_COST: the GPU queue's worker took it.
    queue, worker = placed(database, run_id)
    assert queue == "gpu" and worker.startswith(f"gpu0-{scaled.port}@")


def test_a_small_run_lands_on_the_cpu_worker_and_a_big_one_on_the_gpu_worker(scaled, database):
    client = Browserless(scaled.url)
    small, big = start(client, SMALL), start(client, BIG)
    for run_id in (small, big):
        assert client.wait_for_status(run_id, {"completed"}, timeout=60)
    queue, worker = placed(database, small)
    assert queue == "cpu" and worker.startswith(f"worker-{scaled.port}@")
    queue, worker = placed(database, big)
    assert queue == "gpu" and worker.startswith(f"gpu0-{scaled.port}@")


def loads_torch(pid: int) -> bool:
    return "libtorch" in Path(f"/proc/{pid}/maps").read_text()


def test_a_workers_parent_never_loads_torch_nor_touches_cuda_its_slots_do(scaled):
    # After the runs above: each worker's slot trained one.
    for name in ("worker", "gpu-worker-0"):
        parent = psutil.Process(scaled.processes[name].pid)
        assert not loads_torch(parent.pid), f"the {name} parent process loaded torch"
        assert any(loads_torch(slot.pid) for slot in parent.children())


def test_with_the_gpu_worker_stopped_a_big_run_falls_back_to_the_cpu_worker(scaled, database):
    scaled.stop("gpu-worker")
    wait_for(
        lambda: scaled.health().get("queues") == {"cpu": 1, "gpu": 0},
        "the heartbeat to see the GPU worker gone",
    )
    client = Browserless(scaled.url)
    big = start(client, BIG)
    assert client.wait_for_status(big, {"completed"}, timeout=60)
    queue, worker = placed(database, big)
    assert queue == "cpu" and worker.startswith(f"worker-{scaled.port}@")
