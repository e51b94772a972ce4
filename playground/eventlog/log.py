"""An event log: append (numbered and stored), announce, and read back after a seq."""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import models, transaction
from django.db.models import F, TextField
from django.db.models.functions import Cast

log = logging.getLogger(__name__)

# The channel-layer message type every log uses; consumers handle it in `log_event`.
NOTICE = "log.event"
# Events read from the store in one go.
PAGE = 1000


def never(event: dict) -> bool:
    return False


@dataclass(frozen=True)
class EventLog:
    """The log of one kind of owner: `owner` has `last_seq`, `events` has a foreign key
    `owner_field` to it; `group` prefixes the channel-layer group of each owner. `ends` says
    whether an event is the log's last word (a run's final status, or its result); a log
    that never ends (a board) is watched for as long as anyone watches it."""

    owner: type[models.Model]
    events: type[models.Model]
    owner_field: str
    group: str
    ends: Callable[[dict], bool] = never

    def group_name(self, key: str) -> str:
        return f"{self.group}.{key}"

    def exists(self, key: str) -> bool:
        return self.owner.objects.filter(pk=key).exists()

    def append(self, key: str, message: dict, **owner_fields) -> dict:
        """Store one event with the owner's next seq (and any owner fields, in the same
        transaction); return it as sent on the wire."""
        with transaction.atomic():
            # The UPDATE takes the row's write lock first, so two writers never share a seq.
            self.owner.objects.filter(pk=key).update(last_seq=F("last_seq") + 1, **owner_fields)
            seq = self.owner.objects.values_list("last_seq", flat=True).get(pk=key)
            event = self.events.objects.create(
                **{f"{self.owner_field}_id": key},
                seq=seq,
                time=time.time(),
                **self.events.fields_from(message),
            )
        return event.as_message()

    def announce(self, key: str, message: dict) -> None:
        """Tell live watchers once the event is committed. A lost notice is fine: watchers
        re-read the store when they see a gap."""

        def send():
            try:
                async_to_sync(get_channel_layer().group_send)(
                    self.group_name(key), {"type": NOTICE, "event": message}
                )
            except Exception:  # the store has the event; watchers catch up from it
                log.warning("could not announce event %s of %s", message["seq"], key, exc_info=True)

        transaction.on_commit(send)

    def record(self, key: str, message: dict, **owner_fields) -> dict:
        """Store, then announce: the order every event goes through."""
        stored = self.append(key, message, **owner_fields)
        self.announce(key, stored)
        return stored

    def stored_after(self, key: str, after: int, limit: int = PAGE) -> list[dict]:
        found = self.events.objects.filter(**{f"{self.owner_field}_id": key}, seq__gt=after)
        return [event.as_message() for event in found.order_by("seq")[:limit]]

    def wire_after(self, key: str, after: int, limit: int = PAGE) -> list[tuple[int, str]]:
        """The stored events after `after` as (seq, text sent on the wire), in one query.
        `data` comes back as the database's JSON text and is spliced, never decoded."""
        found = self.events.objects.filter(**{f"{self.owner_field}_id": key}, seq__gt=after)
        return self.wire(found.order_by("seq"), limit)

    def wire_newest(self, key: str) -> list[tuple[int, str]]:
        """The newest stored event as [(seq, text sent on the wire)], or [] when the log
        holds none: one query, on the (owner, seq) index."""
        found = self.events.objects.filter(**{f"{self.owner_field}_id": key})
        return self.wire(found.order_by("-seq"), 1)

    def wire(self, found: models.QuerySet, limit: int) -> list[tuple[int, str]]:
        columns = self.events.WIRE_COLUMNS
        rows = found.values_list(*columns, Cast("data", TextField()))[:limit]
        return [(row[0], self.events.wire_text(row[:-1], row[-1])) for row in rows]
