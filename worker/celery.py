"""The Celery app and its worker processes' setup. `celery -A worker worker` finds it here;
the tasks live in their Django apps (`playground/runs/tasks.py`), found by autodiscovery."""

import os

from celery import Celery
from celery.signals import worker_init

# Imported for its signal handlers, which tell a shutdown to the runs being trained.
from worker import shutdown  # noqa: F401
from worker.slots import usable_cores

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
# Celery's Django fixup runs Django's system checks when a worker starts; they load the URL
# map, whose views load torch, and the worker's parent process must never load torch (nor
# touch CUDA): its slots load it when they first train. The web server and `manage.py`
# run the checks.
os.environ.setdefault("CELERY_SKIP_CHECKS", "1")


@worker_init.connect
def share_the_cores(sender, **kwargs) -> None:
    """Worker slots on one machine split its cores instead of each taking all of them
    (oversubscribed threads slow every run, and the web server with them). Set before the
    pool forks, for torch to read when a slot first loads it: the parent never loads torch,
    and a slot that loaded it while starting up would be too slow to report ready."""
    # The worker's slots, from --concurrency or WORKER_CONCURRENCY (settings); "auto",
    # resolved only later, comes to about the usable cores.
    slots = sender.concurrency if isinstance(sender.concurrency, int) else usable_cores()
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, usable_cores() // max(1, slots))))
    # Threads that wait for work sleep instead of spinning: a spinning barrier takes the
    # core from the web server and every other slot (measured on a busy machine: 296 ms a
    # step spinning, 37 ms passive).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


app = Celery("playground", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
