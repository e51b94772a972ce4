"""Heavy work runs in a small pool of processes, never in the web process.

Checking a 5 MB upload takes seconds of pandas and Python, and a run's exported script
seconds of sampling and compressing; in the web process they held the interpreter while
every other request waited. Here a ProcessPoolExecutor of WORK_PROCESSES processes does
them, started by a fork server (never a plain fork of the threaded web server); the
waiting request's thread sleeps on the result. What runs here is plain Python: the web
process reads the database and passes the data.

- Bounded: WORK_PROCESSES jobs run and WORK_QUEUE more wait; past that a job is refused
  at once (Busy: the view answers 503 and says try again).
- A worker that dies (killed, out of memory) breaks the executor: that job gets
  WorkerDied (again a 503 with a sentence) and the pool starts afresh for the next one.
- It stops with the web process: at exit, or, when the web process is killed outright,
  each worker sees it gone and exits (then the fork server, which lives as long as a
  worker does).

Why not Celery: its workers are the training slots, busy for minutes and fed one job at
a time, while a person waits on an upload's answer or a download; the pool answers in
seconds, beside the web process, with the same synchronous API."""

import atexit
import gc
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver, resource_tracker
from typing import TypeVar

from django.conf import settings

from playground import pool_worker

# A worker is replaced after this many jobs, so memory that pandas or torch keeps after a
# large job is given back.
JOBS_PER_WORKER = 50
# What the fork server imports once, so that each worker, a fork of it, is ready at once.
PRELOAD = ["playground.datasets.check_upload", "playground.runs.builds"]

Result = TypeVar("Result")


class Busy(Exception):
    """Every worker is busy and the queue is full."""


class WorkerDied(Exception):
    """The process doing this job ended before it answered."""


class WorkPool:
    def __init__(self, processes: int, queue: int):
        self.processes = processes
        # Admitted jobs: running, or waiting for a worker.
        self.admitted = threading.BoundedSemaphore(processes + queue)
        self.lock = threading.Lock()
        self.executor = self.start()

    def start(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return ProcessPoolExecutor(
            self.processes,
            mp_context=context,
            initializer=pool_worker.serve,
            initargs=(os.getpid(),),
            max_tasks_per_child=JOBS_PER_WORKER,
        )

    def run(
        self, job: Callable[..., Result], *args, admitted: Callable[[], None] = lambda: None
    ) -> Result:
        """`job(*args)` in a worker process, its exceptions raised here (and Busy,
        WorkerDied); `admitted` is called once the job has a place."""
        if not self.admitted.acquire(blocking=False):
            raise Busy
        try:
            admitted()
            executor = self.executor
            try:
                return executor.submit(job, *args).result()
            except BrokenProcessPool:
                self.restart(executor)
                raise WorkerDied from None
        finally:
            self.admitted.release()

    def warm(self) -> None:
        """Start the fork server and a worker now (the fork server imports pandas, torch
        and plotly: seconds that the first job would otherwise wait)."""
        self.run(pool_worker.ready)

    def restart(self, broken: ProcessPoolExecutor) -> None:
        """Replace a broken executor, once however many jobs found it broken."""
        with self.lock:
            if self.executor is broken:
                self.executor = self.start()
        broken.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


_pool: WorkPool | None = None
_pool_lock = threading.Lock()
_started = False  # whether this process has ever started a pool


def pool() -> WorkPool:
    """This web process's pool, started at its first job."""
    global _pool, _started
    with _pool_lock:
        if _pool is None:
            _pool = WorkPool(settings.WORK_PROCESSES, settings.WORK_QUEUE)
            _started = True
        return _pool


def shutdown() -> None:
    """Stop the pool (the next job starts a new one, with the settings of that time)."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.close()
            _pool = None


@atexit.register
def stop() -> None:
    """At exit: the pool, then multiprocessing's fork server and resource tracker, waited
    for. Left to end on their own once this process has gone, they would be orphans for
    init to reap, still listed meanwhile. Their `_stop` is how CPython's own tests stop
    them: there is no public way."""
    if not _started:
        return  # nothing of ours to stop (a process that only imported this module)
    shutdown()
    # The pool's queues and their semaphores go now, so the tracker has nothing left.
    gc.collect()
    for helper in (forkserver._forkserver, resource_tracker._resource_tracker):
        if hasattr(helper, "_stop"):
            helper._stop()
