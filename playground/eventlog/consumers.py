"""One WebSocket consumer for every event log: stored events first, then live ones, in
order and none twice; a gap is filled from the store."""

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from playground.eventlog.log import PAGE, EventLog

NOT_FOUND = 4404
# No seq is larger: a database integer column holds no more. A larger `after` is read as
# this one (nothing stored comes after it).
MAX_SEQ = 2**63 - 1


class EventLogConsumer(AsyncJsonWebsocketConsumer):
    """Subclasses set `log`, say which owner the URL names (`key_of`), and may send a
    first message (`head`, e.g. a snapshot carrying the seq it is current to)."""

    log: EventLog

    def key_of(self, kwargs: dict) -> str:
        raise NotImplementedError

    async def head(self) -> dict | None:
        """A message sent before the backlog; its `seq` is where the backlog starts."""
        return None

    async def connect(self):
        self.key = self.key_of(self.scope["url_route"]["kwargs"])
        # The seq of the last event sent on this socket.
        self.sent = requested_after(self.scope)
        if not await database_sync_to_async(self.log.exists)(self.key):
            await self.close(code=NOT_FOUND)
            return
        self.group = self.log.group_name(self.key)
        # 1. Join the group before reading the store: an event stored while we read is then
        #    both in the backlog and in the inbox, and the seq check drops the copy.
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        first = await self.head()
        if first is not None:
            await self.send_json(first)
            self.sent = first["seq"]
        # 2. Everything stored since, then live notices as they come.
        await self.send_backlog()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

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
        # Never send an event twice on one connection.
        self.sent = max(self.sent, min(after, MAX_SEQ))
        await self.send_backlog()

    async def log_event(self, notice):
        seq = notice["event"]["seq"]
        if seq <= self.sent:
            return  # already sent from the store
        if seq > self.sent + 1:
            # A notice was lost or overtaken. Every announced event is already stored (it
            # is announced after its commit), so the store fills the gap.
            await self.send_backlog()
            return
        await self.send_json(notice["event"])
        self.sent = seq

    async def send_backlog(self):
        while True:
            batch = await database_sync_to_async(self.log.stored_after)(self.key, self.sent)
            for event in batch:
                await self.send_json(event)
                self.sent = event["seq"]
            if len(batch) < PAGE:
                return


def requested_after(scope) -> int:
    """The `?after=SEQ` a reconnecting client sends; 0 when absent or not a number, MAX_SEQ
    when larger (Python will not even read more than 4,300 digits)."""
    query = scope["query_string"].decode("latin-1")
    after = parse_qs(query).get("after", ["0"])[0].strip()
    if not (after.isascii() and after.isdigit()):
        return 0
    return MAX_SEQ if len(after.lstrip("0")) > len(str(MAX_SEQ)) else min(int(after), MAX_SEQ)
