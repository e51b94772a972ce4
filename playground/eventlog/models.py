"""Abstract models for an event log: the owner's counter and the stored events."""

import json

from django.db import models


class LogOwner(models.Model):
    """A row that owns an event log (a run, a workshop)."""

    last_seq = models.IntegerField(default=0)  # the seq of the newest event

    class Meta:
        abstract = True


class LoggedEvent(models.Model):
    """One stored event. Subclasses add the foreign key to their owner and a constraint
    that keeps (owner, seq) unique."""

    seq = models.IntegerField()  # 1, 2, 3 … per owner, no gaps
    time = models.FloatField()  # unix seconds
    data = models.JSONField()

    # The columns a message carries beside its `data`, in the order they are sent.
    WIRE_COLUMNS: tuple[str, ...] = ("seq", "time")

    class Meta:
        abstract = True
        ordering = ["seq"]

    @classmethod
    def fields_from(cls, message: dict) -> dict:
        """The columns that store a message's own fields (all in `data` unless a subclass
        keeps some in columns of their own)."""
        return {"data": message}

    def as_message(self) -> dict:
        """The event as sent on the wire."""
        return {"seq": self.seq, "time": self.time, **self.data}

    @classmethod
    def wire_text(cls, columns: tuple, data: str) -> str:
        """The event as sent on the wire (the JSON of `as_message`), from its WIRE_COLUMNS
        values and its stored `data` as JSON text. Nothing is decoded: a replay of hundreds
        of events to hundreds of screens would otherwise parse and re-encode each event
        once per screen. A key of `data` that repeats a column comes after it, and a JSON
        reader keeps the last one, as `as_message` does."""
        head = ", ".join(
            f"{json.dumps(name)}: {json.dumps(value)}"
            for name, value in zip(cls.WIRE_COLUMNS, columns, strict=True)
        )
        # `data` is an object: "{}" or "{...}", as the database writes it back.
        members = data.strip()[1:-1].strip()
        return f"{{{head}, {members}}}" if members else f"{{{head}}}"
