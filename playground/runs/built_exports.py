"""Exports built in the work pool, and kept: a run's script depends only on its settings
and data (fixed when it is created), and its report, once it has finished, on nothing
that changes. Measured here: a script took 1.8 to 3.5 s to build and a report 60 to
140 ms, at every download; a kept one is answered at once.

The kept files live in this web process, the least recently asked for dropped first past
KEPT_SIZE."""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from playground import work_pool
from playground.api import ApiError

KEPT_SIZE = 64 * 2**20  # characters kept at most (about as many bytes)

_kept: OrderedDict[Hashable, str] = OrderedDict()
_size = 0
_lock = threading.Lock()


def built(key: Hashable | None, job: Callable[..., str], *args) -> str:
    """`job(*args)` from the work pool, kept under `key` (None: not kept)."""
    global _size
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    try:
        text = work_pool.pool().run(job, *args)
    except work_pool.Busy:
        raise ApiError(
            503, "The server's helper processes are busy; try again in a moment."
        ) from None
    except work_pool.WorkerDied:
        raise ApiError(
            503, "The process building this file stopped before it finished; try again in a moment."
        ) from None
    if key is not None and len(text) <= KEPT_SIZE:
        with _lock:
            if key not in _kept:
                _kept[key] = text
                _size += len(text)
            while _size > KEPT_SIZE:
                _, dropped = _kept.popitem(last=False)
                _size -= len(dropped)
    return text
