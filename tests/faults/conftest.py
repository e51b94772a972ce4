"""The fault suite's stack: the real processes on a Redis of its own, on a free port, so
that a test may stop, pause or restart it without touching the shared one.

Each test gets a fresh stack (`fault_stack`), built from `make_fault_stack`, which a test
that needs other settings calls itself."""

import signal
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

from playground.stack import redis_server
from playground.stack.redis_server import free_port
from playground.stack.supervisor import Stack
from tests.conftest import LEASE_SECONDS, database_url


class OwnRedis:
    """A redis-server of the test's own, on a free port it keeps across restarts."""

    def __init__(self, data_dir: Path, extra: tuple[str, ...] = ()):
        self.data_dir, self.extra = data_dir, extra
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process, _ = redis_server.start_embedded(self.data_dir, self.port, self.extra)

    def stop(self) -> None:
        """Stop it as a crash or a restart would: it keeps nothing (no persistence)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def own_redis():
    with tempfile.TemporaryDirectory(prefix="fault-redis-") as data_dir:
        server = OwnRedis(Path(data_dir))
        server.start()
        try:
            yield server
        finally:
            server.stop()


def fault_env(redis_url: str, **extra: str) -> dict[str, str]:
    """The stack's settings in the fault suite: the test database, the given Redis, a short
    lease, one CPU slot and no GPU worker; `extra` overrides them."""
    from django.db import connection

    return {
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": redis_url,
        "RUN_LEASE_SECONDS": str(LEASE_SECONDS),
        "RUN_REAP_INTERVAL_SECONDS": "1",
        "DEBUG": "False",
        "SECRET_KEY": settings.SECRET_KEY,
        "WORKER_CONCURRENCY": "1",
        "GPU_DEVICES": "",
        **extra,
    }


@pytest.fixture
def make_fault_stack(django_db_setup):
    """Make a stack on a given Redis (not started: the test starts it, usually with
    `serving`); every stack made is stopped after the test."""
    made: list[Stack] = []

    def make(redis_url: str, **extra: str) -> Stack:
        stack = Stack(port=free_port(), env=fault_env(redis_url, **extra), embedded_redis=False)
        made.append(stack)
        return stack

    yield make
    for stack in made:
        stack.stop()


@pytest.fixture
def fault_stack(make_fault_stack, own_redis):
    """The whole stack, serving, on the test's own Redis."""
    stack = make_fault_stack(own_redis.url)
    with stack.serving("worker", "web", "sweeper"):
        yield stack
