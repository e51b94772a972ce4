"""The live board of a workshop: a snapshot first, then each board event, none twice;
a screen that sees a gap gets a fresh snapshot (the store has everything)."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from playground.workshops import board
from playground.workshops.models import Workshop


class BoardConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.code = self.scope["url_route"]["kwargs"]["code"].upper()
        self.sent = 0
        self.group = board.group_name(self.code)
        await self.channel_layer.group_add(self.group, self.channel_name)  # before the snapshot
        if not await self.send_snapshot(accept=True):
            await self.close(code=4404)

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def send_snapshot(self, accept=False) -> bool:
        snapshot = await database_sync_to_async(current)(self.code)
        if snapshot is None:
            return False
        if accept:
            await self.accept()
        await self.send_json(snapshot)
        self.sent = snapshot["seq"]
        return True

    async def board_event(self, message):
        seq = message["event"]["seq"]
        if seq <= self.sent:
            return  # already in the snapshot
        if seq > self.sent + 1:
            await self.send_snapshot()  # a notice was lost: start again from the store
            return
        await self.send_json(message["event"])
        self.sent = seq


def current(code: str) -> dict | None:
    workshop = Workshop.objects.filter(code=code).first()
    return board.snapshot(workshop) if workshop else None
