"""Uploads are checked in a small pool of processes, never in the web process.

Parsing a 5 MB CSV takes seconds of pandas and Python: in the web process it held the
interpreter while every other request waited. Here a ProcessPoolExecutor of
UPLOAD_CHECKERS processes does it, started by a fork server (never a plain fork of the
threaded web server); the waiting request's thread sleeps on the result.

- Bounded: UPLOAD_CHECKERS checks run and UPLOAD_CHECK_QUEUE more wait; past that, the
  upload is refused at once (Busy: a 503 that says try again) and nothing is stored.
- A checker that dies (killed, out of memory) breaks the executor: that upload gets
  CheckerDied (a 503 with a sentence) and the pool starts afresh for the next one.
- It stops with the web process: at exit, or, when the web process is killed outright,
  each checker sees it gone and exits (then the fork server, which lives as long as a
  checker does).

Why not Celery: its workers are the training slots, busy for minutes and fed one job
at a time, and a person waits on an upload's answer; the pool answers in seconds, beside
the web process, with the same synchronous contract (POST /api/datasets answers 201)."""

import atexit
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from django.conf import settings

from playground.datasets import checker
from playground.datasets.checker import Checked, check_upload, serve
from playground.datasets.progress import FAILED, WAITING, UploadProgress
from playground.heartbeat import connection

# A checker process is replaced after this many uploads, so memory that pandas keeps
# after a large file is given back.
UPLOADS_PER_CHECKER = 50


class Busy(Exception):
    """Every checker is busy and the queue is full."""


class CheckerDied(Exception):
    """The process checking this upload ended before it answered."""


class CheckingPool:
    def __init__(self, checkers: int, queue: int):
        self.checkers = checkers
        # Admitted uploads: being checked, or waiting for a checker.
        self.admitted = threading.BoundedSemaphore(checkers + queue)
        self.lock = threading.Lock()
        self.executor = self.start()

    def start(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")
        # The fork server imports pandas once; each checker is a fork of it, ready at once.
        context.set_forkserver_preload([checker.__name__])
        return ProcessPoolExecutor(
            self.checkers,
            mp_context=context,
            initializer=serve,
            initargs=(os.getpid(),),
            max_tasks_per_child=UPLOADS_PER_CHECKER,
        )

    def check(
        self, raw: bytes, kind: str, choices: dict[str, Any], token: str | None = None
    ) -> Checked:
        """The upload checked in a checker process (raises UploadError, Busy, CheckerDied)."""
        if not self.admitted.acquire(blocking=False):
            raise Busy
        progress = UploadProgress(connection(), token) if token else None
        try:
            if progress:
                progress(WAITING)
            executor = self.executor
            try:
                future = executor.submit(
                    check_upload, raw, kind, choices, settings.REDIS_URL, token
                )
                return future.result()
            except BrokenProcessPool:
                self.restart(executor)
                raise CheckerDied from None
        except BaseException:
            if progress:
                progress(FAILED)
            raise
        finally:
            self.admitted.release()

    def restart(self, broken: ProcessPoolExecutor) -> None:
        """Replace a broken executor, once however many uploads found it broken."""
        with self.lock:
            if self.executor is broken:
                self.executor = self.start()
        broken.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


_pool: CheckingPool | None = None
_pool_lock = threading.Lock()


def pool() -> CheckingPool:
    """This web process's pool, started at its first upload."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = CheckingPool(settings.UPLOAD_CHECKERS, settings.UPLOAD_CHECK_QUEUE)
        return _pool


@atexit.register
def shutdown() -> None:
    """Stop the pool (the next upload starts a new one, with the settings of that time)."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.close()
            _pool = None
