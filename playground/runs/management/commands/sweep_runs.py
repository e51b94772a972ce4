"""Keep runs honest: hand back to the queue those whose worker died, send again those whose
queue lost its workers or their message, and keep the queue moving."""

import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from playground import heartbeat
from playground.datasets.retention import delete_expired_uploads
from playground.retrying import TRANSIENT, forget_connection
from playground.runs import lifecycle, routing
from playground.runs.broker_restarts import BrokerRestarts
from playground.runs.retention import delete_expired_runs

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Hand back runs with a lapsed worker lease; with --loop, keep doing it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="sweep every RUN_REAP_INTERVAL_SECONDS"
        )

    def handle(self, *args, loop=False, **options):
        if loop:
            # The workers' status, for /api/health to read.
            heartbeat.start()
        broker = BrokerRestarts(settings.CELERY_BROKER_URL)
        while True:
            try:
                sweep(broker)
            except TRANSIENT:
                if not loop:
                    raise
                # The database is away (a restart): this sweep is skipped, and the next one
                # opens a fresh connection.
                log.warning("could not sweep: the database did not answer", exc_info=True)
                forget_connection()
            if not loop:
                return
            time.sleep(settings.RUN_REAP_INTERVAL_SECONDS)


def sweep(broker: BrokerRestarts) -> None:
    """One pass: send again runs whose message was lost, reap lapsed runs, reroute stranded
    ones, dispatch, forget expired ones."""
    # Runs whose task message was lost: every one handed over when the broker restarted (or
    # is first seen: it may have restarted before), else each run not taken
    # RUN_RESEND_SECONDS after it was sent.
    restarted = broker.seen()
    resent = lifecycle.resend_lost(everything=restarted)
    if resent and restarted:
        log.warning("sent %d run(s) again: the broker restarted", len(resent))
    elif resent:
        # Often a run waiting behind busy slots: worth a note, not a warning.
        log.info("sent %d run(s) again: not taken for a while", len(resent))
    reaped = lifecycle.reap()
    if reaped:
        log.warning("reaped %d run(s): their worker stopped answering", reaped)
    # Runs handed to a queue whose workers are all gone go where workers are.
    moved = lifecycle.reroute(routing.live())
    if moved:
        log.warning("sent %d run(s) to another queue: theirs has no worker", len(moved))
    # Runs waiting their turn are never left waiting for good.
    lifecycle.dispatch()
    forget_expired()


def forget_expired() -> None:
    """Delete runs and uploads past their retention (see settings)."""
    runs, uploads = delete_expired_runs(), delete_expired_uploads()
    if runs or uploads:
        log.info("deleted %d expired run(s) and %d expired upload(s)", runs, uploads)
