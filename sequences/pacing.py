"""Doing something costly now and then during training, without slowing it down."""

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Pacer:
    """Due every `every` steps, but at least `min_seconds` apart and at most `share` of the
    time (a slow action waits longer after itself); always due at the last step."""

    def __init__(self, every: int, last_step: int, min_seconds: float, share: float):
        self.every, self.last_step = every, last_step
        self.min_seconds, self.share = min_seconds, share
        self.last, self.cost = -math.inf, 0.0

    def due(self, step: int) -> bool:
        if step == self.last_step:
            return True
        if step % self.every:
            return False
        wait = max(self.min_seconds, self.cost / self.share)
        return time.monotonic() - self.last >= wait

    @contextmanager
    def timing(self) -> Iterator[None]:
        started = time.monotonic()
        yield
        self.last = time.monotonic()
        self.cost = self.last - started
