"""Reads of the store that sockets opening together share.

When 200 screens open one run at once, each needs the same rows. Read one socket at a
time, each read waits its turn on Django's one database thread (thread-sensitive
sync_to_async), and while the event loop is busy sending, each step of it waits for the
GIL: measured here, about 20 ms a socket, so the last of 200 waited 4 s to be accepted.
Shared, a burst costs a few reads.

A socket that asks while a read of the same thing is under way waits for the next one,
which starts when the current one ends: a read a socket gets always began after it asked,
that is after it watched the log, so no event falls between the read and the notices.
"""

import asyncio
from collections.abc import Callable, Hashable
from typing import Any

from channels.db import database_sync_to_async


class SharedReads:
    """Shared reads for one event loop, by what they read."""

    def __init__(self):
        # The next read of each thing, not started yet: its result, and how to read it.
        self.waiting: dict[Hashable, tuple[asyncio.Future, Callable[[], Any]]] = {}
        self.running: dict[Hashable, asyncio.Task] = {}

    async def read(self, what: Hashable, read: Callable[[], Any]) -> Any:
        """The result of `read()` (run in the database thread), begun after this call."""
        if what not in self.waiting:
            self.waiting[what] = (asyncio.get_running_loop().create_future(), read)
        future, _ = self.waiting[what]
        if what not in self.running:
            self.start(what)
        # A socket that leaves while it waits does not cancel the read for the others.
        return await asyncio.shield(future)

    def start(self, what: Hashable) -> None:
        future, read = self.waiting.pop(what)
        self.running[what] = asyncio.create_task(self.run(what, future, read))

    async def run(self, what: Hashable, future: asyncio.Future, read: Callable[[], Any]):
        try:
            future.set_result(await database_sync_to_async(read)())
        except Exception as error:
            future.set_exception(error)
        finally:
            del self.running[what]
            if what in self.waiting:
                self.start(what)
