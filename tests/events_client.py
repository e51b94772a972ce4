"""A WebSocket client that reads a run's event stream the way the page does."""

import json
import time

from websockets.sync.client import connect

FINISHED = {"completed", "failed", "cancelled", "diverged"}


class EventClient:
    def __init__(self, base_url: str, run_id: str, after: int | None = None):
        url = base_url.replace("http://", "ws://") + f"/ws/runs/{run_id}/"
        if after is not None:
            url += f"?after={after}"
        # No client pings: a test may leave one client unread while it reads another, and
        # the connection's liveness is not what these tests check.
        self.connection = connect(url, open_timeout=10, ping_interval=None)
        self.socket = self.connection.__enter__()
        self.events: list[dict] = []

    def next(self, timeout: float = 60) -> dict:
        event = json.loads(self.socket.recv(timeout=timeout))
        self.events.append(event)
        return event

    def until(self, done, timeout: float = 120) -> list[dict]:
        """Read events until done(event) is true; return all read so far."""
        deadline = time.monotonic() + timeout
        while not done(self.next(timeout=max(0.1, deadline - time.monotonic()))):
            pass
        return self.events

    def until_finished(self, timeout: float = 120) -> list[dict]:
        """Read through the final status and whatever is recorded with it (`done`)."""
        self.until(lambda e: e["type"] == "status" and e["status"] in FINISHED, timeout)
        if self.events[-1]["status"] == "completed":
            self.until(lambda e: e["type"] == "done", timeout=10)
        return self.events

    def quiet_for(self, seconds: float) -> bool:
        """True when nothing more arrives within `seconds`."""
        try:
            self.next(timeout=seconds)
        except TimeoutError:
            return True
        return False

    def send(self, message: dict) -> None:
        self.socket.send(json.dumps(message))

    def close(self):
        self.connection.__exit__(None, None, None)


def seqs(events):
    return [e["seq"] for e in events]
