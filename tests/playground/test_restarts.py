"""The launcher starts again a process that stops, after a pause that doubles while it keeps
stopping (1 s up to 30 s) and starts over once it was steady, and says why it stopped. The
processes are real; the clock is the test's, so no test waits for a pause.
(tests/playground/test_launcher.py kills the real web server and worker under the launcher.)"""

import signal
import sys

import pytest

from playground.stack import redis_server
from playground.stack.redis_server import free_port
from playground.stack.restarts import STEADY_SECONDS, Supervision
from playground.stack.supervisor import Program, Stack


class Crashing(Stack):
    """A stack of one process that exits with code 3 as soon as it starts."""

    def programs(self):
        return {"crasher": Program([sys.executable, "-c", "raise SystemExit(3)"])}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def crashing():
    stack = Crashing(port=8123, env={"GPU_DEVICES": ""}, embedded_redis=False)
    stack.start()
    yield stack
    stack.stop()


def test_a_process_that_keeps_stopping_is_started_again_with_growing_pauses(crashing):
    clock, reports = Clock(), []
    supervision = Supervision(crashing, clock=clock, report=reports.append)
    pauses = []
    for _ in range(8):
        process = crashing.processes["crasher"]
        process.wait()
        supervision.tend()
        pause = supervision.due["crasher"] - clock.now
        pauses.append(pause)
        # Not before its pause is over.
        clock.now += pause - 0.5
        supervision.tend()
        assert crashing.processes["crasher"] is process
        clock.now += 0.5
        supervision.tend()
        assert crashing.processes["crasher"] is not process
    assert pauses == [1, 2, 4, 8, 16, 30, 30, 30]
    assert reports[0] == (
        "The crasher process stopped (exit code 3) after 0 s; starting it again in 1 s."
    )
    assert reports[1] == "Started the crasher process again."
    assert reports[-2].startswith("The crasher process stopped (exit code 3) after 0 s, 8 times")


def test_a_process_that_was_steady_waits_the_first_pause_again(crashing):
    clock, reports = Clock(), []
    supervision = Supervision(crashing, clock=clock, report=reports.append)
    for _ in range(3):
        crashing.processes["crasher"].wait()
        supervision.tend()
        clock.now = supervision.due["crasher"]
        supervision.tend()
    # Up a minute before it stops this time.
    clock.now += STEADY_SECONDS
    crashing.processes["crasher"].wait()
    supervision.tend()
    assert supervision.due["crasher"] - clock.now == 1
    assert reports[-1] == (
        f"The crasher process stopped (exit code 3) after {STEADY_SECONDS:.0f} s; "
        "starting it again in 1 s."
    )


def test_a_process_that_cannot_be_started_is_reported_and_tried_again(crashing):
    clock, reports = Clock(), []
    supervision = Supervision(crashing, clock=clock, report=reports.append)
    crashing.processes["crasher"].wait()
    supervision.tend()
    # Its program is gone (a broken install, say).
    crashing.programs = lambda: {"crasher": Program(["/nonexistent/program"])}
    clock.now = supervision.due["crasher"]
    supervision.tend()
    assert reports[-1].startswith("The crasher process stopped (could not start: ")
    assert reports[-1].endswith("2 times in a row; starting it again in 2 s.")


def test_an_embedded_redis_that_stops_is_started_again_on_its_port(tmp_path):
    # A port where no Redis answers: the stack starts an embedded one there.
    url = f"redis://127.0.0.1:{free_port()}/0"
    stack = Crashing(port=8123, env={"GPU_DEVICES": "", "REDIS_URL": url})
    clock = Clock()
    try:
        stack.start()
        embedded = stack.env["REDIS_URL"]
        supervision = Supervision(stack, clock=clock, report=lambda line: None)
        stack.processes["redis"].send_signal(signal.SIGKILL)
        stack.processes["redis"].wait()
        supervision.tend()
        clock.now = supervision.due["redis"]
        supervision.tend()
        assert stack.env["REDIS_URL"] == embedded and redis_server.answers(embedded)
    finally:
        stack.stop()
