"""The live board of a workshop: a snapshot first, then each board event, none twice;
a screen that sees a gap gets the missing events from the store."""

import asyncio

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from playground.workshops import board
from playground.workshops.models import BoardEvent, Workshop

GAP_WAIT = 0.1  # seconds a screen waits for an overtaken notice before reading the store


class BoardConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.code = self.scope["url_route"]["kwargs"]["code"].upper()
        self.sent = 0
        self.early: dict[int, dict] = {}  # events that arrived ahead of a missing one
        self.waiting = None
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
        event = message["event"]
        if event["seq"] <= self.sent:
            return  # already sent (in the snapshot, or read from the store)
        self.early[event["seq"]] = event
        await self.send_in_order()
        if self.early and not self.waiting:
            # A notice is missing: usually overtaken by one from another process and about
            # to arrive. Wait a moment for it, then read what is still missing from the store.
            self.waiting = asyncio.create_task(self.fill_gap())

    async def send_in_order(self):
        while self.sent + 1 in self.early:
            event = self.early.pop(self.sent + 1)
            await self.send_json(event)
            self.sent = event["seq"]

    async def fill_gap(self):
        await asyncio.sleep(GAP_WAIT)
        if self.early:
            for event in await database_sync_to_async(stored_after)(self.code, self.sent):
                if event["seq"] > self.sent:
                    await self.send_json(event)
                    self.sent = event["seq"]
            self.early = {seq: e for seq, e in self.early.items() if seq > self.sent}
        self.waiting = None


def current(code: str) -> dict | None:
    workshop = Workshop.objects.filter(code=code).first()
    return board.snapshot(workshop) if workshop else None


def stored_after(code: str, after: int) -> list[dict]:
    events = BoardEvent.objects.filter(workshop_id=code, seq__gt=after).order_by("seq")[:1000]
    return [{"seq": e.seq, "time": e.time, **e.data} for e in events]
