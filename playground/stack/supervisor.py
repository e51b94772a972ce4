"""Start the stack's processes together and stop them together.

Each child gets its own process group, so stopping one stops its children too
(Celery's pool processes), and nothing is left running after Ctrl-C.
"""

import ctypes
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playground.stack import redis_server
from playground.stack.secret import local_key

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
BIN = Path(sys.executable).parent


class Stack:
    def __init__(
        self, host="127.0.0.1", port=8000, env: dict | None = None, embedded_redis: bool = True
    ):
        self.host, self.port = host, port
        self.embedded_redis = embedded_redis  # start one when REDIS_URL does not answer
        self.env = {**os.environ, **(env or {})}
        self.env.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
        if not self.env.get("SECRET_KEY"):
            self.env["SECRET_KEY"] = local_key(VAR_DIR)  # every process signs with the same key
        self.env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
        self.processes: dict[str, subprocess.Popen] = {}

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def commands(self) -> dict[str, list[str]]:
        concurrency = self.env.get("WORKER_CONCURRENCY", "1")
        return {
            "worker": [
                str(BIN / "celery"),
                "-A",
                "worker",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                concurrency,
                "--hostname",
                f"worker-{self.port}@%h",
            ],
            "web": [
                sys.executable,
                "-m",
                "playground.stack.web",
                "-b",
                self.host,
                "-p",
                str(self.port),
                "playground.asgi:application",
            ],
            "sweeper": [sys.executable, "manage.py", "sweep_runs", "--loop"],
        }

    def manage(self, *args: str) -> None:
        """Run a manage.py command with the stack's settings (its key, its database)."""
        subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=self.env, check=True)

    def start(self, *names: str) -> None:
        """Start Redis if none answers, then the named processes (all by default)."""
        needs_redis = self.embedded_redis and "redis" not in self.processes
        if needs_redis and not redis_server.answers(self.env["REDIS_URL"]):
            process, url = redis_server.start_embedded(VAR_DIR)
            self.processes["redis"] = process
            self.env["REDIS_URL"] = url
            print(f"No Redis answered; started an embedded one at {url}", flush=True)
        commands = self.commands()
        for name in names or commands:
            self.processes[name] = subprocess.Popen(
                commands[name],
                cwd=BASE_DIR,
                env=self.env,
                start_new_session=True,
                preexec_fn=die_with_parent,
            )

    def stop(self, *names: str, timeout: float = 10) -> None:
        """Stop the named processes (all by default, Redis last). Each leader gets TERM and
        shuts down in its own way (Celery stops its pool); a group still alive at the
        deadline is killed whole, so no pool process outlives its worker."""
        order = names or [n for n in self.processes if n != "redis"] + ["redis"]
        stopping = [self.processes.pop(n) for n in order if n in self.processes]
        for process in stopping:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + timeout
        for process in stopping:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            signal_group(process, signal.SIGKILL)
            process.wait()

    def kill(self, name: str) -> None:
        """Kill a process and its children at once, as a crash would."""
        process = self.processes.pop(name)
        signal_group(process, signal.SIGKILL)
        process.wait()

    def health(self) -> dict:
        try:
            with urllib.request.urlopen(f"{self.url}/api/health", timeout=5) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            return json.load(error)
        except (OSError, ValueError):
            return {"ok": False}

    def wait_ready(self, timeout: float = 90, workers: int = 1) -> None:
        """Wait until the health check passes (with workers=0: until the web server answers)."""
        deadline = time.monotonic() + timeout
        while True:
            health = self.health()
            if "redis" in health and not workers:
                return
            if health.get("ok") and health.get("workers", 0) >= workers:
                return
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"the {name} process exited with code {process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the stack was not ready after {timeout} s: {health}")
            time.sleep(0.3)

    def watch(self) -> str | None:
        """The name of a process that has exited, if any."""
        for name, process in self.processes.items():
            if process.poll() is not None:
                return name
        return None


def die_with_parent() -> None:
    """Ask Linux to TERM this child when the launcher dies, even by SIGKILL, so a crashed
    launcher leaves nothing running (PR_SET_PDEATHSIG; a no-op elsewhere)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG


def signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass
