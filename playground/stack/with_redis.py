"""`python -m playground.stack.with_redis COMMAND…`: run COMMAND with a Redis that answers.

If REDIS_URL answers, it is used as it is; otherwise an embedded Redis is started for
the command's lifetime and REDIS_URL points at it. `make test` and `make bench` use this.
Without a SECRET_KEY, the command gets a random one of its own (sessions signed during
the tests or a benchmark mean nothing afterwards).
"""

import os
import secrets
import subprocess
import sys

from playground.stack import redis_server
from playground.stack.supervisor import VAR_DIR, signal_group


def main(command: list[str]) -> int:
    if not command:
        print(__doc__, file=sys.stderr)
        return 2
    env = dict(os.environ)
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    env["SECRET_KEY"] = env.get("SECRET_KEY") or secrets.token_urlsafe(50)
    embedded = None
    if not redis_server.answers(env["REDIS_URL"]):
        embedded, env["REDIS_URL"] = redis_server.start_embedded(VAR_DIR)
        print(f"No Redis answered; using an embedded one at {env['REDIS_URL']}", flush=True)
    try:
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:
        return 130
    finally:
        if embedded is not None:
            signal_group(embedded, 15)
            embedded.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
