"""What `make run` starts: an embedded Redis when none answers, then the worker, the web
server and the sweeper; one that is killed is started again; Ctrl-C stops every one of
them."""

import json
import os
import signal
import time
import urllib.request

import pytest

from playground.stack.redis_server import free_port
from tests.launching import Launcher, command_line, pgrep, wait_for_line
from tests.processes import alive
from worker.slots import cpu_slots

pytestmark = pytest.mark.stack


def launcher_env(**settings: str) -> dict:
    """This environment, with the machine's defaults for the worker's slots, one web
    process, and no GPU worker (a machine with GPUs would start one for each:
    tests/stack/test_shape.py)."""
    env = {k: v for k, v in os.environ.items() if k != "WORKER_CONCURRENCY"}
    return {**env, "GPU_DEVICES": "", "WEB_PROCESSES": "", **settings}


def test_the_launcher_embeds_redis_starts_a_killed_process_again_and_ctrl_c_stops_all(tmp_path):
    """One launcher for the whole life: what it starts, what it starts again after a crash,
    and the Ctrl-C that stops it all (starting a stack costs seconds; one start serves)."""
    port, dead_redis_port = free_port(), free_port()
    env = launcher_env(
        PORT=str(port),
        # A database of its own, which the launcher migrates itself: its sweeper must not
        # queue other tests' runs again.
        DATABASE_URL=f"sqlite:///{tmp_path / 'launcher.sqlite3'}",
        REDIS_URL=f"redis://127.0.0.1:{dead_redis_port}/0",
    )
    launcher = Launcher(env, tmp_path / "launcher.log")
    try:
        output = wait_for_line(launcher.log, "ready at")
        assert "started an embedded one" in output, output
        assert health(port) == {
            "ok": True,
            "redis": True,
            "workers": 1,
            "queues": {"cpu": 1, "gpu": 0},
        }
        # Each child leads a process group of its own (Celery's pool processes join it).
        children = launcher.children()
        commands = " | ".join(command_line(pid) for pid in children)
        for expected in (
            "playground.stack.web --fd",
            f"worker-{port}@",
            "sweep_runs",
            "redis-server",
        ):
            assert expected in commands, commands
        # The worker has a slot for each core the machine serves well (two on two cores).
        web = launcher.child("playground.stack.web")
        worker = launcher.child(f"worker-{port}@")
        pool = pgrep("-P", worker)
        assert len(pool) == cpu_slots()

        # As a crash would: the web server, and the worker's main process (not its pool).
        os.kill(int(web), signal.SIGKILL)
        os.kill(int(worker), signal.SIGKILL)

        launcher.wait_for_child("playground.stack.web", other_than=web)
        launcher.wait_for_child(f"worker-{port}@", other_than=worker)
        output = wait_for_line(launcher.log, "Started the worker process again.")
        for name in ("web-1", "worker"):
            stopped = f"The {name} process stopped (killed by SIGKILL)"
            assert stopped in output and "starting it again in 1 s." in output, output
        # The killed worker's pool went with it, and nothing else was stopped.
        deadline = time.monotonic() + 30
        while any(alive(int(p)) for p in pool):
            assert time.monotonic() < deadline, "a pool process outlived its worker"
            time.sleep(0.1)
        assert "sweeper process stopped" not in output and "redis process stopped" not in output
        # The same port answers again, with a worker.
        deadline = time.monotonic() + 90
        while health(port).get("workers") != 1:
            assert time.monotonic() < deadline, launcher.output()
            time.sleep(0.3)
        children = launcher.children()
        assert launcher.interrupt() == 0  # what Ctrl-C sends
    finally:
        launcher.stop()  # a failed assertion above: still stop it the proper way
    assert pgrep("-g", ",".join(children)) == [], "processes outlived the launcher"


def test_a_launcher_killed_outright_takes_its_processes_with_it(tmp_path):
    port = free_port()
    env = launcher_env(
        PORT=str(port),
        DATABASE_URL=f"sqlite:///{tmp_path / 'k.sqlite3'}",
        CELERY_QUEUE=f"launcher-test-{port}",  # never take the other tests' runs
    )
    launcher = Launcher(env, tmp_path / "launcher.log")
    wait_for_line(launcher.log, "ready at")
    children = launcher.children()
    assert len(children) == 3  # worker, web server, sweeper (Redis answered already)
    launcher.process.kill()  # SIGKILL: no chance to stop anything itself
    launcher.process.wait()
    deadline = time.monotonic() + 30
    while pgrep("-g", ",".join(children)):
        assert time.monotonic() < deadline, "processes outlived a killed launcher"
        time.sleep(0.3)


def health(port: int) -> dict:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as error:
        return json.load(error)
    except OSError:
        return {}
