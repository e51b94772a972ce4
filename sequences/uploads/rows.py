"""The rows of a CSV as the checks need them: the first few (to tell a header), and for
every row that holds something its number of fields and the file line it ends on.

A file without quotes (most large ones) is read in one vectorised pass over its bytes:
each line is a row, and its fields are one more than its delimiters. A file with quotes,
where a quoted cell may hold a delimiter or a newline, is read row by row by the csv
module. Both give the same answer (tests/uploads/test_rows.py)."""

import csv
import io
from dataclasses import dataclass

import numpy as np

from sequences.uploads.errors import UploadError
from sequences.uploads.progress import READING, ROWS_PER_REPORT, Progress, unwatched

HEAD_ROWS = 21  # the rows has_header looks at
# The ASCII characters str.strip() removes: a line of only these is blank.
BLANK_BYTES = np.frombuffer(b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f", dtype=np.uint8)


@dataclass
class Rows:
    first: list[list[str]]  # the first HEAD_ROWS rows that hold something, as cells
    widths: np.ndarray  # (rows,) fields in each row that holds something
    lines: np.ndarray  # (rows,) the file line each such row ends on


def read_rows(text: str, dialect: type[csv.Dialect], progress: Progress = unwatched) -> Rows:
    """Blank lines are skipped, as pandas skips them."""
    return plain_rows(text, dialect) or quoted_rows(text, dialect, progress)


def plain_rows(text: str, dialect: type[csv.Dialect]) -> Rows | None:
    """The rows of a file where each line is a row (ASCII, no quote, escape or NUL, no line
    longer than the csv module's field limit); None for any other file."""
    special = [c for c in (dialect.quotechar, dialect.escapechar, "\x00") if c]
    if not text.isascii() or any(c in text for c in special):
        return None
    data = np.frombuffer(text.encode("ascii") + b"\n", dtype=np.uint8)
    ends = np.flatnonzero(data == ord("\n"))  # (lines,) where each line ends
    starts = np.concatenate(([0], ends[:-1] + 1))
    if (ends - starts).max() > csv.field_size_limit():
        return None  # the csv module names the long cell
    is_delimiter = data == ord(dialect.delimiter)
    # A row holds something when a cell does: delimiters and space alone are blank.
    is_content = ~is_delimiter & ~np.isin(data, BLANK_BYTES)
    # Counts before each byte; a line's count is the difference at its two ends.
    delimiters = np.concatenate(([0], np.cumsum(is_delimiter)))
    filled = np.concatenate(([0], np.cumsum(is_content)))
    holds = filled[ends] > filled[starts]
    widths = (delimiters[ends] - delimiters[starts] + 1)[holds]
    lines = np.flatnonzero(holds) + 1
    first = [next(csv.reader([text[starts[i] : ends[i]]], dialect)) for i in lines[:HEAD_ROWS] - 1]
    return Rows(first, widths.astype(np.int64), lines.astype(np.int64))


def quoted_rows(text: str, dialect: type[csv.Dialect], progress: Progress = unwatched) -> Rows:
    """The rows read one by one by the csv module, which knows quoted cells."""
    reader = csv.reader(io.StringIO(text), dialect)
    first: list[list[str]] = []
    widths: list[int] = []
    lines: list[int] = []
    last = 0
    try:
        for row in reader:
            # One join is cheaper than a strip per cell, and this runs once per row.
            if "".join(row).strip():
                if len(first) < HEAD_ROWS:
                    first.append(row)
                widths.append(len(row))
                lines.append(reader.line_num)
                if len(widths) % ROWS_PER_REPORT == 0:
                    progress(READING, len(widths))
            last = reader.line_num
    except csv.Error as error:
        where = f"line {last + 1}"  # where the row that cannot be read starts
        if "field larger than field limit" in str(error):
            raise UploadError(
                f"{where}: a cell is longer than {csv.field_size_limit():,} characters. Check "
                'for an unclosed quote (a cell that starts with " must end with one), or '
                "shorten the cell",
                where=where,
            ) from None
        raise UploadError(f"{where}: the CSV cannot be read ({error})", where=where) from None
    return Rows(first, np.array(widths, dtype=np.int64), np.array(lines, dtype=np.int64))
