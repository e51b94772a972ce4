"""The fault suite's stack: the real processes on a Redis of its own, on a free port, so
that a test may stop, pause or restart it without touching the shared one.

Each test gets a fresh stack (`fault_stack`), built from `make_fault_stack`, which a test
that needs other settings calls itself. The cases that leave their stack whole (a worker
killed and started again, Redis restarted, a web process paused and let go) share one
(`shared_fault_stack`; `whole_fault_stack` for the package): starting one costs seconds."""

import contextlib
import os
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


@contextlib.contextmanager
def redis_of_its_own(extra: tuple[str, ...] = ()):
    """A started OwnRedis, stopped on leaving."""
    with tempfile.TemporaryDirectory(prefix="fault-redis-") as data_dir:
        server = OwnRedis(Path(data_dir), extra)
        server.start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def own_redis():
    with redis_of_its_own() as server:
        yield server


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


@contextlib.contextmanager
def shared_fault_stack(redis_url: str, **extra: str):
    """A whole stack on `redis_url` for a module's tests to share (start it in a
    module-scoped fixture), and `whole`, to call before each test: it starts again any
    process an earlier test stopped, killed or left paused, and waits until the stack
    answers with its worker, so that each test starts as on a fresh stack."""
    stack = Stack(port=free_port(), env=fault_env(redis_url, **extra), embedded_redis=False)

    def whole() -> Stack:
        for name in stack.names("worker", "web", "sweeper"):
            process = stack.processes.get(name)
            if process is not None and process.poll() is None:
                go_on(process)
            else:
                stack.stop(name)
                stack.start(name)
        stack.wait_ready()
        return stack

    with stack.serving("worker", "web", "sweeper"):
        yield whole


def go_on(process: subprocess.Popen) -> None:
    """SIGCONT the process's group: one a failed test left paused goes on (a no-op else)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGCONT)


# The settings of the package's shared stack: a checkpoint a second (a killed worker's run
# resumes from a recent one), and no resending of runs not taken within a test (after a
# Redis restart, the sweeper must send them again at once: tests/faults/test_redis_restart.py).
SHARED_SETTINGS = {"RUN_CHECKPOINT_SECONDS": "1", "RUN_RESEND_SECONDS": "300"}


@pytest.fixture(scope="package")
def whole_fault_stack_and_redis(django_db_setup):
    with redis_of_its_own() as redis:
        with shared_fault_stack(redis.url, **SHARED_SETTINGS) as whole:
            yield whole, redis


@pytest.fixture
def whole_fault_stack(whole_fault_stack_and_redis) -> Stack:
    """The package's shared stack on its own Redis (SHARED_SETTINGS), whole, its Redis
    started again if a test left it stopped."""
    whole, redis = whole_fault_stack_and_redis
    if redis.process is None or redis.process.poll() is not None:
        redis.start()
    return whole()


@pytest.fixture
def shared_redis(whole_fault_stack_and_redis) -> OwnRedis:
    """The Redis of the package's shared stack, for a test to restart."""
    return whole_fault_stack_and_redis[1]
