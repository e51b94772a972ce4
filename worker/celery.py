"""The Celery app and its worker processes' setup. `celery -A worker worker` finds it here;
the tasks live in their Django apps (`playground/runs/tasks.py`), found by autodiscovery."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")


@worker_init.connect
def share_the_cores(**kwargs) -> None:
    """Worker slots on one machine split its cores instead of each taking all of them
    (oversubscribed threads slow every run, and the web server with them). Set before the
    pool forks, for torch to read when a slot first loads it: the parent never loads torch,
    and a slot that loaded it while starting up would be too slow to report ready."""
    slots = max(1, int(os.environ.get("WORKER_CONCURRENCY", "1")))
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // slots)))
    # Threads that wait for work sleep instead of spinning: a spinning barrier takes the
    # core from the web server and every other slot (measured on a busy machine: 296 ms a
    # step spinning, 37 ms passive).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


app = Celery("playground", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
