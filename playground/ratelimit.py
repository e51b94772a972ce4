"""Fixed-window rate limits per client address, counted in Redis so every web process
shares them."""

import logging
import time

import redis
from django.conf import settings

from playground.api import ApiError

log = logging.getLogger(__name__)

_client: redis.Redis | None = None


def connection() -> redis.Redis:
    global _client
    if _client is None:
        # Short timeouts: a limit must never make a request wait on a slow Redis.
        _client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5
        )
    return _client


def client_address(request) -> str:
    """The address the request came from (a proxy in front must pass the real one on as
    REMOTE_ADDR, e.g. daphne's --proxy-headers)."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def bucket(name: str, key: str, window: int) -> str:
    return f"playground:limit:{name}:{key}:{int(time.time()) // window}"


def hit(name: str, key: str, limit: int, window: int = 60) -> bool:
    """Count one more `name` event for `key` in the current window; False once over
    `limit`. When Redis does not answer, the request goes ahead (and it is logged): a
    limit is a guard, not a reason to refuse everyone."""
    counter = bucket(name, key, window)
    try:
        with connection().pipeline() as pipe:
            count, _ = pipe.incr(counter).expire(counter, window + 1).execute()
    except redis.RedisError:
        log.warning("rate limit %s not counted: Redis did not answer", name, exc_info=True)
        return True
    return int(count) <= limit


def spent(name: str, key: str, limit: int, window: int = 60) -> bool:
    """Whether `key` is already over `limit` in the current window, counting nothing: for
    limits that count only failures, then refuse everything. False when Redis does not
    answer, as hit goes ahead."""
    try:
        count = connection().get(bucket(name, key, window))
    except redis.RedisError:
        log.warning("rate limit %s not read: Redis did not answer", name, exc_info=True)
        return False
    return int(count or 0) > limit


def limit_per_address(request, name: str, limit: int, what: str, window: int = 60) -> None:
    """Raise a 429 that says the limit once this client address passes it."""
    if not hit(name, client_address(request), limit, window):
        raise too_many(limit, what)


def refuse_when_spent(request, name: str, limit: int, what: str, window: int = 60) -> None:
    """Raise the same 429 while this client address is over the limit, counting nothing."""
    if spent(name, client_address(request), limit, window):
        raise too_many(limit, what)


def too_many(limit: int, what: str) -> ApiError:
    return ApiError(
        429,
        f"Too many {what} from your address: at most {limit} a minute. "
        "Wait a minute, then try again.",
    )
