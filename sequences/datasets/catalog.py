"""What a dataset tells the rest of the playground about itself."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from sequences.settings import Paradigm
from sequences.strict import Strict
from sequences.task import TaskFactory
from sequences.uploads.prepared import Prepared

Kind = Literal["text", "labelled-text", "series", "synthetic"]


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one entry per dataset
class DatasetInfo:
    id: str
    name: str
    kind: Kind
    paradigms: tuple[Paradigm, ...]
    summary: dict[str, Any]
    options: type[Strict]  # validates dataset_options
    make: TaskFactory
    inputs: Literal["tokens", "values"] = "values"  # what each step carries
    finite: bool = False  # a fixed set of examples (epochs and a validation split apply)
    builtin: bool = True  # generated in code, or uploaded by someone
    preview: Callable[[], Prepared] | None = None  # real data: its Prepared form, for a preview

    def paradigm_for(self, chosen: Paradigm | None) -> Paradigm:
        """The paradigm a spec means: the one it names, or this dataset's first."""
        return chosen or self.paradigms[0]

    def describe(self) -> dict[str, Any]:
        """The dataset as the API shows it."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "builtin": self.builtin,
            "paradigms": list(self.paradigms),
            "summary": self.summary,
            "inputs": self.inputs,
            "finite": self.finite,
        }
