"""Start again a process of the stack that stopped on its own, and say why it stopped.

A process that stops (a crash, a kill, an exit) is started again after a pause: 1 s, then
twice as long each time it stops again, up to 30 s, so that a process that cannot start
(a bad setting, a database away) is retried and reported without spinning. One that stayed
up a minute or more counts as steady: its next stop waits 1 s again. Before it starts
again, what is left of its process group is killed (a Celery pool process that outlived its
worker would go on training a run nobody reports). A web process starts again on the same
listening socket, which the launcher holds, so clients reconnect to the same port; connections
that arrive meanwhile wait in the socket's backlog.

Redis's own persistence is not at stake here: an embedded Redis keeps nothing, and the
sweeper sends again the runs its queue lost (playground/runs/lifecycle.py `resend_lost`).
"""

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from playground.stack.supervisor import Stack, signal_group

FIRST_PAUSE = 1.0
LONGEST_PAUSE = 30.0
STEADY_SECONDS = 60.0


@dataclass
class Backoff:
    """The pauses before one process starts again."""

    pause: float = 0.0  # the last pause (0: none yet, or it was steady since)
    stops: int = 0  # stops in a row, each before it was steady

    def after_stop(self, ran_for: float) -> float:
        """The pause before starting again a process that stopped after `ran_for` s."""
        if ran_for >= STEADY_SECONDS:
            self.pause, self.stops = 0.0, 0
        self.stops += 1
        self.pause = min(self.pause * 2, LONGEST_PAUSE) if self.pause else FIRST_PAUSE
        return self.pause


def how_it_ended(returncode: int) -> str:
    """`exit code 1`, `killed by SIGKILL`."""
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


def to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class Supervision:
    """Tends a started stack: `tend()`, called every moment, notices the processes that
    stopped, says so, and starts them again once their pause is over."""

    def __init__(
        self,
        stack: Stack,
        clock: Callable[[], float] = time.monotonic,
        report: Callable[[str], None] = to_stderr,
    ):
        self.stack, self.clock, self.report = stack, clock, report
        self.started_at = {name: clock() for name in stack.processes}
        self.backoff: dict[str, Backoff] = {}
        self.due: dict[str, float] = {}  # a stopped process: when it starts again

    def tend(self) -> None:
        now = self.clock()
        for name, process in list(self.stack.processes.items()):
            if name not in self.due and process.poll() is not None:
                # Its children go with it, before anything starts in its place.
                signal_group(process, signal.SIGKILL)
                self.stopped(name, how_it_ended(process.returncode), now)
        for name, when in list(self.due.items()):
            if now >= when:
                self.start_again(name)

    def stopped(self, name: str, why: str, now: float) -> None:
        ran_for = now - self.started_at.get(name, now)
        backoff = self.backoff.setdefault(name, Backoff())
        pause = backoff.after_stop(ran_for)
        self.due[name] = now + pause
        in_a_row = f", {backoff.stops} times in a row" if backoff.stops > 1 else ""
        self.report(
            f"The {name} process stopped ({why}) after {ran_for:.0f} s{in_a_row}; "
            f"starting it again in {pause:.0f} s."
        )

    def start_again(self, name: str) -> None:
        del self.due[name]
        try:
            self.stack.restart(name)
        except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
            now = self.clock()
            self.started_at[name] = now
            self.stopped(name, f"could not start: {exc}", now)
            return
        self.started_at[name] = self.clock()
        self.report(f"Started the {name} process again.")
