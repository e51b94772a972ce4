"""`python -m playground.stack [NAME …]`: serve the app with its workers beside it.

Without names (what `make run` runs): migrate, start Redis when none answers, then every
process of the stack (playground.stack.supervisor: web processes, CPU and GPU workers,
the sweeper). With names, only those processes, for one host of a distributed deployment
(`python -m playground.stack web`: WEB_PROCESSES web servers on one socket): its Redis and
database are shared ones, and migrations run once, apart. A process that stops on its own
is started again with backoff, and the launcher says which and why
(playground.stack.restarts); Ctrl-C or a plain kill stops them all.
"""

import os
import signal
import subprocess
import sys
import time

from playground.stack.restarts import Supervision
from playground.stack.supervisor import Stack


def main(names: list[str]) -> int:
    # Ctrl-C and a plain kill both end in the same orderly stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    try:
        stack = Stack(
            host=os.getenv("HOST", "127.0.0.1"),
            port=int(os.getenv("PORT", "8000")),
            embedded_redis=not names,
        )
        stack.names(*names)  # an unknown name stops here, before anything starts
    except ValueError as exc:
        print(f"Could not start the playground: {exc}.", file=sys.stderr)
        return 2
    try:
        if not names:
            stack.manage("migrate", "--no-input")
        stack.start(*names)
        supervision = Supervision(stack)
        # Without a web process there is nothing to announce.
        announced = not any(name.startswith("web-") for name in stack.processes)
        while True:
            supervision.tend()
            if not announced and stack.ready(workers=0 if names else 1):
                print(
                    f"\nThe playground is ready at {stack.url}/  (Ctrl-C stops everything)\n",
                    flush=True,
                )
                announced = True
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    except subprocess.CalledProcessError:
        print("Could not start the playground: the database migration failed.", file=sys.stderr)
        return 1
    except (RuntimeError, OSError) as exc:
        print(f"Could not start the playground: {exc}", file=sys.stderr)
        return 1
    finally:
        print("Stopping…", flush=True)
        stack.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
