"""What a dataset tells the rest of the playground about itself."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sequences.strict import Strict

Kind = Literal["text", "labelled-text", "series", "synthetic"]


@dataclass(frozen=True)
class Signature:
    """What flows in and out of a task, for one paradigm: enough to size a model."""

    inputs: Literal["tokens", "values"]
    input_size: int  # vocabulary size (with PAD) or features per step
    outputs: Literal["classes", "values", "tokens"]
    output_size: int  # classes, value features, or output vocabulary size
    length: int  # longest input, in steps
    target_length: int = 1  # output steps (1 for *-to-one)
    causal: bool = False  # may a step see the future? (language models: no)
    bos: int | None = None  # the decoder's start token (token outputs of one-to-many, seq2seq)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one entry per dataset
class DatasetInfo:
    id: str
    name: str
    kind: Kind
    paradigms: tuple[str, ...]
    summary: dict
    options: type[Strict]  # validates dataset_options
    make: Callable[..., object]  # (options, paradigm, seed, val_split) -> task
    inputs: Literal["tokens", "values"] = "values"  # what each step carries
    finite: bool = False  # a fixed set of examples (epochs and a validation split apply)
    builtin: bool = True  # generated in code, or uploaded by someone
    preview: Callable[[], object] | None = None  # real data: its Prepared form, for a preview

    def describe(self) -> dict:
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
