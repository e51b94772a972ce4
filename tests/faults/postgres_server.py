"""A PostgreSQL server of the test's own: a fresh cluster in a temporary directory, on a
free port it keeps across restarts, so that a test may restart it without touching the
shared one.

Its programs (`initdb`, `pg_ctl`) come from PATH, else from Debian's
/usr/lib/postgresql/<version>/bin. PostgreSQL refuses to run as root: as root, the
server's commands run as the `postgres` user (`runuser`), who then owns the directory.
Trust authentication on 127.0.0.1; the unix socket lives in the directory too."""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from playground.stack.redis_server import free_port

DEBIAN_BINARIES = Path("/usr/lib/postgresql")
SERVER_USER = "postgres"  # who runs the server when the tests run as root
MISSING = (
    "The PostgreSQL fault test starts a server of its own, and found no `initdb` and "
    "`pg_ctl` on PATH nor under /usr/lib/postgresql/*/bin: install the PostgreSQL server "
    "(Debian: apt-get install postgresql)."
)


def binaries() -> Path | None:
    """The directory holding initdb and pg_ctl: PATH first, then Debian's newest."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    debian = sorted(DEBIAN_BINARIES.glob("*/bin/initdb"), key=lambda p: p.parent.parent.name)
    for initdb in reversed(debian):
        if (initdb.parent / "pg_ctl").exists():
            return initdb.parent
    return None


class OwnPostgres:
    """A PostgreSQL cluster in `base_dir` (made and owned by the server's user), on a free
    port. `start` initializes it the first time; `restart` stops it as an operator would
    (`pg_ctl stop -m fast`: every open connection is broken) and starts it again on the
    same port; `destroy` stops it and deletes the cluster."""

    def __init__(self, base_dir: Path):
        found = binaries()
        if found is None:
            raise RuntimeError(MISSING)
        self.bin = found
        self.base_dir = base_dir
        self.data_dir = base_dir / "data"
        self.log_file = base_dir / "server.log"
        self.port = free_port()
        self.as_server_user = os.geteuid() == 0
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self.as_server_user:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        done = subprocess.run(command, cwd=self.base_dir, capture_output=True, text=True)
        if done.returncode != 0:
            log = self.log_file.read_text() if self.log_file.exists() else ""
            raise RuntimeError(f"{program} {' '.join(args)} failed:\n{done.stderr}\n{log}")

    def initialize(self) -> None:
        if self.as_server_user:
            shutil.chown(self.base_dir, user=SERVER_USER, group=SERVER_USER)
        # No fsync: a throwaway cluster, and a fast one (a clean stop still checkpoints).
        cluster = ["-D", str(self.data_dir), "-U", "postgres", "-E", "UTF8", "--locale=C"]
        self.run("initdb", *cluster, "--auth=trust", "--no-sync")

    def start(self) -> None:
        if not self.data_dir.exists():
            self.initialize()
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base_dir} -c fsync=off"
        waiting = ["-w", "-t", "30"]
        logged = ["-D", str(self.data_dir), "-l", str(self.log_file)]
        self.run("pg_ctl", "start", *logged, *waiting, "-o", options)
        self.wait_until_answering()

    def wait_until_answering(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                psycopg.connect(self.url, connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", mode, "-w", "-t", "30")

    def restart(self) -> None:
        self.stop()
        self.start()

    def running(self) -> bool:
        return (self.data_dir / "postmaster.pid").exists()

    def destroy(self) -> None:
        if self.running():
            self.stop(mode="immediate")
        shutil.rmtree(self.base_dir, ignore_errors=True)

    def create_database(self, name: str) -> str:
        """Make an empty database; return its URL."""
        with psycopg.connect(self.url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + f"/{name}"


def own_postgres_server():
    """Start a fresh server (a generator, for a fixture: yields it, destroys it after)."""
    server = OwnPostgres(Path(tempfile.mkdtemp(prefix="fault-postgres-")))
    try:
        server.start()
        yield server
    finally:
        server.destroy()
