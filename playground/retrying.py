"""Database work that rides out a short outage (a PostgreSQL restart), with backoff.

A restart breaks every open connection, and Django does not replace a broken one by itself
(`close_old_connections` runs only between requests and tasks). So after each failed try
the thread's connection is closed, and the next try opens a fresh one. The waits between
tries double from FIRST_WAIT to LONGEST_WAIT: a long outage costs a try every few seconds,
not a storm of them.

Only a failing connection is retried (`TRANSIENT`): an integrity error or a bug fails at
once, as it would without this module.
"""

import logging
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connection

log = logging.getLogger(__name__)

# Errors of the connection, not of the work: a server restarting, refusing or gone.
TRANSIENT = (OperationalError, InterfaceError)
FIRST_WAIT = 0.2
LONGEST_WAIT = 5.0

T = TypeVar("T")


def waits(first: float = FIRST_WAIT, longest: float = LONGEST_WAIT) -> Iterator[float]:
    """Seconds to wait before each next try: first, doubling, then longest for good."""
    wait = first
    while True:
        yield wait
        wait = min(2 * wait, longest)


def forget_connection() -> None:
    """Close this thread's connection after a failure, so the next query opens a new one."""
    try:
        connection.close()
    except TRANSIENT:
        # Closing a broken connection may complain; it is closed all the same.
        log.debug("closing a broken database connection failed", exc_info=True)


def retrying(what: str, work: Callable[..., T], *args, give_up_after: float) -> T:
    """Do `work(*args)`, trying again with backoff while the database does not answer, for
    at most `give_up_after` seconds; then the last error is raised. `what` names the work
    in the log. The work must be safe to do twice: a commit whose answer was lost may have
    happened (a compare-and-set is)."""
    deadline = time.monotonic() + give_up_after
    backoff = waits()
    tries = 0
    while True:
        tries += 1
        try:
            return work(*args)
        except TRANSIENT as exc:
            forget_connection()
            wait = next(backoff)
            if time.monotonic() + wait > deadline:
                log.error("gave up %s after %d tries: the database did not answer", what, tries)
                raise
            log.warning("%s failed (%s); trying again in %.1f s", what, exc, wait)
            time.sleep(wait)
