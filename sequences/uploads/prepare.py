"""An upload, checked and made ready: the one entry point for the web app."""

import json
import zlib
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, ValidationError

from sequences.strict import Strict
from sequences.uploads.errors import UploadError

KINDS = ("text", "labelled-text", "series")
MAX_BYTES = 5 * 1024 * 1024  # an upload's size limit (refused while it streams in)


class Choices(Strict):
    """What the person chose on the upload form (each has a sensible automatic default)."""

    columns: list[str] | None = Field(None, max_length=50)  # series: the value columns
    time_column: str | None = None  # series: parsed as dates or times and sorted by
    text_column: str | None = None  # labelled text
    label_column: str | None = None  # labelled text
    missing: Literal["refuse", "drop", "interpolate"] = "refuse"  # empty, NaN or Inf cells


@dataclass
class Prepared:
    """Checked data, ready to train on; `summary` and `preview` describe it to people."""

    kind: str
    data: dict  # text: {"text"}; labelled-text: {"texts", "labels"}; series: {"columns", "values", "time"}
    summary: dict
    preview: dict

    def to_bytes(self) -> bytes:
        return zlib.compress(json.dumps(self.data, separators=(",", ":")).encode(), 6)

    @staticmethod
    def data_from_bytes(stored: bytes) -> dict:
        return json.loads(zlib.decompress(stored))


def prepare(raw: bytes, kind: str, choices: dict | None = None) -> Prepared:
    """Check an upload of `kind` and prepare it, or raise UploadError naming the problem."""
    from sequences.uploads.labelled import prepare_labelled
    from sequences.uploads.series import prepare_series
    from sequences.uploads.text import prepare_text

    if kind not in KINDS:
        raise UploadError(
            f"kind: '{kind}' is not a kind of upload; choose text, labelled-text or series",
            status=400,
            where="kind",
        )
    try:
        chosen = Choices.model_validate(choices or {})
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "choices"
        raise UploadError(f"{field}: {first['msg']}", status=400, where=field) from None
    if len(raw) > MAX_BYTES:
        raise UploadError(
            f"the file is {len(raw) / 1e6:.1f} MB; at most {MAX_BYTES // 2**20} MB", status=413
        )
    make = {"text": prepare_text, "labelled-text": prepare_labelled, "series": prepare_series}
    return make[kind](raw, chosen)
