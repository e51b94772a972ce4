"""The live board of a workshop: a snapshot first, then each board event in order."""

from channels.db import database_sync_to_async

from playground.eventlog.consumers import EventLogConsumer
from playground.workshops.board import BOARD_LOG, snapshot
from playground.workshops.models import Workshop


class BoardConsumer(EventLogConsumer):
    log = BOARD_LOG

    def key_of(self, kwargs: dict) -> str:
        return kwargs["code"].upper()

    async def head(self) -> dict | None:
        """Everything on the board now: a screen never starts empty, and needs no history."""
        return await database_sync_to_async(current)(self.key)


def current(code: str) -> dict | None:
    workshop = Workshop.objects.filter(code=code).first()
    return snapshot(workshop) if workshop else None
