"""An upload's progress, kept in Redis under a random token the page sends with its form,
so that the page can show how far the check has come while its POST waits
(GET /api/uploads/{token}/progress).

Phases, in order: `waiting` (for a free checker), `reading` (rows read so far),
`checking` (the rows read), `storing`, then `done` or `failed` (the POST's answer says
why). Written from the web process and from the checker processes, so nothing here
touches Django; a progress that cannot be written is logged and the upload goes on."""

import json
import logging
import re
import time

import redis

from sequences.uploads.progress import CHECKING, READING

log = logging.getLogger(__name__)

WAITING, STORING, DONE, FAILED = "waiting", "storing", "done", "failed"
PHASES = (WAITING, READING, CHECKING, STORING, DONE, FAILED)
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
LIFETIME = 600  # seconds a token's progress stays readable after its last change
EVERY = 0.2  # seconds between two writes within one phase
TIMEOUTS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}


def key(token: str) -> str:
    return f"playground:upload-progress:{token}"


def valid(token: str) -> bool:
    return bool(TOKEN.fullmatch(token))


class UploadProgress:
    """One upload's progress, written at each new phase and at most every EVERY seconds
    within one; the check's `Progress` (sequences.uploads.progress)."""

    def __init__(self, client: redis.Redis, token: str):
        self.client, self.token = client, token
        self.phase: str | None = None
        self.written = 0.0

    def __call__(self, phase: str, rows: int | None = None) -> None:
        now = time.monotonic()
        if phase == self.phase and now - self.written < EVERY:
            return
        self.phase, self.written = phase, now
        state = {"phase": phase, **({"rows": rows} if rows is not None else {})}
        try:
            self.client.set(key(self.token), json.dumps(state), ex=LIFETIME)
        except redis.RedisError as error:
            log.warning("upload progress not written (%s): the upload goes on", error)


def read(client: redis.Redis, token: str) -> dict | None:
    """The progress stored under `token`, or None (raises redis.RedisError)."""
    stored = client.get(key(token))
    return None if stored is None else json.loads(stored)
