"""A worker slot told to stop while training: SIGTERM raises the hand-back flag instead of
ending the process, only while a run trains (worker/shutdown.py). In a process of its own,
since a signal and the flag belong to the whole process."""

import subprocess
import sys

TRAINING_WHEN_TERMINATED = """
import os, signal
from worker import shutdown
with shutdown.terminate_means_hand_back():
    os.kill(os.getpid(), signal.SIGTERM)
    print(shutdown.requested())
os.kill(os.getpid(), signal.SIGTERM)  # not training: the default, the process ends
print("still here")
"""


def test_sigterm_while_training_asks_for_a_hand_back_instead_of_ending_the_slot():
    done = subprocess.run(
        [sys.executable, "-c", TRAINING_WHEN_TERMINATED],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.split() == ["True"]
    assert done.returncode == -15  # the second SIGTERM, after training, ended it as usual
