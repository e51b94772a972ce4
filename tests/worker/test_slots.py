"""How many slots a worker takes when WORKER_CONCURRENCY does not say: one per usable core,
within the cgroup's quota and the memory."""

import pytest

from worker import slots


@pytest.fixture
def machine(monkeypatch):
    """Pretend the machine has these cores and this memory."""

    def pretend(cores: int, memory: int) -> None:
        monkeypatch.setattr(slots, "usable_cores", lambda: cores)
        monkeypatch.setattr(slots, "usable_memory", lambda: memory)

    return pretend


def test_a_worker_takes_one_slot_per_core(machine):
    machine(cores=2, memory=16 * 2**30)
    assert slots.cpu_slots() == 2
    machine(cores=16, memory=64 * 2**30)
    assert slots.cpu_slots() == 16


def test_memory_caps_the_slots_and_one_is_always_left(machine):
    machine(cores=8, memory=4 * 2**30)
    assert slots.cpu_slots() == 2  # 1.5 GiB a slot
    machine(cores=8, memory=2**29)
    assert slots.cpu_slots() == 1


def test_the_cgroup_quota_rounds_up_to_whole_cores(tmp_path):
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert slots.cgroup_cpu_quota(tmp_path) == 2
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert slots.cgroup_cpu_quota(tmp_path) is None
    (tmp_path / "cpu.max").unlink()
    assert slots.cgroup_cpu_quota(tmp_path) is None


def test_a_cgroup_memory_limit_below_the_machine_counts(tmp_path):
    (tmp_path / "memory.max").write_text("1073741824\n")
    assert slots.usable_memory(tmp_path) == 2**30
    (tmp_path / "memory.max").write_text("max\n")
    assert slots.usable_memory(tmp_path) > 2**30


def test_the_cores_are_those_this_process_may_run_on():
    import os

    assert 1 <= slots.usable_cores() <= len(os.sched_getaffinity(0))
