"""What preparing an upload takes (the person's choices) and gives (checked data)."""

import json
import zlib
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from sequences.strict import Strict


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
    # text: {"text"}; labelled-text: {"texts", "labels"}; series: {"columns", "values", "time"}
    data: dict[str, Any]
    summary: dict[str, Any]
    preview: dict[str, Any]

    def to_bytes(self) -> bytes:
        return zlib.compress(json.dumps(self.data, separators=(",", ":")).encode(), 6)

    @staticmethod
    def data_from_bytes(stored: bytes) -> dict[str, Any]:
        return json.loads(zlib.decompress(stored))
