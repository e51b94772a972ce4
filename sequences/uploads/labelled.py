"""Labelled text from CSV: a text column and a label column, for classification."""

import pandas as pd

from sequences.uploads.columns import column, numeric_share
from sequences.uploads.decoding import decode
from sequences.uploads.errors import UploadError
from sequences.uploads.prepared import Choices, Prepared
from sequences.uploads.progress import CHECKING, Progress
from sequences.uploads.tables import line_of, read_table
from sequences.uploads.tokens import most_frequent, tokenize

MAX_CLASSES = 50
MIN_ROWS = 10


def prepare_labelled(raw: bytes, choices: Choices, progress: Progress) -> Prepared:
    frame = read_table(decode(raw), progress)
    progress(CHECKING, len(frame))
    if frame.shape[1] < 2:
        raise UploadError(
            f"labelled text needs a text column and a label column; this file has "
            f"{frame.shape[1]} column ('{frame.columns[0]}')"
        )
    label = (
        column(frame, choices.label_column, "label_column")
        if choices.label_column
        else guess_label(frame)
    )
    text = (
        column(frame, choices.text_column, "text_column")
        if choices.text_column
        else guess_text(frame, label)
    )
    if text == label:
        raise UploadError(
            "text_column and label_column must be different columns", where="label_column"
        )
    pairs = frame[[text, label]].apply(lambda c: c.astype("string").str.strip())
    pairs = pairs.mask(pairs == "")
    empty = pairs.isna().any(axis=1)
    dropped = int(empty.sum())
    if dropped and choices.missing == "refuse":
        first = line_of(frame, int(empty.to_numpy().nonzero()[0][0]))
        raise UploadError(
            f"{dropped} rows have an empty text or label (the first on {first}); choose to "
            "drop them",
            where=first,
            choices={"missing": ["drop"]},
        )
    pairs = pairs[~empty]
    classes = pairs[label].value_counts()
    check_classes(classes, label)
    if len(pairs) < MIN_ROWS:
        raise UploadError(f"there are {len(pairs)} labelled rows; at least {MIN_ROWS} are needed")
    # One pass over all texts, a newline between two: no word spans a space, so the words
    # are those of each text in turn.
    words = tokenize("\n".join(pairs[text]), "words")
    summary = {
        "rows": len(pairs),
        "text_column": text,
        "label_column": label,
        "classes": {str(k): int(v) for k, v in classes.items()},
        "dropped_rows": dropped,
        "words_per_text": round(len(words) / len(pairs), 1),
        "distinct_words": len(set(words)),
        "task": "classification",
    }
    preview = {
        "top_words": most_frequent(words),
        "examples": [
            {"text": str(rows[text].iloc[0])[:200], "label": str(name)}
            for name, rows in pairs.groupby(label, sort=True)
        ][:10],
    }
    data = {"texts": pairs[text].tolist(), "labels": pairs[label].tolist()}
    return Prepared("labelled-text", data, summary, preview)


def guess_label(frame: pd.DataFrame) -> str:
    """The column with the fewest distinct values (a label repeats; a text rarely does),
    and of those the one with the shortest cells."""
    return min(
        frame.columns,
        key=lambda c: (frame[c].nunique(), frame[c].dropna().astype(str).str.len().mean()),
    )


def guess_text(frame: pd.DataFrame, label: str) -> str:
    """Of the other columns, the one holding the longest words-not-numbers."""
    others = [c for c in frame.columns if c != label and numeric_share(frame[c], ".") < 0.5]
    if not others:
        raise UploadError(
            "no column holds text: choose text_column, or upload this file as a series",
            where="text_column",
        )
    return max(others, key=lambda c: frame[c].dropna().astype(str).str.len().mean())


def check_classes(classes: pd.Series, label: str) -> None:
    if len(classes) < 2:
        only = classes.index[0] if len(classes) else "nothing"
        raise UploadError(
            f"every row of '{label}' has the label '{only}': a classifier needs at least two "
            "classes (is it the right label column?)",
            where="label_column",
        )
    if len(classes) > MAX_CLASSES:
        raise UploadError(
            f"'{label}' has {len(classes)} distinct labels; at most {MAX_CLASSES} classes "
            "are allowed (is it the right label column?)",
            where="label_column",
        )
