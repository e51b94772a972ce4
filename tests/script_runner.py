"""Exported scripts, run as a person runs one (`python -I exported.py` in its folder), without
paying for PyTorch's import each time: one isolated interpreter imports torch, then forks a
fresh process for each script. A child inherits only what `import torch` loads, the first
thing every exported script imports; the playground is no more importable there than in
`python -I`."""

import atexit
import os
import select
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

# Seconds one script may take.
TIMEOUT = 240

# Reads a folder a line; runs its exported.py as __main__ in a child, with stdout and stderr
# in files beside it; answers the child's exit code a line.
SERVER = r"""
import os, runpy, sys, traceback
import torch

for line in sys.stdin:
    folder = line.rstrip("\n")
    pid = os.fork()
    if pid == 0:
        os.chdir(folder)
        for fd, name in ((1, "stdout.txt"), (2, "stderr.txt")):
            os.dup2(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), fd)
        sys.argv = ["exported.py"]
        try:
            runpy.run_path("exported.py", run_name="__main__")
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    print(os.waitstatus_to_exitcode(status), flush=True)
"""


class ScriptRunner:
    def __init__(self):
        self.process: subprocess.Popen | None = None
        self.home = tempfile.TemporaryDirectory(prefix="exported-scripts-")

    def start(self) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-I", "-c", SERVER],
            cwd=self.home.name,  # not the checkout
            # One intra-op thread, as the suite's own training (tests/conftest.py): on two
            # cores shared with the live stack, two threads spinning against it run many
            # times slower.
            env={**os.environ, "OMP_NUM_THREADS": "1"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,  # a group of its own: a script too slow goes with it
        )

    def run(self, folder: Path) -> tuple[int, str, str]:
        """Run folder/exported.py; its exit code, stdout and stderr."""
        if self.process is None or self.process.poll() is not None:
            self.process = self.start()
        self.process.stdin.write(f"{folder}\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], TIMEOUT)
        if not ready:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            raise AssertionError(f"the exported script in {folder} ran past {TIMEOUT} s")
        answer = self.process.stdout.readline()
        assert answer, "the script runner stopped"
        return int(answer), *((folder / n).read_text() for n in ("stdout.txt", "stderr.txt"))

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=30)
        self.home.cleanup()


RUNNER = ScriptRunner()
atexit.register(RUNNER.close)
