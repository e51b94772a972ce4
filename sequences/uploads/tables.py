"""CSV text to a pandas table: delimiter, decimal mark and header detected, and every
structural problem (ragged rows, no data, too many columns, not CSV at all) named."""

import csv
import io
import json
import re

import numpy as np
import pandas as pd

from sequences.uploads.errors import UploadError
from sequences.uploads.progress import READING, Progress, unwatched
from sequences.uploads.rows import HEAD_ROWS, read_rows

MAX_COLUMNS = 200
DELIMITERS = ",;\t|"
NUMBER = re.compile(r"^\s*[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?\s*$")


def read_table(text: str, progress: Progress = unwatched) -> pd.DataFrame:
    """The CSV as a table of strings (cells as written; empty cells are NaN), with the
    file line of each row in `frame.attrs["lines"]` for messages."""
    refuse_other_formats(text)
    dialect = sniff(text)
    progress(READING, 0)
    rows = read_rows(text, dialect, progress)
    header = has_header(rows.first)
    check_shape(rows.widths, rows.lines, header)
    progress(READING, len(rows.widths) - header)  # data rows
    frame = pd.read_csv(
        io.StringIO(text),
        sep=dialect.delimiter,
        quotechar=dialect.quotechar,
        header=0 if header else None,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        skip_blank_lines=True,
        skipinitialspace=True,
    )
    if not header:
        frame.columns = [f"column {i + 1}" for i in range(frame.shape[1])]
    frame.columns = [str(c).strip() for c in frame.columns]
    data_lines = rows.lines[1:] if header else rows.lines
    frame.attrs["lines"] = FileLines(data_lines) if len(data_lines) == len(frame) else None
    frame.attrs["decimal"] = decimal_mark(frame, dialect.delimiter)
    frame.attrs["delimiter"] = dialect.delimiter
    return frame


class FileLines:
    """The file line each data row ends on, shared rather than copied: pandas deep-copies
    a frame's attrs after every operation, and a million lines copied at each of some
    sixty steps took most of the time a large file's parse took."""

    def __init__(self, lines: np.ndarray):
        self.lines = lines

    def __deepcopy__(self, memo: dict) -> "FileLines":
        return self  # never changed after reading

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, position: int) -> int:
        return int(self.lines[position])


def line_of(frame: pd.DataFrame, position: int) -> str:
    """Where a row (by position) is in the file, for a message."""
    lines = frame.attrs.get("lines")
    return f"line {lines[position]}" if lines else f"data row {position + 1}"


def refuse_other_formats(text: str) -> None:
    start = text.lstrip()[:200].lower()
    if start.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in start:
        raise UploadError(
            "this is an HTML or XML page, not CSV: save the table itself as CSV (a saved web "
            "page is not one)",
            status=415,
        )
    if start.startswith(("{", "[")):
        try:
            json.loads(text)
        except ValueError:
            pass
        else:
            raise UploadError(
                "this is JSON, not CSV: export the data as comma-separated values", status=415
            )


def sniff(text: str) -> type[csv.Dialect]:
    """The delimiter, from the first lines: the one that splits them into equal rows."""
    sample = "\n".join(text.split("\n", 50)[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS)
    except csv.Error:
        return csv.excel  # one column, or nothing consistent: commas


def has_header(rows: list[list[str]]) -> bool:
    """A header row is one whose cells are not numbers while the rows below hold numbers in
    those columns, or one whose every cell is a distinct name."""
    if len(rows) < 2:
        return True  # a lone row is read as a header, and then there is no data
    first, rest = rows[0], rows[1:HEAD_ROWS]
    if any(NUMBER.match(cell) for cell in first):
        return False
    numeric_below = any(
        all(NUMBER.match(row[i]) for row in rest if i < len(row) and row[i].strip())
        for i in range(len(first))
    )
    return numeric_below or len(set(first)) == len(first)


def check_shape(widths: np.ndarray, lines: np.ndarray, header: bool) -> None:
    """Refuse an empty file, one too wide, a header without data, and rows whose number of
    fields differs from the first row's (found across all rows at once)."""
    if not len(widths):
        raise UploadError("the file holds no rows")
    width = int(widths[0])
    if width > MAX_COLUMNS:
        raise UploadError(
            f"the file has {width} columns; at most {MAX_COLUMNS} are allowed. Keep the "
            "columns you want to train on",
            where="line 1",
        )
    if header and len(widths) == 1:
        raise UploadError("the file has a header row but no data rows", where="line 2")
    ragged = np.flatnonzero(widths != width)
    if len(ragged):
        row, line = int(widths[ragged[0]]), int(lines[ragged[0]])
        raise UploadError(
            f"line {line} has {row} fields where the first row has {width}: check "
            "for a missing or extra delimiter, or an unclosed quote",
            where=f"line {line}",
        )


def decimal_mark(frame: pd.DataFrame, delimiter: str) -> str:
    """',' where the numbers are written 1,5 (European files, delimited by ';'), else '.'."""
    if delimiter == ",":
        return "."
    # The first 500 cells, row by row; stacking the whole table first took a second for
    # a million rows.
    cells = frame.head(500).stack()
    if len(cells) < 500 < len(frame):
        cells = frame.stack()
    cells = cells.astype(str).head(500)
    commas = cells.str.fullmatch(r"\s*[-+]?\d+,\d+\s*").sum()
    points = cells.str.fullmatch(r"\s*[-+]?\d+\.\d+\s*").sum()
    return "," if commas > points else "."
