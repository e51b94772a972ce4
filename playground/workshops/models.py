"""A workshop: an instructor, a room of participants, their runs, and a board event log."""

import secrets
import string

from django.db import models

from playground.eventlog.models import LoggedEvent, LogOwner

CODE_ALPHABET = string.ascii_uppercase.replace("O", "").replace("I", "") + "23456789"
DEFAULT_QUOTAS = {"concurrent_runs": 2, "max_steps": 2000, "max_parameters": 200_000}


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))  # easy to read aloud


class Workshop(LogOwner):
    code = models.CharField(primary_key=True, max_length=12, default=new_code, editable=False)
    title = models.CharField(max_length=120)
    secret = models.CharField(max_length=64, default=secrets.token_urlsafe)  # the instructor's key
    preset = models.JSONField(default=dict)  # a partial run spec every participant starts from
    locked = models.JSONField(default=list)  # spec paths participants cannot change
    hidden = models.JSONField(default=list)  # controls the build page does not show them
    quotas = models.JSONField(default=dict)
    status = models.CharField(max_length=8, default="open")  # open, or closed (an archive)
    spotlight = models.CharField(max_length=32, blank=True)  # a run every screen shows
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.title} ({self.code})"

    def quota(self, name: str) -> int:
        return int({**DEFAULT_QUOTAS, **self.quotas}[name])


class Participant(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    name = models.CharField(max_length=40)  # shown escaped, always
    joined_at = models.DateTimeField(auto_now_add=True)

    def as_board(self) -> dict:
        return {"id": self.id, "name": self.name}


class BoardEvent(LoggedEvent):
    """The board's own log: numbered per workshop, stored before it is announced, so a
    screen that misses a notice reads the missing events from the store."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="events")

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "seq"], name="one_board_event_per_seq")
        ]
