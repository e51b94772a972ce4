"""Tell when the broker (Redis) has restarted: each start of a Redis server gets a new
random `run_id` (INFO server). A broker that restarted may have kept nothing (an embedded
one keeps nothing), so the sweeper then sends again every run handed over and not yet
taken, at once rather than RUN_RESEND_SECONDS later (runs/lifecycle.py `resend_lost`)."""

import redis

# Short: a sweep never waits long on a broker that is away.
TIMEOUTS = {"socket_timeout": 2, "socket_connect_timeout": 2}


class BrokerRestarts:
    def __init__(self, url: str):
        self.client = redis.Redis.from_url(url, **TIMEOUTS)
        self.known: str | None = None  # the run_id of the server last seen

    def seen(self) -> bool:
        """True when the broker answers as another server than last time, or answers for
        the first time (nothing says what it kept before); False when it answers as the same
        server, or not at all (the next sweep asks again)."""
        try:
            run_id = self.client.info("server")["run_id"]
        except redis.RedisError:
            return False
        known, self.known = self.known, run_id
        return run_id != known
