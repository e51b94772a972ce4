"""Where a run trains: on the queue its estimated cost fits, CPU or GPU (DESIGN, decision 12).

A run whose cost (parameters × batch × length × steps: sequences.estimate.run_cost) is at
least RUN_GPU_COST goes to the GPU queue, a smaller one to the CPU queue: a small model
gains little from a GPU (launching its kernels costs about what its products do), and the
GPUs are kept for the runs that take long on a CPU. When its queue has no live worker
and the other has one, it goes to the other: a big run trains slower on a CPU, but it
trains. The live workers per queue come from the sweeper's heartbeat (playground.heartbeat),
read with one Redis GET; with no word from it, a run goes where its cost says.
"""

import redis
from django.conf import settings
from django.db.models import Q

from playground import heartbeat
from worker.queues import KINDS

__all__ = ["KINDS", "fits", "live", "queue_for"]


def live() -> dict[str, int] | None:
    """Live workers per queue kind ({"cpu": 2, "gpu": 0}); None when there is no word."""
    try:
        answer = heartbeat.last()
    except redis.RedisError:
        return None
    return None if answer is None else heartbeat.per_kind(answer)


def preferred(cost: int) -> str:
    return "gpu" if cost >= settings.RUN_GPU_COST else "cpu"


def queue_for(cost: int, workers: dict[str, int] | None) -> str:
    """The kind of queue a run of this cost goes to, given the live workers."""
    kind = preferred(cost)
    other = "cpu" if kind == "gpu" else "gpu"
    if workers is not None and not workers[kind] and workers[other]:
        return other
    return kind


def fits(kind: str, workers: dict[str, int] | None) -> Q:
    """The runs that go to `kind`'s queue now (`queue_for`), as a filter on their cost."""
    if workers is not None and workers["cpu"] and not workers["gpu"]:
        return Q() if kind == "cpu" else Q(pk__in=[])
    if workers is not None and workers["gpu"] and not workers["cpu"]:
        return Q() if kind == "gpu" else Q(pk__in=[])
    big = Q(cost__gte=settings.RUN_GPU_COST)
    return big if kind == "gpu" else ~big
