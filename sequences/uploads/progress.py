"""How checking an upload tells someone how far it has come, without knowing who watches.

The phases reported here are the file's own: `reading` (rows read so far) and then
`checking` (the columns, numbers, times and labels of the rows read). The web app adds
the ones around them (waiting for a checker, storing, done)."""

from typing import Protocol

READING, CHECKING = "reading", "checking"
ROWS_PER_REPORT = 50_000  # how often a row-by-row read says how far it is


class Progress(Protocol):
    def __call__(self, phase: str, rows: int | None = None) -> None:
        """The check has reached `phase`, with `rows` read so far when they are counted."""


def unwatched(phase: str, rows: int | None = None) -> None:
    """The progress of a check nobody watches, so the check never asks whether anyone does."""
