"""Checking one upload in a worker process: check and prepare it (sequences.uploads),
reporting its progress, and hand back only what the web process stores.

Runs in the work pool's processes (playground.work_pool), so it imports no Django: the
web process passes everything it needs."""

import json
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
    """One connection pool per worker process, kept between uploads."""
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, **TIMEOUTS)
    return _clients[url]
