"""The live event stream of one run: stored events first, then live ones, none twice."""

import asyncio

from channels.db import database_sync_to_async
from django.conf import settings

from playground.eventlog.consumers import EventLogConsumer
from playground.runs import lifecycle
from playground.runs.events import RUN_LOG
from playground.runs.models import ACTIVE, Run


class RunEventsConsumer(EventLogConsumer):
    log = RUN_LOG

    def key_of(self, kwargs: dict) -> str:
        return kwargs["run_id"]

    async def connect(self):
        await super().connect()
        if self.relaying is not None:
            self.watcher = asyncio.create_task(self.watch_lease())

    async def disconnect(self, code):
        await super().disconnect(code)
        if hasattr(self, "watcher"):
            self.watcher.cancel()

    async def watch_lease(self):
        """While someone watches an active run, check its worker is alive."""
        while True:
            await asyncio.sleep(settings.RUN_REAP_INTERVAL_SECONDS)
            if not await database_sync_to_async(reap_or_is_active)(self.key):
                return


def reap_or_is_active(run_id: str) -> bool:
    lifecycle.reap(run_id)
    return Run.objects.filter(id=run_id, status__in=ACTIVE).exists()
