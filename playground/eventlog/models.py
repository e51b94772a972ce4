"""Abstract models for an event log: the owner's counter and the stored events."""

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
