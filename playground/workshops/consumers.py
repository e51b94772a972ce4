"""The live board of a workshop: a snapshot first, then each board event in order."""

import json

from playground.eventlog.consumers import EventLogConsumer
from playground.workshops.board import BOARD_LOG, snapshot
from playground.workshops.models import Workshop


class BoardConsumer(EventLogConsumer):
    log = BOARD_LOG

    def key_of(self, kwargs: dict) -> str:
        return kwargs["code"].upper()

    def opening(self) -> list[tuple[int, str]] | None:
        """Everything on the board now: a screen never starts empty, and needs no history.
        The snapshot is current to its seq; a later event reaches the socket as a notice,
        since it watches the board before the snapshot is read."""
        workshop = Workshop.objects.filter(code=self.key).first()
        if workshop is None:
            return None
        now = snapshot(workshop)
        return [(now["seq"], json.dumps(now))]

    def unsent(self, opening: list[tuple[int, str]]) -> list[tuple[int, str]]:
        return opening  # the snapshot, whatever the socket had
