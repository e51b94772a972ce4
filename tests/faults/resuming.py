"""A watcher that reads a run to its end through faults, the way the page does: when its
socket drops it connects again with `?after=N` (N: the last seq it has), and after a quiet
spell it asks the open socket for what came after N. It keeps every event it was sent,
copies included, so that a test can check the seqs are contiguous with none twice."""

import time

from websockets.exceptions import ConnectionClosed, InvalidHandshake

from tests.events_client import FINISHED, EventClient

# Seconds without an event after which the watcher asks for what it may have missed (the
# page's stream does the same).
QUIET_SECONDS = 5.0


class ResumingWatcher:
    def __init__(self, base_url: str, run_id: str):
        self.base_url, self.run_id = base_url, run_id
        self.events: list[dict] = []
        # The N of each `?after=N` it connected again with, and of each {"after": N} asked.
        self.reconnected_after: list[int] = []
        self.asked_after: list[int] = []
        # When the socket dropped, and when it was open again (time.monotonic()).
        self.dropped_at: float | None = None
        self.back_at: float | None = None
        self.client: EventClient | None = EventClient(base_url, run_id)

    @property
    def last_seq(self) -> int:
        return max((e["seq"] for e in self.events), default=0)

    def seen(self) -> list[tuple]:
        """What it has, in short: (seq, type, status)."""
        return [(e["seq"], e["type"], e.get("status", "")) for e in self.events]

    def finished(self) -> bool:
        """It has the run's final status, and the `done` recorded with a completion."""
        ends = [e for e in self.events if e["type"] == "status" and e["status"] in FINISHED]
        if not ends:
            return False
        return ends[-1]["status"] != "completed" or any(e["type"] == "done" for e in self.events)

    def read_until(self, done, timeout: float = 60) -> list[dict]:
        """Read (resuming as needed) until done(self) is true."""
        deadline = time.monotonic() + timeout
        while not done(self):
            left = deadline - time.monotonic()
            assert left > 0, f"run {self.run_id}: not done within {timeout} s: {self.seen()}"
            if self.client is None:
                self.connect_again(deadline)
                continue
            try:
                self.events.append(self.client.next(timeout=min(QUIET_SECONDS, left)))
            except TimeoutError:
                self.asked_after.append(self.last_seq)
                self.client.send({"after": self.last_seq})
            except (ConnectionClosed, OSError):
                self.dropped_at = time.monotonic()
                self.client = None
        return self.events

    def read_to_end(self, timeout: float = 60) -> list[dict]:
        return self.read_until(ResumingWatcher.finished, timeout)

    def connect_again(self, deadline: float) -> None:
        after = self.last_seq
        while time.monotonic() < deadline:
            try:
                self.client = EventClient(self.base_url, self.run_id, after=after)
            except (OSError, InvalidHandshake, TimeoutError):
                time.sleep(0.2)
                continue
            self.reconnected_after.append(after)
            self.back_at = time.monotonic()
            return

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
