"""GET /api/health: is the stack ready to train? The web server answers it before Django
(playground.heartbeat.health_first); this view gives the same answer wherever Django
serves the path itself (the test client, another server), and its 405s."""

import redis
from django.http import JsonResponse

from playground import heartbeat
from playground.api import endpoint


@endpoint("GET")
def health(request):
    try:
        status, body = heartbeat.health(heartbeat.last())
    except redis.RedisError:
        status, body = heartbeat.health(None, redis_answers=False)
    return JsonResponse(body, status=status)
