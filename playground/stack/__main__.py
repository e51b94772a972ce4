"""`python -m playground.stack` (what `make run` runs): serve the app with a worker beside it."""

import os
import signal
import subprocess
import sys
import time

from playground.stack.supervisor import Stack


def main() -> int:
    stack = Stack(host=os.getenv("HOST", "127.0.0.1"), port=int(os.getenv("PORT", "8000")))
    # Ctrl-C and a plain kill both end in the same orderly stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    try:
        stack.manage("migrate", "--no-input")
        stack.start()
        stack.wait_ready()
        print(f"\nThe playground is ready at {stack.url}/  (Ctrl-C stops everything)\n", flush=True)
        while (exited := stack.watch()) is None:
            time.sleep(1)
        print(f"The {exited} process stopped; stopping the rest.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    except subprocess.CalledProcessError:
        print("Could not start the playground: the database migration failed.", file=sys.stderr)
        return 1
    except RuntimeError as exc:
        print(f"Could not start the playground: {exc}", file=sys.stderr)
        return 1
    finally:
        print("Stopping…", flush=True)
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
