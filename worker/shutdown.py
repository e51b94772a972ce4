"""A worker's clean shutdown, told to the runs its slots are training.

Celery's warm shutdown (SIGTERM to the worker, as a deploy sends it) stops taking tasks and
waits for the running ones to end, and a run can train for an hour. So the parent tells its
slots: it makes a flag shared with them before its pool forks (`worker_init`) and raises it
when the shutdown begins (`worker_shutting_down`). A slot that gets SIGTERM itself (a whole
process group stopped at once) raises its own. A training run reads `requested()`, saves a
checkpoint and hands the run back to the queue, and its task ends well within the warm
shutdown's patience."""

import contextlib
import multiprocessing
import signal
import threading
from collections.abc import Iterator
from multiprocessing.synchronize import Event as SharedEvent

from celery.signals import worker_init, worker_shutting_down

_shared: SharedEvent | None = None  # made in the worker's parent, inherited by its slots
_own = threading.Event()  # this process got SIGTERM while training


@worker_init.connect
def share_a_flag(**kwargs) -> None:
    global _shared
    # fork: Celery's pool forks its slots from the parent, and they inherit the flag.
    _shared = multiprocessing.get_context("fork").Event()


@worker_shutting_down.connect
def raise_the_flag(**kwargs) -> None:
    if _shared is not None:
        _shared.set()


def requested() -> bool:
    """Has this worker begun to shut down?"""
    return _own.is_set() or (_shared is not None and _shared.is_set())


@contextlib.contextmanager
def terminate_means_hand_back() -> Iterator[None]:
    """While training: SIGTERM to this process raises the flag instead of ending it at once
    (a slot's default), so the run it trains is saved and handed back. Outside the main
    thread (a pool of threads) signals cannot be caught: the parent's flag still holds."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: _own.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
