"""One channel-layer subscription per web process for each log its screens watch.

A notice for a log reaches a web process once, however many of its sockets watch that log:
the process's hub is the group member, decodes the notice, encodes its JSON once, and
hands (seq, text), in seq order, to the inbox of each socket watching. With a channel of
its own per socket, an event on a board watched by 200 screens was 200 messages through
Redis, 200 decodings and 200 encodings, and a burst of events filled the process's channel
capacity, so that every screen fell back to reading the store.
"""

import asyncio
import json
import logging
import time
import weakref
from collections.abc import Callable

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from playground.eventlog.shared_read import SharedReads

log = logging.getLogger(__name__)

# Notices one socket may have waiting. Past it, a notice is dropped (and logged): the
# socket sees the gap at the next notice and reads the store, which holds every event.
INBOX_SIZE = 1000
# A list-based channel layer forgets a group member after a day (channels_redis'
# group_expiry): a process that keeps watching a log renews its membership when a socket
# joins after this. (Pub/Sub, the layer in settings, forgets nothing; renewing costs little.)
RENEW_SECONDS = 3600.0

Inbox = asyncio.Queue[tuple[int, str]]
StoredAfter = Callable[[int], list[tuple[int, str]]]


class Watch:
    """One watched log in one process: its channel in the log's group, the task reading
    that channel, and the inboxes of the sockets watching. It hands events on in seq order,
    filling a gap from the store (`stored_after`) once for all its sockets."""

    def __init__(self, layer, group: str, stored_after: StoredAfter):
        self.layer, self.group, self.stored_after = layer, group, stored_after
        self.inboxes: set[Inbox] = set()
        self.channel = ""
        self.joined_at = 0.0
        self.reader: asyncio.Task | None = None
        # The seq of the newest event handed on (0: none yet; sockets read the store first).
        self.last = 0

    async def start(self) -> None:
        self.channel = await self.layer.new_channel()
        await self.renew()
        self.reader = asyncio.create_task(self.read())

    async def renew(self) -> None:
        await self.layer.group_add(self.group, self.channel)
        self.joined_at = time.monotonic()

    async def stop(self) -> None:
        self.reader.cancel()
        await self.layer.group_discard(self.group, self.channel)

    async def read(self) -> None:
        while True:
            try:
                notice = await self.layer.receive(self.channel)
            except Exception:  # Redis away: screens catch up from the store at the next notice
                log.warning("could not read notices of %s", self.group, exc_info=True)
                await asyncio.sleep(1)
                continue
            await self.hand_on(notice["event"])

    async def hand_on(self, event: dict) -> None:
        seq = event["seq"]
        if self.last and seq > self.last + 1:
            # A notice was lost or overtaken (events stored by the web process and by a
            # worker are announced from both, and may cross): the store has them all, and
            # is read once here rather than once by each socket.
            try:
                missing = await database_sync_to_async(self.stored_after)(self.last)
            except Exception:  # each socket then sees the gap, and reads the store itself
                log.warning("could not fill a gap in %s", self.group, exc_info=True)
                missing = []
            for stored_seq, text in missing:
                if stored_seq < seq:
                    self.deliver(stored_seq, text)
        if seq > self.last:
            self.deliver(seq, json.dumps(event))  # encoded once, for every socket here

    def deliver(self, seq: int, text: str) -> None:
        self.last = seq
        for inbox in self.inboxes:
            try:
                inbox.put_nowait((seq, text))
            except asyncio.QueueFull:
                log.warning(
                    "a socket on %s fell %d notices behind: dropped one", self.group, INBOX_SIZE
                )


class Hub:
    """The watched logs of one event loop (one web process), by channel-layer group, and
    the reads of the store its sockets share."""

    def __init__(self):
        self.layer = get_channel_layer()
        self.watches: dict[str, Watch] = {}
        self.reads = SharedReads()
        # Joins and leaves take turns: a leave's group_discard never lands after the
        # group_add of a join that came later, and a join returns only once its group is.
        self.turn = asyncio.Lock()

    async def join(self, group: str, inbox: Inbox, stored_after: StoredAfter) -> None:
        """Once this returns, every notice sent to `group` reaches `inbox`; `stored_after`
        reads the log's stored events after a seq, as (seq, text)."""
        async with self.turn:
            watch = self.watches.get(group)
            if watch is None:
                watch = Watch(self.layer, group, stored_after)
                await watch.start()
                self.watches[group] = watch
            elif time.monotonic() - watch.joined_at > RENEW_SECONDS:
                await watch.renew()
            watch.inboxes.add(inbox)

    async def leave(self, group: str, inbox: Inbox) -> None:
        async with self.turn:
            watch = self.watches.get(group)
            if watch is None:
                return
            watch.inboxes.discard(inbox)
            if not watch.inboxes:
                del self.watches[group]
                await watch.stop()


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub]" = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """This event loop's hub (a web process has one loop; a test may run several)."""
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = Hub()
    return _hubs[loop]


def new_inbox() -> Inbox:
    return asyncio.Queue(maxsize=INBOX_SIZE)
