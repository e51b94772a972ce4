"""The task queues a run may go to, by kind: CPU workers listen on one, GPU workers on the
other (`celery -A worker worker -Q NAME`). Read from the environment by the settings and
by the launcher, which names a worker's queue on its command line.

CELERY_QUEUE names the CPU queue (default `runs`); CELERY_GPU_QUEUE the GPU queue (default
the CPU queue's name with `-gpu`), so one CELERY_QUEUE keeps a whole stack's runs apart
from another's on a shared Redis.
"""

import os
from collections.abc import Mapping

KINDS = ("cpu", "gpu")


def queue_names(env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """{kind: Celery queue name}."""
    cpu = env.get("CELERY_QUEUE") or "runs"
    return {"cpu": cpu, "gpu": env.get("CELERY_GPU_QUEUE") or f"{cpu}-gpu"}
