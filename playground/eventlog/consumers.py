"""One WebSocket consumer for every event log: stored events first, then live ones, in
order and none twice; a gap is filled from the store.

A watcher always gets the end. Notices may be lost (Redis drops a subscriber that falls
behind, a paused process misses what was sent meanwhile), but every event is stored before
it is announced, so the store fills in whatever a socket may lack: at a gap in the seqs, at
a run's final status, after a quiet spell of EVENT_QUIET_SECONDS (read once per watched log
by this process's hub, never per socket), and when this socket's inbox overflowed. A socket
that stays open while a run finishes therefore receives its final status and `done`
within about EVENT_QUIET_SECONDS of this process running again.
"""

import asyncio
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from playground.eventlog.hub import StoredLog, hub, new_inbox
from playground.eventlog.log import PAGE, EventLog
from playground.eventlog.replay import replay_of

NOT_FOUND = 4404
# Characters of stored events sent before the event loop gets a turn. A send only buffers:
# without a turn, 200 sockets opening together buffered every backlog (780 MB) before the
# first byte left; with one every 64 KiB, the clients read while the rest is sent.
YIELD_EVERY = 64 * 1024
# No seq is larger: a database integer column holds no more. A larger `after` is read as
# this one (nothing stored comes after it).
MAX_SEQ = 2**63 - 1


class EventLogConsumer(AsyncJsonWebsocketConsumer):
    """Subclasses set `log`, say which owner the URL names (`key_of`), and may open with
    something else than the stored events (`opening`, e.g. a snapshot that carries its
    seq)."""

    log: EventLog
    # No channel of its own: a socket hears of new events from its process's hub, which
    # follows each log once for all the sockets watching it (an alias that names no layer
    # gives a consumer none).
    channel_layer_alias = "none: the hub listens for every socket"

    def key_of(self, kwargs: dict) -> str:
        raise NotImplementedError

    def opening(self) -> list[tuple[int, str]] | None:
        """What a socket opening now is sent first, as (seq, text), or None when its key
        names nothing. Runs in the database thread, once for all the sockets that open
        together (so it depends on the key alone): one query in the common case, the
        stored events (a first page). Only when there are none does a second one ask
        whether the owner exists; every run has events."""
        stored = replay_of(self.log).after(self.key, 0)
        return stored if stored or self.log.exists(self.key) else None

    def unsent(self, opening: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """What of the opening this socket still needs."""
        return [(seq, text) for seq, text in opening if seq > self.sent]

    async def dispatch(self, message):
        """Channels' own dispatch, less its hop onto the one database thread before every
        message to close stale connections: a connect waited there behind every other
        socket's reads. Here the database is reached only through database_sync_to_async,
        which closes them itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        self.key = self.key_of(self.scope["url_route"]["kwargs"])
        # The seq of the last event sent on this socket.
        self.sent = requested_after(self.scope)
        self.group = self.log.group_name(self.key)
        self.inbox = new_inbox()
        # Set once the socket is open and follows the log.
        self.relaying: asyncio.Task | None = None
        # Sending from the store and relaying notices take turns, so that they never
        # interleave: every event once, in order.
        self.turn = asyncio.Lock()
        # 1. Watch the log before reading the store: an event stored while we read is then
        #    both in what we read and in the inbox, and the seq check drops the copy.
        await hub().join(self.group, self.inbox, StoredLog(self.log, self.key))
        try:
            opening = await hub().reads.read(self.group, self.opening)
        except BaseException:
            await hub().leave(self.group, self.inbox)
            raise
        if opening is None:
            await hub().leave(self.group, self.inbox)
            await self.close(code=NOT_FOUND)
            return
        # 2. The opening (a full page: the store may hold more), then live notices as they
        #    come: the relay waits for its turn.
        async with self.turn:
            self.relaying = asyncio.create_task(self.relay_notices())
            await self.accept()
            await self.send_stored(self.unsent(opening))
            if len(opening) >= PAGE:
                await self.send_backlog()

    async def disconnect(self, code):
        if self.relaying is not None:
            self.relaying.cancel()
            await hub().leave(self.group, self.inbox)

    @classmethod
    async def decode_json(cls, text_data):
        """A message that is not JSON (or nests too deep, or holds a number of thousands of
        digits) reaches receive_json as None and gets its sentence, instead of ending the
        connection."""
        try:
            return await super().decode_json(text_data)
        except (ValueError, RecursionError):
            return None

    async def receive_json(self, content, **kwargs):
        after = content.get("after") if isinstance(content, dict) else None
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            await self.send_json(
                {"error": 'Send {"after": SEQ} with SEQ a whole number, 0 or more.'}
            )
            return
        async with self.turn:
            # Never send an event twice on one connection.
            self.sent = max(self.sent, min(after, MAX_SEQ))
            await self.send_backlog()

    async def relay_notices(self):
        while True:
            seq, text = await self.inbox.get()
            async with self.turn:
                await self.on_notice(seq, text)
                if self.inbox.overflowed and self.inbox.empty():
                    # This socket fell so far behind that notices were dropped for it,
                    # perhaps the last ones, which no later notice would reveal.
                    self.inbox.overflowed = False
                    await self.send_backlog()

    async def on_notice(self, seq: int, text: str):
        if seq <= self.sent:
            return  # already sent from the store
        if seq > self.sent + 1:
            # A notice was lost or overtaken. Every announced event is already stored (it
            # is announced after its commit), so the store fills the gap.
            await self.send_backlog()
            return
        await self.send(text_data=text)
        self.sent = seq

    async def send_backlog(self):
        while True:
            batch = await database_sync_to_async(replay_of(self.log).after)(self.key, self.sent)
            await self.send_stored(batch)
            if len(batch) < PAGE:
                return

    async def send_stored(self, batch: list[tuple[int, str]]):
        unwritten = 0
        for seq, text in batch:
            await self.send(text_data=text)
            self.sent = seq
            unwritten += len(text)
            if unwritten > YIELD_EVERY:
                # Let the server write: sockets then drain while others still fill.
                await asyncio.sleep(0)
                unwritten = 0


def requested_after(scope) -> int:
    """The `?after=SEQ` a reconnecting client sends; 0 when absent or not a number, MAX_SEQ
    when larger (Python will not even read more than 4,300 digits)."""
    query = scope["query_string"].decode("latin-1")
    after = parse_qs(query).get("after", ["0"])[0].strip()
    if not (after.isascii() and after.isdigit()):
        return 0
    return MAX_SEQ if len(after.lstrip("0")) > len(str(MAX_SEQ)) else min(int(after), MAX_SEQ)
