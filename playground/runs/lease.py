"""A running run's lease, renewed from a thread beside the training loop; the renewal
also brings back the owner's cancel request."""

import logging
import threading

from django.conf import settings
from django.db import connection

from playground.retrying import forget_connection
from playground.runs import lifecycle

log = logging.getLogger(__name__)


class LeaseKeeper:
    def __init__(self, run_id: str):
        self.run_id = run_id
        self.interval = min(1.0, settings.RUN_LEASE_SECONDS / 6)
        # should_stop reads this: one cheap call a step.
        self.cancel_requested = threading.Event()
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
                try:
                    if lifecycle.renew(self.run_id):
                        self.cancel_requested.set()
                # A missed renewal is survivable: the lease is several beats long. A broken
                # connection (the database restarted) is dropped, so the next beat reconnects.
                except Exception:
                    log.exception("could not renew the lease of run %s", self.run_id)
                    forget_connection()
        finally:
            connection.close()
