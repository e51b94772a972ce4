"""One channel-layer subscription per web process for each log its screens watch.

A notice for a log reaches a web process once, however many of its sockets watch that log:
the process's hub is the group member, decodes the notice, encodes its JSON once, and
hands (seq, text), in seq order, to the inbox of each socket watching. With a channel of
its own per socket, an event on a board watched by 200 screens was 200 messages through
Redis, 200 decodings and 200 encodings, and a burst of events filled the process's channel
capacity, so that every screen fell back to reading the store.

Notices can be lost without a trace: Redis drops a Pub/Sub subscriber that falls behind (a
paused or overloaded process) and the channel layer resubscribes without a word. So a
watch also reads the store, once for all its sockets, whenever it may have missed
something: at a gap in the seqs, at a log's last word (a run's final status: what was
stored with it may never be announced), after a read error, and after a quiet spell
(EVENT_QUIET_SECONDS without a notice) while the log has not ended. That last check is
one small query per watched log per quiet spell, whatever the number of sockets.
"""

import asyncio
import json
import logging
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from playground.eventlog.log import PAGE, EventLog
from playground.eventlog.replay import replay_of
from playground.eventlog.shared_read import SharedReads

log = logging.getLogger(__name__)

# Notices one socket may have waiting. Past it, a notice is dropped (and logged), and the
# inbox says so: the socket reads the store once it has caught up.
INBOX_SIZE = 1000
# A list-based channel layer forgets a group member after a day (channels_redis'
# group_expiry): a process that keeps watching a log renews its membership when a socket
# joins after this. (Pub/Sub, the layer in settings, forgets nothing; renewing costs little.)
RENEW_SECONDS = 3600.0

Rows = list[tuple[int, str]]


class Inbox(asyncio.Queue[tuple[int, str]]):
    """The notices waiting for one socket, as (seq, text). `overflowed` is set when one was
    dropped because the socket fell INBOX_SIZE behind: perhaps the last, so the socket
    reads the store once it has sent what it has."""

    def __init__(self):
        super().__init__(maxsize=INBOX_SIZE)
        self.overflowed = False


@dataclass(frozen=True)
class StoredLog:
    """What a watch reads of the store: the events of one owner (`key`) of `log`."""

    log: EventLog
    key: str

    def after(self, seq: int) -> Rows:
        return replay_of(self.log).after(self.key, seq)

    def newest(self) -> Rows:
        return self.log.wire_newest(self.key)

    def ends(self, event: dict) -> bool:
        return self.log.ends(event)


class Watch:
    """One watched log in one process: its channel in the log's group, the task reading
    that channel, the task checking the store when it is quiet, and the inboxes of the
    sockets watching. It hands events on in seq order, filling a gap from the store once
    for all its sockets."""

    def __init__(self, layer, group: str, stored: StoredLog, quiet: float):
        self.layer, self.group, self.stored, self.quiet = layer, group, stored, quiet
        self.inboxes: set[Inbox] = set()
        self.channel = ""
        self.joined_at = 0.0
        self.reader: asyncio.Task | None = None
        self.keeper: asyncio.Task | None = None
        # The seq of the newest event handed on (0: none yet; sockets read the store first).
        self.last = 0
        # Whether the log's last word was handed on: nothing more is waited for.
        self.ended = False
        # When a notice last arrived (or the store was last checked).
        self.heard_at = time.monotonic()
        # Notices and reads of the store hand events on in turn, so always in seq order.
        self.turn = asyncio.Lock()

    async def start(self) -> None:
        self.channel = await self.layer.new_channel()
        await self.renew()
        self.reader = asyncio.create_task(self.read())
        self.keeper = asyncio.create_task(self.keep_up())

    async def renew(self) -> None:
        await self.layer.group_add(self.group, self.channel)
        self.joined_at = time.monotonic()

    async def stop(self) -> None:
        self.reader.cancel()
        self.keeper.cancel()
        await self.layer.group_discard(self.group, self.channel)

    async def read(self) -> None:
        while True:
            try:
                notice = await self.layer.receive(self.channel)
            except Exception:  # Redis away: notices sent meanwhile are lost
                log.warning("could not read notices of %s", self.group, exc_info=True)
                await asyncio.sleep(1)
                await self.catch_up()
                continue
            self.heard_at = time.monotonic()
            await self.hand_on(notice["event"])

    async def keep_up(self) -> None:
        """Until the log ends, check the store after every quiet spell: a lost notice
        shows no gap when nothing follows it (a run's end, or a board's last change)."""
        while not self.ended:
            quiet_for = time.monotonic() - self.heard_at
            if quiet_for < self.quiet:
                await asyncio.sleep(self.quiet - quiet_for)
                continue
            await self.catch_up()
            self.heard_at = time.monotonic()

    async def hand_on(self, event: dict) -> None:
        async with self.turn:
            seq = event["seq"]
            if self.last and seq > self.last + 1:
                # A notice was lost or overtaken (events stored by the web process and by a
                # worker are announced from both, and may cross): the store has them all,
                # and is read once here rather than once by each socket.
                missing = await self.read_store(self.stored.after, self.last)
                self.deliver_all([row for row in missing or [] if row[0] < seq])
            if seq <= self.last:
                return
            self.deliver(seq, json.dumps(event))  # encoded once, for every socket here
            if self.stored.ends(event):
                # The log's last word: what was stored with it (a run's result) may be
                # announced in a notice that never comes, so read it now.
                rest = await self.read_store(self.stored.after, seq)
                if rest is not None:
                    self.deliver_all(rest)
                    self.ended = True

    async def catch_up(self) -> None:
        """Hand on what the store holds after the last event handed on. With none handed on
        yet, the sockets read the store when they opened; the newest event is then enough:
        a socket that lacks more sees the gap and reads the rest itself."""
        async with self.turn:
            while True:
                if self.last:
                    rows = await self.read_store(self.stored.after, self.last)
                else:
                    rows = await self.read_store(self.stored.newest)
                if not rows:
                    return
                self.deliver_all(rows)
                if self.stored.ends(json.loads(rows[-1][1])):
                    self.ended = True
                if len(rows) < PAGE:
                    return

    async def read_store(self, read: Callable[..., Rows], *args) -> Rows | None:
        """Rows read in the database thread, or None when the database would not answer
        (each socket then sees the gap at the next notice, and a later check tries again)."""
        try:
            return await database_sync_to_async(read)(*args)
        except Exception:
            log.warning("could not read the store of %s", self.group, exc_info=True)
            return None

    def deliver_all(self, rows: Rows) -> None:
        for seq, text in rows:
            if seq > self.last:
                self.deliver(seq, text)

    def deliver(self, seq: int, text: str) -> None:
        self.last = seq
        for inbox in self.inboxes:
            try:
                inbox.put_nowait((seq, text))
            except asyncio.QueueFull:
                inbox.overflowed = True
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

    async def join(self, group: str, inbox: Inbox, stored: StoredLog) -> None:
        """Once this returns, every event of the log `stored` reaches `inbox`, in seq order,
        from the notices sent to `group` or, when those are lost, from the store."""
        async with self.turn:
            watch = self.watches.get(group)
            if watch is None:
                watch = Watch(self.layer, group, stored, settings.EVENT_QUIET_SECONDS)
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
    return Inbox()
