"""A running run's lease, renewed from a thread beside the training loop. The renewal also
brings back the owner's cancel request, and notices when the loop should stop for another
worker to carry on: this worker is shutting down, or the run was taken from it."""

import logging
import threading

from django.conf import settings
from django.db import connection

from playground.retrying import forget_connection
from playground.runs import lifecycle
from worker import shutdown

log = logging.getLogger(__name__)


class LeaseKeeper:
    def __init__(self, run_id: str, attempt: int):
        self.run_id, self.attempt = run_id, attempt
        self.interval = min(1.0, settings.RUN_LEASE_SECONDS / 6)
        # should_stop and should_interrupt read these: one cheap call a step each.
        self.cancel_requested = threading.Event()
        self.interrupt = threading.Event()
        # The run is no longer this attempt's (its lease lapsed and it went back to the
        # queue): the loop stops, and this worker writes nothing more for it.
        self.lost = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.loop, name=f"lease-{run_id}", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join()

    def loop(self):
        try:
            while not self.stopping.wait(self.interval):
                if shutdown.requested():
                    self.interrupt.set()
                try:
                    self.renew()
                # A missed renewal is survivable: the lease is several beats long. A broken
                # connection (the database restarted) is dropped, so the next beat reconnects.
                except Exception:
                    log.exception("could not renew the lease of run %s", self.run_id)
                    forget_connection()
        finally:
            connection.close()

    def renew(self):
        cancel = lifecycle.renew(self.run_id, self.attempt)
        if cancel is None:
            log.warning("run %s was taken from this worker; stopping it here", self.run_id)
            self.lost.set()
            self.interrupt.set()
        elif cancel:
            self.cancel_requested.set()
