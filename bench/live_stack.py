"""A live stack of its own for a benchmark: a fresh SQLite database, migrated, with a
worker, the web server and the sweeper (which keeps the health heartbeat)."""

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator

from playground.stack.redis_server import free_port
from playground.stack.supervisor import BASE_DIR, VAR_DIR, Stack


@contextlib.contextmanager
def live_stack(database: str, **env: str) -> Iterator[Stack]:
    """The stack, ready; `database` names its file under var/; `env` adds settings."""
    path = VAR_DIR / database
    path.unlink(missing_ok=True)
    env = {"DATABASE_URL": f"sqlite:///{path}", "DEBUG": "False", **env}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        check=True,
    )
    stack = Stack(port=free_port(), env=env)
    with stack.serving("worker", "web", "sweeper"):
        yield stack
