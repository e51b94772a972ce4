"""Finding and checking the columns a person means."""

from collections.abc import Iterable

import pandas as pd

from sequences.uploads.errors import UploadError


def column(frame: pd.DataFrame, name: str, choice: str) -> str:
    """`name`, if the table has it (ignoring case and spaces), else a 422 listing what it has."""
    found = {c.strip().lower(): c for c in frame.columns}
    if name.strip().lower() in found:
        return found[name.strip().lower()]
    raise UploadError(
        f"{choice}: there is no column '{name}'; the columns are {listing(frame.columns)}",
        where=choice,
    )


def listing(names: Iterable[object]) -> str:
    quoted = [f"'{n}'" for n in names]
    more = len(quoted) - 12
    return ", ".join(quoted[:12]) + (f" and {more} more" if more > 0 else "")


def numbers(cells: pd.Series, decimal: str) -> pd.Series:
    """Cells as floats: NaN where empty or not a number (told apart by the caller)."""
    text = cells.astype("string").str.strip()
    if decimal == ",":
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce").astype("float64")


def numeric_share(cells: pd.Series, decimal: str) -> float:
    """The share of a column's non-empty cells that are numbers."""
    filled = cells.dropna()
    if filled.empty:
        return 0.0
    return float(numbers(filled, decimal).notna().mean())
