"""Finding and checking the columns a person means."""

from collections.abc import Iterable

import numpy as np
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
    """Cells as floats: NaN where empty or not a number (told apart by the caller).

    Read in one vectorised pass; only the cells that fail it are stripped of surrounding
    space (a non-breaking space, say) and read again, so a million clean cells are never
    stripped one by one."""
    text = cells.astype("string")
    if decimal == ",":
        # 1.234,5 is 1234.5: thousands points go, the decimal comma becomes a point.
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    values = pd.to_numeric(text, errors="coerce").astype("float64")
    retry = (text.notna() & values.isna()).to_numpy()
    if retry.any():
        again = pd.to_numeric(text[retry].str.strip(), errors="coerce").astype("float64")
        values[retry] = again.to_numpy()
    return values


def numeric_share(cells: pd.Series, decimal: str) -> float:
    """The share of a column's non-empty cells that are numbers."""
    return share_of_numbers(cells, numbers(cells, decimal))


def share_of_numbers(cells: pd.Series, values: pd.Series) -> float:
    filled = cells.notna().to_numpy()
    if not filled.any():
        return 0.0
    return float((~np.isnan(values.to_numpy()[filled])).mean())


class TableNumbers:
    """Each column of a table read as numbers once, however often it is asked about."""

    def __init__(self, frame: pd.DataFrame, decimal: str):
        self.frame, self.decimal = frame, decimal
        self.read: dict[str, pd.Series] = {}

    def of(self, name: str) -> pd.Series:
        if name not in self.read:
            self.read[name] = numbers(self.frame[name], self.decimal)
        return self.read[name]

    def share(self, name: str) -> float:
        """The share of the column's non-empty cells that are numbers."""
        return share_of_numbers(self.frame[name], self.of(name))
