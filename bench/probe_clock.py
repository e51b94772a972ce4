"""How long a run spends looking inside its model: the probe's share of the training time.

`sequences.train.train` with probes on calls `look` now and then (paced by
sequences.pacing.Pacer, capped near sequences.train.PROBE_SHARE of the time). ProbeClock
wraps that `look`, in this process only, and adds up the time of each call. On a GPU it
synchronizes before starting the clock, so the kernels the training step left queued are
not counted as the probe's, and again before stopping it; the probe reads its figures back
anyway, so the run's wall time does not change.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import torch


class ProbeClock:
    """The calls of `look` during the runs inside `timing()`, and their seconds."""

    def __init__(self, device: str):
        self.device = device
        self.calls = 0
        self.seconds = 0.0

    def _sync(self) -> None:
        if self.device.startswith("cuda"):
            torch.cuda.synchronize()

    @contextmanager
    def timing(self) -> Iterator["ProbeClock"]:
        from sequences import train as train_module

        real_look = train_module.look

        def timed_look(*args, **kwargs):
            self._sync()
            started = time.perf_counter()
            try:
                return real_look(*args, **kwargs)
            finally:
                self._sync()
                self.seconds += time.perf_counter() - started
                self.calls += 1

        with mock.patch.object(train_module, "look", timed_look):
            yield self
