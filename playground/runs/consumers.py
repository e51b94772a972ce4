"""The live event stream of one run: stored events first, then live ones, none twice."""

import asyncio
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from playground.runs import events, lease
from playground.runs.models import ACTIVE, Run


class RunEventsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.run_id = self.scope["url_route"]["kwargs"]["run_id"]
        self.sent = 0  # the seq of the last event sent on this connection
        query = parse_qs(self.scope["query_string"].decode())
        after = query.get("after", ["0"])[0]
        if not await run_exists(self.run_id):
            await self.close(code=4404)
            return
        self.sent = int(after) if after.isdigit() else 0
        self.group = events.group_name(self.run_id)
        # 1. Join the group before reading the store: an event stored while we read
        #    is then both in the backlog and in the inbox, and the seq check drops the copy.
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_backlog()
        self.watcher = asyncio.create_task(self.watch_lease())

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        if hasattr(self, "watcher"):
            self.watcher.cancel()

    async def receive_json(self, content, **kwargs):
        after = content.get("after") if isinstance(content, dict) else None
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            await self.send_json(
                {"error": 'Send {"after": SEQ} with SEQ a whole number, 0 or more.'}
            )
            return
        self.sent = max(self.sent, after)  # never send an event twice on one connection
        await self.send_backlog()

    async def run_event(self, message):
        seq = message["event"]["seq"]
        if seq <= self.sent:
            return  # already sent from the backlog
        if seq > self.sent + 1:
            await self.send_backlog()  # a notice was lost or overtaken; the store has them all
            return
        await self.send_json(message["event"])
        self.sent = seq

    async def send_backlog(self):
        while True:
            batch = await database_sync_to_async(events.stored_after)(self.run_id, self.sent)
            for event in batch:
                await self.send_json(event)
                self.sent = event["seq"]
            if len(batch) < 1000:
                return

    async def watch_lease(self):
        """While someone watches an active run, check its worker is alive."""
        while True:
            await asyncio.sleep(settings.RUN_REAP_INTERVAL_SECONDS)
            if not await database_sync_to_async(reap_or_is_active)(self.run_id):
                return


@database_sync_to_async
def run_exists(run_id: str) -> bool:
    return Run.objects.filter(id=run_id).exists()


def reap_or_is_active(run_id: str) -> bool:
    lease.reap(run_id)
    return Run.objects.filter(id=run_id, status__in=ACTIVE).exists()
