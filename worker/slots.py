"""How many worker slots (Celery's concurrency) a machine serves well, when
WORKER_CONCURRENCY does not say.

The rule: one slot per core this process may use, and at most one per MEMORY_PER_SLOT of
memory. A slot per core is enough because threads follow the model (sequences/threads.py):
a small run takes one core and waits passively, so two slots on two cores train a lesson's
two runs side by side instead of one after the other. Cores are those the process may run
on (its CPU affinity) within its cgroup's CPU quota (a container's `--cpus`); memory is
the machine's, or the cgroup's limit when lower. Nothing here loads torch: the worker's
parent reads it.
"""

import math
import os
from pathlib import Path

# A slot holds about 0.3 GiB once torch and the app are loaded (measured), and a model at
# the limits keeps up to 1 GiB of activations for backward (sequences.spec).
MEMORY_PER_SLOT = 3 * 2**29  # 1.5 GiB
CGROUP = Path("/sys/fs/cgroup")


def cpu_slots() -> int:
    """Slots for a CPU worker on this machine: one per usable core, within its memory."""
    return max(1, min(usable_cores(), usable_memory() // MEMORY_PER_SLOT))


def usable_cores() -> int:
    """Cores this process may run on (affinity), within its cgroup's CPU quota."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    quota = cgroup_cpu_quota()
    return max(1, min(cores, quota) if quota else cores)


def cgroup_cpu_quota(root: Path = CGROUP) -> int | None:
    """Whole cores the cgroup (v2) allows, rounded up; None without a quota."""
    try:
        quota, period = (root / "cpu.max").read_text().split()
    except (OSError, ValueError):
        return None
    if quota == "max":
        return None
    return max(1, math.ceil(int(quota) / int(period)))


def usable_memory(root: Path = CGROUP) -> int:
    """Bytes of memory: the machine's, or the cgroup's (v2) limit when lower."""
    try:
        machine = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # not POSIX: assume memory is no limit
        machine = 2**62
    try:
        limit = (root / "memory.max").read_text().strip()
    except OSError:
        return machine
    return min(machine, int(limit)) if limit.isdigit() else machine
