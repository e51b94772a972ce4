"""The event pump: metrics from the training loop, stored and announced off the hot path.

The loop hands over a point and goes on; a thread stores it at once if the last flush
was long enough ago, else waits, so that at most FLUSHES_PER_SECOND events a second are
written, each batching every point since the last one.

Nothing is dropped when the database goes away for a while (a restart): what could not be
stored waits in the outbox, in order, and the thread tries again with backoff
(playground/retrying.py) while training goes on. Points logged meanwhile join the metrics
event that waits behind the failed one. When training ends, the pump keeps trying for up
to a lease (RUN_LEASE_SECONDS) before the run's final status is recorded, since that status
comes after the metrics; a database away for longer costs the run its lease anyway.
"""

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections, connection

from playground.retrying import TRANSIENT, forget_connection, waits
from playground.runs import events

log = logging.getLogger(__name__)

FLUSHES_PER_SECOND = 5
# A run logs at most 500 points, 100 probes and 50 samples (sequences/train.py), so a pump
# never holds this many; the cap keeps memory bounded should that ever change.
MAX_HELD = 2000


@dataclass
class Outgoing:
    """An event waiting to be stored: a metrics batch (its points) or a probe or sample."""

    type: str
    payload: list[dict] | dict
    # A try failed: its commit may have happened all the same, with the answer lost.
    tried: bool = False

    @property
    def count(self) -> int:
        return len(self.payload) if isinstance(self.payload, list) else 1


class EventPump:
    def __init__(
        self, run_id: str, lost: threading.Event | None = None, give_up_after: float | None = None
    ):
        self.run_id = run_id
        # Set when the run was taken from this worker: what it still logs is not stored.
        self.lost = lost or threading.Event()
        self.pending: list[dict] = []
        self.pending_looks: list[tuple[str, dict]] = []  # probe and sample events, in order
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.arrived = threading.Event()  # set when a point is waiting
        self.thread = threading.Thread(target=self.loop, name=f"pump-{run_id}", daemon=True)
        # Taken from pending by the pump's thread (then by __exit__), stored oldest first.
        self.outbox: deque[Outgoing] = deque()
        self.give_up_after = settings.RUN_LEASE_SECONDS if give_up_after is None else give_up_after
        self.dropped = 0
        self.best_val_loss = None

    # The Reporter interface of sequences.reporting
    def metrics(self, point: dict) -> None:
        with self.lock:
            self.pending.append(point)
        self.arrived.set()

    def probe(self, payload: dict) -> None:
        self.look("probe", payload)

    def sample(self, payload: dict) -> None:
        self.look("sample", payload)

    def look(self, kind: str, payload: dict) -> None:
        with self.lock:
            self.pending_looks.append((kind, payload))
        self.arrived.set()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.arrived.set()
        self.thread.join()
        # Whatever the loop logged last is stored before the run's final status.
        self.drain()

    def loop(self):
        next_flush = 0.0  # nothing is stored before this moment (time.monotonic)
        backoff = waits()
        try:
            while not self.stopping.is_set():
                if not self.outbox:
                    self.arrived.wait()  # nothing owed: sleep until a point comes
                # Let points gather into one event, or the database come back.
                self.stopping.wait(max(0.0, next_flush - time.monotonic()))
                self.arrived.clear()  # points after this line set it again; flush takes the rest
                if self.flush():
                    next_flush, backoff = time.monotonic() + 1 / FLUSHES_PER_SECOND, waits()
                else:
                    next_flush = time.monotonic() + next(backoff)
        finally:
            connection.close()  # this thread's own database connection

    def drain(self) -> None:
        """Store everything, trying again with backoff for up to `give_up_after` seconds;
        past that, what is left is counted as dropped, and logged."""
        deadline = time.monotonic() + self.give_up_after
        for wait in waits():
            if self.flush():
                return
            if time.monotonic() + wait > deadline:
                break
            time.sleep(wait)
        self.drop_all(f"the database did not answer for {self.give_up_after:.0f} s")

    def drop_all(self, why: str) -> None:
        """Count what waits as dropped, and say why."""
        held = self.held()
        self.outbox.clear()
        if held:
            self.dropped += held
            log.error("dropped %d item(s) of run %s: %s", held, self.run_id, why)

    def flush(self) -> bool:
        """Store what waits, oldest first. False when the database did not answer: the
        rest waits, in order, for the next try."""
        self.take_pending()
        if self.lost.is_set():
            self.drop_all("taken from this worker")
            return True
        while self.outbox:
            outgoing = self.outbox[0]
            try:
                close_old_connections()
                if not (outgoing.tried and self.already_stored(outgoing)):
                    self.store(outgoing)
            except TRANSIENT as exc:
                forget_connection()
                outgoing.tried = True
                log.warning(
                    "could not store events of run %s (%s); %d item(s) wait",
                    self.run_id,
                    exc,
                    self.held(),
                )
                return False
            except Exception:
                # Not the database being away but this event: trying again would not help.
                self.dropped += outgoing.count
                log.exception(
                    "dropped %d %s item(s) of run %s", outgoing.count, outgoing.type, self.run_id
                )
            self.outbox.popleft()
        return True

    def take_pending(self) -> None:
        """Move what the loop handed over into the outbox: the new points as one metrics
        event (joining one that waits untried at the end), then the probes and samples."""
        with self.lock:
            points, self.pending = self.pending, []
            looks, self.pending_looks = self.pending_looks, []
        if points:
            last = self.outbox[-1] if self.outbox else None
            if last is not None and isinstance(last.payload, list) and not last.tried:
                last.payload.extend(points)
            else:
                self.outbox.append(Outgoing("metrics", points))
        # Each at most about once a second: no batching needed.
        self.outbox.extend(Outgoing(kind, payload) for kind, payload in looks)
        self.keep_within_cap()

    def held(self) -> int:
        return sum(outgoing.count for outgoing in self.outbox)

    def keep_within_cap(self) -> None:
        """Past MAX_HELD waiting items, drop the oldest (points one by one), and say so."""
        lost = over = self.held() - MAX_HELD
        if lost <= 0:
            return
        while over > 0:
            oldest = self.outbox[0]
            if isinstance(oldest.payload, list) and len(oldest.payload) > over:
                del oldest.payload[:over]
                break
            over -= self.outbox.popleft().count
        self.dropped += lost
        log.error(
            "dropped the oldest %d item(s) of run %s: more than %d waited for the database",
            lost,
            self.run_id,
            MAX_HELD,
        )

    def already_stored(self, outgoing: Outgoing) -> bool:
        """Whether a failed try stored it after all (its commit happened, the answer was
        lost): the run's newest event of its type is this one."""
        newest = events.newest(self.run_id, outgoing.type)
        if newest is None:
            return False
        if isinstance(outgoing.payload, list):
            return [p["step"] for p in newest["points"]] == [p["step"] for p in outgoing.payload]
        return newest.get("step") == outgoing.payload.get("step")

    def store(self, outgoing: Outgoing) -> None:
        if isinstance(outgoing.payload, list):
            self.store_metrics(outgoing.payload)
        else:
            events.record(self.run_id, outgoing.type, outgoing.payload)

    def store_metrics(self, points: list[dict]) -> None:
        latest = points[-1]
        data = {**latest, "points": points}  # the newest point up front; every point for charts
        fields = {"step": latest["step"]}
        validated = [p["val_loss"] for p in points if p.get("val_loss") is not None]
        if validated:  # kept on the run too, for boards that rank runs by it
            self.best_val_loss = min(validated + [self.best_val_loss or float("inf")])
            fields.update(val_loss=validated[-1], best_val_loss=self.best_val_loss)
        events.record(self.run_id, "metrics", data, **fields)
