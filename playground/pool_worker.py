"""A work pool's process (playground.work_pool), set up to end with the web process that
owns the pool, and to take one core at most. Imports no Django: it runs before any job."""

import os
import select
import threading
import time

import torch


def serve(web_pid: int) -> None:
    """Set a worker up to end when the web process that owns its pool ends, however it
    ends. Nothing else would end it: a worker waits on a queue whose writing end it holds
    itself, and its fork server lives as long as any worker does."""
    threading.Thread(target=exit_when_gone, args=(web_pid,), daemon=True).start()
    # Its jobs are small tensor work (sampling a script's data) beside the web server:
    # more intra-op threads would spin against it and gain nothing (see DESIGN, 9).
    torch.set_num_threads(1)


def ready() -> None:
    """A job that does nothing: run once, the pool has started."""


def exit_when_gone(pid: int) -> None:
    try:
        handle = os.pidfd_open(pid)  # readable once the process has ended (Linux 5.3+)
    except (AttributeError, OSError):
        while pid_exists(pid):  # no pidfd here: look every second
            time.sleep(1)
    else:
        select.select([handle], [], [])
    os._exit(0)


def pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process is there
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # there, but someone else's
    return True
