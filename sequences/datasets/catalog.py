"""What a dataset tells the rest of the playground about itself."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sequences.strict import Strict

Kind = Literal["text", "labelled-text", "series", "synthetic"]


@dataclass(frozen=True)
class Shape:
    input_size: int  # features per time step
    output_size: int  # values the model answers with
    length: int  # time steps per sequence


@dataclass(frozen=True)
class DatasetInfo:
    id: str
    name: str
    kind: Kind
    paradigms: tuple[str, ...]
    summary: dict
    options: type[Strict]  # validates dataset_options
    shape: Callable[[dict], Shape]  # from validated options
    make: Callable[[dict, int], object]  # (options, seed) -> task

    def describe(self) -> dict:
        """The dataset as the API shows it."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "builtin": True,
            "paradigms": list(self.paradigms),
            "summary": self.summary,
        }
