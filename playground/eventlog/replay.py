"""The stored events of the logs this process serves, kept as the text sent on the wire.

A stored event never changes (a log only grows, and goes only with its owner), so the
texts of seq 1..n of a log, once read, hold for every later socket: 200 screens opening
one finished run read its history from the store once, not 200 times. Every read still
asks the store, in one query, for what came after the kept texts, together with the row
of the last one kept, whose presence proves the log still exists (a deleted run's events
go with it).
"""

import threading
from collections import OrderedDict

from playground.eventlog.log import PAGE, EventLog

# Text kept per kind of log in one process; the least recently read logs go first.
KEPT_BYTES = 64 * 2**20


class Replay:
    """The kept texts of one kind of log (runs, boards), by key."""

    def __init__(self, log: EventLog, kept_bytes: int = KEPT_BYTES):
        self.log, self.kept_bytes = log, kept_bytes
        # texts[key][i] is the wire text of seq i + 1.
        self.texts: OrderedDict[str, list[str]] = OrderedDict()
        self.size = 0
        # Reads run in Django's database threads; the store is read outside the lock.
        self.lock = threading.Lock()

    def after(self, key: str, after: int, limit: int = PAGE) -> list[tuple[int, str]]:
        """The stored events after seq `after`, as (seq, text), at most `limit`: one query."""
        with self.lock:
            kept = list(self.texts.get(key, ()))
        if not kept or after >= len(kept):
            rows = self.log.wire_after(key, after, limit)
            self.keep(key, rows)
            return rows
        # The last kept event's row comes first, then whatever is new.
        rows = self.log.wire_after(key, len(kept) - 1, limit)
        if not rows or rows[0][0] != len(kept):
            self.forget(key)  # the log is gone (or was never what was kept)
            return self.log.wire_after(key, after, limit) if rows else []
        self.keep(key, rows[1:])
        known = [(seq, kept[seq - 1]) for seq in range(after + 1, len(kept) + 1)]
        return (known + rows[1:])[:limit]

    def keep(self, key: str, rows: list[tuple[int, str]]) -> None:
        """Keep those of `rows` that continue what is kept of `key` without a gap."""
        with self.lock:
            kept = self.texts.setdefault(key, [])
            self.texts.move_to_end(key)
            for seq, text in rows:
                if seq != len(kept) + 1:
                    break
                kept.append(text)
                self.size += len(text)
            if not kept:
                del self.texts[key]
            while self.size > self.kept_bytes and len(self.texts) > 1:
                _, dropped = self.texts.popitem(last=False)
                self.size -= sum(map(len, dropped))

    def forget(self, key: str) -> None:
        with self.lock:
            self.size -= sum(map(len, self.texts.pop(key, ())))


_replays: dict[EventLog, Replay] = {}


def replay_of(log: EventLog) -> Replay:
    """This process's kept texts of `log`."""
    return _replays.setdefault(log, Replay(log))
