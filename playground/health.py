"""GET /api/health: is the stack ready to train?"""

import redis
from django.conf import settings
from django.http import JsonResponse

from playground.api import endpoint
from worker.celery import app


def redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def count_workers() -> int:
    return len(app.control.ping(timeout=0.5))


@endpoint("GET")
def health(request):
    if not redis_answers():
        body = {"ok": False, "redis": False, "workers": 0}
        body["error"] = "Redis is not answering, so runs cannot be queued or streamed."
        return JsonResponse(body, status=503)
    workers = count_workers()
    body = {"ok": workers > 0, "redis": True, "workers": workers}
    if not workers:
        body["error"] = "No worker is running, so runs will wait in the queue until one starts."
    return JsonResponse(body, status=200 if workers else 503)
