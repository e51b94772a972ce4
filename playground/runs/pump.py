"""The event pump: metrics from the training loop, stored and announced off the hot path.

The loop hands over a point and goes on; a thread stores it at once if the last flush
was long enough ago, else waits, so that at most FLUSHES_PER_SECOND events a second are
written, each batching every point since the last one.
"""

import logging
import threading
import time

from django.db import close_old_connections, connection

from playground.runs import events

log = logging.getLogger(__name__)

FLUSHES_PER_SECOND = 5


class EventPump:
    def __init__(self, run_id: str, lost: threading.Event | None = None):
        self.run_id = run_id
        # Set when the run was taken from this worker: what it still logs is not stored.
        self.lost = lost or threading.Event()
        self.pending: list[dict] = []
        self.pending_looks: list[tuple[str, dict]] = []  # probe and sample events, in order
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.arrived = threading.Event()  # set when a point is waiting
        self.thread = threading.Thread(target=self.loop, name=f"pump-{run_id}", daemon=True)
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
        self.flush()  # whatever the loop logged last is stored before the run's final status

    def loop(self):
        last_flush = 0.0
        try:
            while not self.stopping.is_set():
                self.arrived.wait()
                too_soon = last_flush + 1 / FLUSHES_PER_SECOND - time.monotonic()
                if too_soon > 0:
                    self.stopping.wait(too_soon)  # let points gather into one event
                self.arrived.clear()  # points after this line set it again; flush takes the rest
                self.flush()
                last_flush = time.monotonic()
        finally:
            connection.close()  # this thread's own database connection

    def flush(self):
        with self.lock:
            points, self.pending = self.pending, []
            looks, self.pending_looks = self.pending_looks, []
        if points:
            self.store_metrics(points)
        for kind, payload in looks:  # each at most about once a second: no batching needed
            self.store(kind, payload, 1)

    def store_metrics(self, points: list[dict]) -> None:
        latest = points[-1]
        data = {**latest, "points": points}  # the newest point up front; every point for charts
        fields = {"step": latest["step"]}
        validated = [p["val_loss"] for p in points if p.get("val_loss") is not None]
        if validated:  # kept on the run too, for boards that rank runs by it
            self.best_val_loss = min(validated + [self.best_val_loss or float("inf")])
            fields.update(val_loss=validated[-1], best_val_loss=self.best_val_loss)
        self.store("metrics", data, len(points), **fields)

    def store(self, type: str, data: dict, count: int, **run_fields) -> None:
        if self.lost.is_set():
            self.dropped += count
            log.warning(
                "dropped %d %s item(s) of run %s: taken from this worker", count, type, self.run_id
            )
            return
        try:
            close_old_connections()
            events.record(self.run_id, type, data, **run_fields)
        except Exception:
            self.dropped += count
            log.exception("dropped %d %s item(s) of run %s", count, type, self.run_id)
