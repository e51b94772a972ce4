"""`python -m playground.stack`, what `make run` runs, started as a program would: its
output in a file, its children found by their command lines, Ctrl-C sent as a signal."""

import signal
import subprocess
import sys
import time
from pathlib import Path

from playground.stack.supervisor import BASE_DIR


def pgrep(*args: str) -> list[str]:
    return subprocess.run(["pgrep", *args], capture_output=True, text=True).stdout.split()


def command_line(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode()
    except FileNotFoundError:  # it ended meanwhile
        return ""


def wait_for_line(log: Path, text: str, timeout: float = 90, start: int = 0) -> str:
    """Wait until `text` is in the log past character `start`; return the whole log."""
    deadline = time.monotonic() + timeout
    while text not in (output := log.read_text())[start:]:
        assert time.monotonic() < deadline, output
        time.sleep(0.2)
    return output


class Launcher:
    """The launcher running with `env`, starting the processes `names` (all: none given)."""

    def __init__(self, env: dict, log: Path, *names: str):
        self.log = log
        with open(log, "w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "playground.stack", *names],
                cwd=BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def children(self) -> list[str]:
        return pgrep("-P", str(self.process.pid))

    def child(self, part: str) -> str:
        """The pid of the one child whose command line holds `part`."""
        (found,) = [pid for pid in self.children() if part in command_line(pid)]
        return found

    def wait_for_child(self, part: str, other_than: str = "", timeout: float = 60) -> str:
        """The pid of the child whose command line holds `part`, once there is one (other
        than the pid `other_than`: a process started again)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [p for p in self.children() if part in command_line(p) and p != other_than]
            if found:
                return found[0]
            assert time.monotonic() < deadline, f"no new {part!r} process: {self.output()}"
            time.sleep(0.1)

    def output(self) -> str:
        return self.log.read_text()

    def interrupt(self, timeout: float = 30) -> int:
        """Ctrl-C: SIGINT, then wait for it to end; its exit code."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        """Stop it the proper way if it still runs (after a failed assertion, say)."""
        if self.process.poll() is None:
            self.interrupt()
