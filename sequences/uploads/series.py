"""A numeric series from CSV: value columns, an optional time column, missing values."""

from typing import Any

import numpy as np
import pandas as pd

from sequences.uploads.columns import TableNumbers, column, listing
from sequences.uploads.decoding import decode
from sequences.uploads.errors import UploadError
from sequences.uploads.prepared import Choices, Prepared
from sequences.uploads.progress import CHECKING, Progress
from sequences.uploads.tables import line_of, read_table

MIN_ROWS = 20  # fewer cannot make training and validation windows
TIME_NAMES = ("time", "date", "datetime", "timestamp", "day", "month", "year", "period", "week")
PREVIEW_POINTS = 1000
# Cells that say "no value here" rather than holding text.
MISSING_WORDS = ("nan", "na", "n/a", "null", "none", "-", "?")


def prepare_series(raw: bytes, choices: Choices, progress: Progress) -> Prepared:
    frame = read_table(decode(raw), progress)
    progress(CHECKING, len(frame))
    numeric = TableNumbers(frame, frame.attrs["decimal"])
    time_name, times = time_column(frame, choices.time_column)
    names = value_columns(frame, choices.columns, time_name, numeric)
    values = pd.DataFrame({name: checked_numbers(frame, name, numeric) for name in names})
    if time_name:
        times = parse_times(frame, time_name, times)
    values, times, handled = missing_values(frame, values, times, choices.missing)
    notes = []
    if times is not None:
        order = np.argsort(times.to_numpy(), kind="stable")
        if (order != np.arange(len(order))).any():
            notes.append(f"rows were sorted by '{time_name}'")
        values, times = values.iloc[order].reset_index(drop=True), times.iloc[order]
        times = times.reset_index(drop=True)
    if len(values) < MIN_ROWS:
        raise UploadError(
            f"the series has {len(values)} rows; at least {MIN_ROWS} are needed to make "
            "training and validation windows"
        )
    summary = {
        "rows": len(values),
        "columns": names,
        "time_column": time_name,
        "statistics": {n: statistics(values[n]) for n in names},
        "missing": handled,
        "notes": notes,
        "task": "forecasting",
    }
    if times is not None:
        summary["time_range"] = [str(times.iloc[0]), str(times.iloc[-1])]
        summary["gaps"] = gaps(times)
    data = {
        "columns": names,
        "values": values.to_numpy().round(8).tolist(),
        "time": [str(t) for t in times] if times is not None else None,
    }
    return Prepared("series", data, summary, preview(values, times))


def time_column(frame: pd.DataFrame, chosen: str | None) -> tuple[str | None, pd.Series | None]:
    """The chosen time column, or one named like a time whose cells parse as dates (with
    those dates, so that they are parsed once)."""
    if chosen:
        return column(frame, chosen, "time_column"), None
    for name in frame.columns:
        if name.lower() in TIME_NAMES:
            times = parsed_times(frame[name])
            if times.notna().mean() > 0.9:
                return name, times
    return None, None


def value_columns(
    frame: pd.DataFrame, chosen: list[str] | None, time_name: str | None, numeric: TableNumbers
) -> list[str]:
    if chosen:
        names = [column(frame, name, "columns") for name in chosen]
        if time_name in names:
            raise UploadError(
                f"columns: '{time_name}' is the time column; choose value columns",
                where="columns",
            )
        return names
    # A trailing delimiter makes a column with no name and no cells: not a value column.
    candidates = [
        c for c in frame.columns if c != time_name and not (unnamed(c) and frame[c].isna().all())
    ]
    # A column whose every cell is empty or NaN is a value column with its values missing
    # (refused by checked_numbers), not text to pass over for the next numeric column.
    names = [c for c in candidates if numeric.share(c) >= 0.9 or only_missing(frame[c])]
    if not names:
        examples = ", ".join(
            f"'{c}' holds text like '{frame[c].dropna().iloc[0]}'"
            for c in candidates[:3]
            if not frame[c].dropna().empty
        )
        raise UploadError(
            f"no column holds numbers ({examples or 'every column is empty'}); a series "
            "needs at least one numeric column"
        )
    return names


def unnamed(name: str) -> bool:
    return name.startswith("Unnamed: ")  # pandas' name for a blank header cell


def only_missing(cells: pd.Series) -> bool:
    """Every cell is empty or a word for a missing value (NaN, null, ...)."""
    filled = cells.dropna().astype("string").str.strip().str.lower()
    return bool(filled.isin(MISSING_WORDS).all())


def checked_numbers(frame: pd.DataFrame, name: str, numeric: TableNumbers) -> pd.Series:
    """A column as floats; a non-numeric cell is refused with its line and column, and a
    column without a single number is refused whole."""
    cells = frame[name]
    values = numeric.of(name)
    # Only cells that hold something but not a number may be words for "missing".
    bad = (cells.notna() & values.isna()).to_numpy().copy()
    if bad.any():
        words = cells[bad].astype("string").str.strip().str.lower()
        bad[bad] = ~words.isin(MISSING_WORDS).to_numpy()
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        where = line_of(frame, position)
        more = int(bad.sum()) - 1
        raise UploadError(
            f"{where}, column '{name}': '{cells.iloc[position]}' is not a number"
            + (f" ({more} more cells in this column are not numbers either)" if more else ""),
            where=f"{where}, column '{name}'",
        )
    if values.replace([np.inf, -np.inf], np.nan).isna().all():
        others = [
            c for c in frame.columns if c != name and numeric.share(c) >= 0.9 and not unnamed(c)
        ]
        instead = (
            f", or choose the value columns to train on with 'columns' (these hold numbers: "
            f"{listing(others)})"
            if others
            else " and upload the file again"
        )
        raise UploadError(
            f"column '{name}' holds no numbers: every one of its {len(values)} cells is empty, "
            f"NaN or infinite. Fill the values in{instead}",
            where=f"column '{name}'",
        )
    return values


def parse_times(frame: pd.DataFrame, name: str, parsed: pd.Series | None = None) -> pd.Series:
    """The time column as times (`parsed` when already read); a cell that is no date or
    time is refused with its line."""
    times = parsed_times(frame[name]) if parsed is None else parsed
    bad = times.isna()
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        where = line_of(frame, position)
        raise UploadError(
            f"{where}, column '{name}': '{frame[name].iloc[position]}' is not a date or time "
            f"({int(bad.sum())} cells of the time column cannot be read); fix them, or choose "
            "no time column",
            where=f"{where}, column '{name}'",
        )
    return times


def parsed_times(cells: pd.Series) -> pd.Series:
    text = cells.astype("string").str.strip()
    if text.str.fullmatch(r"\d{4}").fillna(False).all():  # years alone
        return pd.to_datetime(text, format="%Y", errors="coerce")
    return pd.to_datetime(text, format="mixed", errors="coerce")


def missing_values(
    frame: pd.DataFrame, values: pd.DataFrame, times: pd.Series | None, policy: str
) -> tuple[pd.DataFrame, pd.Series | None, dict[str, Any] | None]:
    """Refuse, drop or interpolate empty, NaN and infinite cells; report what was done."""
    values = values.replace([np.inf, -np.inf], np.nan)
    holes = values.isna()
    if not holes.any().any():
        return values, times, None
    counts = {name: int(n) for name, n in holes.sum().items() if n}
    first = int(np.flatnonzero(holes.any(axis=1).to_numpy())[0])
    described = "; ".join(f"column '{n}': {c}" for n, c in counts.items())
    if policy == "refuse":
        raise UploadError(
            f"the series has missing, NaN or infinite values ({described}; the first on "
            f"{line_of(frame, first)}). Choose what to do with them: drop those rows, or "
            "interpolate between their neighbours",
            where=line_of(frame, first),
            choices={"missing": ["drop", "interpolate"]},
        )
    if policy == "drop":
        keep = ~holes.any(axis=1)
        values = values[keep].reset_index(drop=True)
        times = times[keep].reset_index(drop=True) if times is not None else None
        return values, times, {"dropped_rows": int((~keep).sum()), "cells": counts}
    values = values.interpolate(limit_direction="both")
    return values, times, {"interpolated_cells": counts}


def statistics(values: pd.Series) -> dict[str, float]:
    return {
        k: round(float(v), 6)
        for k, v in (
            ("mean", values.mean()),
            ("std", values.std()),
            ("min", values.min()),
            ("max", values.max()),
        )
    }


def gaps(times: pd.Series) -> dict[str, Any]:
    """Steps much longer than the usual one: where the series skips time."""
    steps = times.diff().dropna()
    if steps.empty:
        return {"count": 0}
    usual = steps.median()
    long = steps[steps > usual * 1.5]
    answer = {"usual_step": str(usual), "count": int(len(long))}
    if len(long):
        worst = long.idxmax()
        answer["longest"] = {"after": str(times.iloc[worst - 1]), "length": str(long.max())}
    return answer


def preview(values: pd.DataFrame, times: pd.Series | None) -> dict[str, Any]:
    """The series downsampled to at most PREVIEW_POINTS points, for a plot."""
    keep = np.unique(np.linspace(0, len(values) - 1, min(len(values), PREVIEW_POINTS)).round())
    keep = keep.astype(int)
    x = [str(times.iloc[i]) for i in keep] if times is not None else keep.tolist()
    return {
        "x": x,
        "series": {n: values[n].iloc[keep].round(6).tolist() for n in values.columns},
    }
