"""The workers' heartbeat, and the health answer read from it.

One process (the run sweeper) asks the Celery workers every HEALTH_HEARTBEAT_SECONDS which
queues they take, and leaves the answer in Redis for a few beats: how many answered, how
many take each queue, and each one's queues. Routing reads it too: a run goes to a queue
with live workers (playground/runs/routing.py). GET /api/health reads
that answer with one short-timeout GET, and is served before Django (`health_first`), so
however many health checks arrive at once, none waits on the broker, on a worker or on
Django's one thread for synchronous views, and none holds up another request.
"""

import asyncio
import json
import logging
import threading
import time
from collections import Counter

import redis
import redis.asyncio
from django.conf import settings

from playground.csp import answer_headers
from worker.celery import app

log = logging.getLogger(__name__)

KEY = "playground:heartbeat:workers"
REPLY_SECONDS = 1.0  # how long a beat waits for the workers' replies
TIMEOUTS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}

_client: redis.Redis | None = None
_async_clients: dict[asyncio.AbstractEventLoop, redis.asyncio.Redis] = {}


def connection() -> redis.Redis:
    global _client
    if _client is None:
        # Short timeouts: health answers at once, even when Redis is slow or gone.
        _client = redis.Redis.from_url(settings.REDIS_URL, **TIMEOUTS)
    return _client


def lifetime() -> int:
    """Seconds an answer stays: three missed beats and it is gone."""
    return int(3 * settings.HEALTH_HEARTBEAT_SECONDS + REPLY_SECONDS) + 1


# The writer: the sweeper's thread.


def beat() -> dict:
    """Ask the workers which queues they take, and store how many answered, how many take
    each queue, and each worker's queues (by its name)."""
    replies = app.control.inspect(timeout=REPLY_SECONDS).active_queues() or {}
    nodes = {name: sorted(queue["name"] for queue in taken) for name, taken in replies.items()}
    queues = Counter(queue for taken in nodes.values() for queue in taken)
    answer = {"workers": len(nodes), "queues": dict(queues), "nodes": nodes, "time": time.time()}
    connection().set(KEY, json.dumps(answer), ex=lifetime())
    return answer


def start() -> threading.Thread:
    """Beat in a daemon thread for as long as this process lives."""
    thread = threading.Thread(target=keep_beating, name="heartbeat", daemon=True)
    thread.start()
    return thread


def keep_beating() -> None:
    while True:
        try:
            beat()
        except Exception:
            # A broker or Redis outage: the stored answer lapses, and health says so.
            log.warning("the workers' heartbeat missed a beat", exc_info=True)
        time.sleep(settings.HEALTH_HEARTBEAT_SECONDS)


# The readers: GET /api/health.


def last() -> dict | None:
    """The latest stored answer, or None when there is none (raises redis.RedisError)."""
    raw = connection().get(KEY)
    return json.loads(raw) if raw else None


async def last_async() -> dict | None:
    """last(), on the event loop (one client per loop: its connections belong to it)."""
    loop = asyncio.get_running_loop()
    if loop not in _async_clients:
        _async_clients[loop] = redis.asyncio.Redis.from_url(settings.REDIS_URL, **TIMEOUTS)
    raw = await _async_clients[loop].get(KEY)
    return json.loads(raw) if raw else None


def per_kind(workers: dict | None) -> dict[str, int]:
    """Workers taking each run queue, by kind ({"cpu": 2, "gpu": 1}) in a stored answer."""
    taking = (workers or {}).get("queues", {})
    return {kind: taking.get(name, 0) for kind, name in settings.RUN_QUEUES.items()}


def health(workers: dict | None, redis_answers: bool = True) -> tuple[int, dict]:
    """The health answer: status and body."""
    if not redis_answers:
        error = "Redis is not answering, so runs cannot be queued or streamed."
        body = {"ok": False, "redis": False, "workers": 0, "queues": per_kind(None)}
        return 503, {**body, "error": error}
    if workers is None:
        error = (
            f"No word from the workers in the last {lifetime()} s: the run sweeper "
            f"(manage.py sweep_runs --loop) asks them every {settings.HEALTH_HEARTBEAT_SECONDS}"
            " s; start it, or wait for it to answer."
        )
        body = {"ok": False, "redis": True, "workers": 0, "queues": per_kind(None)}
        return 503, {**body, "error": error}
    count = workers["workers"]
    body = {"ok": count > 0, "redis": True, "workers": count, "queues": per_kind(workers)}
    if not count:
        body["error"] = "No worker is running, so runs will wait in the queue until one starts."
    return (200 if count else 503), body


def health_first(application):
    """An ASGI application that answers GET /api/health itself and hands everything else
    (and every other method on that path: the view answers 405) to `application`."""

    async def serve(scope, receive, send):
        wanted = scope["type"] == "http" and scope["method"] == "GET"
        if not (wanted and scope["path"] == "/api/health"):
            return await application(scope, receive, send)
        try:
            status, body = health(await last_async())
        except redis.RedisError:
            status, body = health(None, redis_answers=False)
        head = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]
        head += answer_headers()
        await send({"type": "http.response.start", "status": status, "headers": head})
        await send({"type": "http.response.body", "body": json.dumps(body).encode()})

    return serve
