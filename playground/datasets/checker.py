"""What a checker process does with one upload: check and prepare it (sequences.uploads),
reporting its progress, and hand back only what the web process stores.

Runs in the checking pool's processes (playground.datasets.checking), so it imports no
Django: the web process passes everything it needs."""

import json
import os
import select
import threading
import time
from dataclasses import dataclass
from typing import Any

import redis

from playground.datasets.progress import STORING, TIMEOUTS, UploadProgress
from sequences.uploads import prepare
from sequences.uploads.progress import Progress, unwatched

_clients: dict[str, redis.Redis] = {}


@dataclass
class Checked:
    """A checked upload as it is stored: the data already compressed (a million rows as
    Python lists would cost the web process a second to unpickle)."""

    summary: dict[str, Any]
    preview: dict[str, Any]
    data: bytes


def check_upload(
    raw: bytes, kind: str, choices: dict[str, Any], redis_url: str, token: str | None
) -> Checked:
    """Raises UploadError, which comes back to the web process whole."""
    progress: Progress = UploadProgress(client(redis_url), token) if token else unwatched
    prepared = prepare(raw, kind, choices, progress)
    progress(STORING)
    # The preview is stored as JSON: what the answer shows is what a later GET shows.
    preview = json.loads(json.dumps(prepared.preview))
    return Checked(prepared.summary, preview, prepared.to_bytes())


def client(url: str) -> redis.Redis:
    """One connection pool per checker process, kept between uploads."""
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, **TIMEOUTS)
    return _clients[url]


def serve(web_pid: int) -> None:
    """Set a checker up to end when the web process that owns its pool ends, however it
    ends. Nothing else would end it: a checker waits on a queue whose writing end it holds
    itself, and its fork server lives as long as any checker does."""
    threading.Thread(target=exit_when_gone, args=(web_pid,), daemon=True).start()


def exit_when_gone(pid: int) -> None:
    try:
        handle = os.pidfd_open(pid)  # readable once the process has ended (Linux 5.3+)
    except (AttributeError, OSError):
        while pid_exists(pid):  # no pidfd here: look every second
            time.sleep(1)
    else:
        select.select([handle], [], [])
    os._exit(0)


def pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process is there
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # there, but someone else's
    return True
