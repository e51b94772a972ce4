"""Start the stack's processes together and stop them together (one that stops on its own
is started again by playground.stack.restarts).

Each child gets its own process group, so stopping one stops its children too
(Celery's pool processes), and nothing is left running after Ctrl-C.

What runs, from the environment (strict: a bad value stops the launcher with a sentence):

- `web-1` … `web-N`: WEB_PROCESSES web servers (default 1), sharing one listening socket
  that the launcher opens (playground.stack.listen), as the Channels docs run several
  daphne processes behind one socket (`--fd`); WEB_PROXY_HEADERS=True behind a proxy that
  sets X-Forwarded-For (daphne's --proxy-headers);
- `worker`: a CPU worker on the CPU queue, WORKER_CONCURRENCY slots (default: one per
  usable core within memory, worker/slots.py), with no GPU visible;
- `gpu-worker-I`: one worker per GPU on the GPU queue, CUDA_VISIBLE_DEVICES=I, GPU_SLOTS
  slots each (default 1). GPU_DEVICES lists the GPUs (`0,1`; empty for none); without it,
  those `nvidia-smi` lists (asked in a child process: the launcher touches no CUDA);
- `sweeper`: hands back runs whose worker died, keeps the queues moving and the heartbeat.

A name given to start/stop/kill is a process's, or a group's: `web` is every web process,
`gpu-worker` every GPU worker.
"""

import contextlib
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playground.stack import redis_server
from playground.stack.listen import listening_socket
from playground.stack.secret import local_key
from worker.queues import queue_names

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
BIN = Path(sys.executable).parent
SHARED_SOCKET = "{shared socket}"  # in a command line: the listening socket's descriptor


@dataclass
class Program:
    """One process of the stack: its command line, the environment it adds, and whether it
    serves on the shared listening socket (its descriptor replaces SHARED_SOCKET in argv)."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    listens: bool = False


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
        self.web_processes = whole_number(self.env, "WEB_PROCESSES", 1)
        self.proxy_headers = true_or_false(self.env, "WEB_PROXY_HEADERS")
        self.gpu_slots = whole_number(self.env, "GPU_SLOTS", 1)
        self.gpus = gpu_devices(self.env)
        self.processes: dict[str, subprocess.Popen] = {}
        self.listener: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def programs(self) -> dict[str, Program]:
        queues = queue_names(self.env)
        programs = {"worker": self.worker(queues["cpu"], f"worker-{self.port}", gpu="")}
        for gpu in self.gpus:
            programs[f"gpu-worker-{gpu}"] = self.worker(
                queues["gpu"], f"gpu{gpu}-{self.port}", gpu=gpu, slots=self.gpu_slots
            )
        web = [sys.executable, "-m", "playground.stack.web", "--fd", SHARED_SOCKET]
        if self.proxy_headers:
            # The client's address from the proxy's X-Forwarded-For (per-address limits).
            web.append("--proxy-headers")
        for number in range(1, self.web_processes + 1):
            programs[f"web-{number}"] = Program([*web, "playground.asgi:application"], listens=True)
        programs["sweeper"] = Program([sys.executable, "manage.py", "sweep_runs", "--loop"])
        return programs

    def worker(self, queue: str, name: str, gpu: str, slots: int | None = None) -> Program:
        """A Celery worker on `queue`, seeing only the GPU `gpu` ("": none). Without
        `slots`, it takes WORKER_CONCURRENCY or the machine's default (settings)."""
        argv = [str(BIN / "celery"), "-A", "worker", "worker", "--loglevel", "INFO"]
        argv += ["-Q", queue, "--hostname", f"{name}@%h"]
        if slots is not None:
            argv += ["--concurrency", str(slots)]
        return Program(argv, env={"CUDA_VISIBLE_DEVICES": gpu})

    def names(self, *wanted: str) -> list[str]:
        """The processes named, a group standing for its members (all when none is named)."""
        programs = list(self.programs())
        if not wanted:
            return programs
        known = programs + [name for name in self.processes if name not in programs]
        found = []
        for name in wanted:
            members = [name] if name in known else [p for p in known if p.startswith(f"{name}-")]
            if not members and name == "gpu-worker":
                raise ValueError(
                    "there is no GPU to start a worker on: nvidia-smi lists none, and "
                    "GPU_DEVICES names none"
                )
            if not members:
                raise ValueError(f"the stack has no process named {name!r}: {', '.join(programs)}")
            found += [m for m in members if m not in found]
        return found

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
        programs = self.programs()
        for name in self.names(*names):
            program = programs[name]
            fds: tuple[int, ...] = ()
            argv = program.argv
            if program.listens:
                if self.listener is None:
                    self.listener = listening_socket(self.host, self.port)
                fds = (self.listener.fileno(),)
                argv = [str(fds[0]) if arg == SHARED_SOCKET else arg for arg in argv]
            self.processes[name] = subprocess.Popen(
                argv,
                cwd=BASE_DIR,
                env={**self.env, **program.env},
                pass_fds=fds,
                start_new_session=True,
                preexec_fn=die_with_parent,
            )

    def restart(self, name: str) -> None:
        """Start again a process that stopped: a web process on the same socket, the
        embedded Redis on the same port (playground.stack.restarts decides when)."""
        if name == "redis":
            port = urlsplit(self.env["REDIS_URL"]).port
            self.processes["redis"], _ = redis_server.start_embedded(VAR_DIR, port)
        else:
            self.start(name)

    def stop(self, *names: str, timeout: float = 10) -> None:
        """Stop the named processes (all by default, Redis last). Each leader gets TERM and
        shuts down in its own way (Celery stops its pool); a group still alive at the
        deadline is killed whole, so no pool process outlives its worker."""
        if names:
            order = [n for n in self.names(*names) if n in self.processes]
        else:
            order = [n for n in self.processes if n != "redis"] + ["redis"]
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
        self.close_listener_when_unused()

    def close_listener_when_unused(self) -> None:
        """Close the shared socket once no web process serves on it (the port is free)."""
        serving = any(name.startswith("web-") for name in self.processes)
        if self.listener is not None and not serving:
            self.listener.close()
            self.listener = None

    def kill(self, name: str) -> None:
        """Kill a process (or a group) and its children at once, as a crash would."""
        for member in [m for m in self.names(name) if m in self.processes]:
            process = self.processes.pop(member)
            signal_group(process, signal.SIGKILL)
            process.wait()
        self.close_listener_when_unused()

    def health(self) -> dict:
        try:
            with urllib.request.urlopen(f"{self.url}/api/health", timeout=5) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            return json.load(error)
        except (OSError, ValueError):
            return {"ok": False}

    @contextlib.contextmanager
    def serving(self, *names: str, workers: int = 1):
        """Start the named processes, wait until they are ready (with `workers` answering),
        and stop everything on leaving, however the block ends."""
        self.start(*names)
        try:
            self.wait_ready(workers=workers)
            yield self
        finally:
            self.stop()

    def wait_ready(self, timeout: float = 90, workers: int = 1) -> None:
        """Wait until the health check passes (with workers=0: until the web server answers)."""
        deadline = time.monotonic() + timeout
        while True:
            health = self.health()
            if self.ready(workers, health):
                return
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"the {name} process exited with code {process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the stack was not ready after {timeout} s: {health}")
            time.sleep(0.3)

    def ready(self, workers: int = 1, health: dict | None = None) -> bool:
        """The health check passes, with `workers` answering (0: the web server answers)."""
        health = self.health() if health is None else health
        if "redis" in health and not workers:
            return True
        return bool(health.get("ok")) and health.get("workers", 0) >= workers


def die_with_parent() -> None:
    """Ask Linux to TERM this child when the launcher dies, even by SIGKILL, so a crashed
    launcher leaves nothing running (PR_SET_PDEATHSIG; a no-op elsewhere)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG


def whole_number(env: dict, name: str, default: int) -> int:
    """A setting of 1 or more from the environment, or a sentence saying what is wrong."""
    value = env.get(name) or str(default)
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"Unexpected value {name}={value}, use a whole number of 1 or more")
    return int(value)


def true_or_false(env: dict, name: str) -> bool:
    """A True/False setting from the environment (False when unset)."""
    value = env.get(name) or "False"
    if value not in ("True", "False"):
        raise ValueError(f"Unexpected value {name}={value}, use 'True' or 'False'")
    return value == "True"


def gpu_devices(env: dict) -> list[str]:
    """The GPUs to start a worker on: GPU_DEVICES when set (comma-separated, empty for
    none), else every GPU that nvidia-smi lists (none without it)."""
    if "GPU_DEVICES" in env:
        return [device.strip() for device in env["GPU_DEVICES"].split(",") if device.strip()]
    nvidia_smi = shutil.which("nvidia-smi", path=env.get("PATH"))
    if nvidia_smi is None:
        return []
    query = [nvidia_smi, "--query-gpu=index", "--format=csv,noheader"]
    try:
        listed = subprocess.run(query, capture_output=True, text=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError):
        return []
    return listed.stdout.split()


def signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass
