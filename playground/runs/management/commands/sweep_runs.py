"""Keep runs honest: fail those whose worker died; queue again those a lost queue forgot."""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from playground.runs import lease
from playground.runs.models import Run
from playground.workshops.dispatch import release

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Mark runs with a lapsed worker lease failed; with --loop, keep doing it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="sweep every RUN_REAP_INTERVAL_SECONDS"
        )

    def handle(self, *args, loop=False, **options):
        requeue_waiting()
        while True:
            reaped = lease.reap()
            if reaped:
                log.warning("marked %d run(s) failed: their worker stopped answering", reaped)
            release()  # workshop runs waiting their turn: never left waiting for good
            if not loop:
                return
            time.sleep(settings.RUN_REAP_INTERVAL_SECONDS)


def requeue_waiting() -> None:
    """Queue again every run still waiting from before this start. An embedded Redis keeps
    nothing across restarts, and a duplicate is harmless: only one worker can take a run."""
    from worker.tasks import train_run

    waiting = Run.objects.filter(
        status="queued", dispatched=True, created_at__lt=timezone.now() - timedelta(seconds=5)
    )  # workshop runs not yet released wait for their turn instead
    for run_id in waiting.values_list("id", flat=True):
        try:
            train_run.delay(run_id)
        except Exception:
            log.exception("could not queue run %s again", run_id)
