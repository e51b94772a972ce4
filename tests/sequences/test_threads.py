"""Threads follow the model: one for a small step, the slot's share for a large one."""

import torch

from sequences.spec import parse_spec
from sequences.tasks import make_task
from sequences.threads import ONE_THREAD_BELOW, threads_for, use_threads_for


def test_a_small_step_gets_one_thread_and_a_large_one_every_available():
    assert threads_for(1_000, 32, 60, available=2) == 1
    assert threads_for(ONE_THREAD_BELOW, 1, 1, available=2) == 2
    assert threads_for(ONE_THREAD_BELOW, 1, 1, available=0) == 1


def test_the_spec_sets_torchs_threads():
    before = torch.get_num_threads()
    try:
        small = parse_spec({"dataset": "adding", "model": {"cell": "gru", "hidden": 16}})
        assert use_threads_for(small, make_task(small).signature, available=2) == 1
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
