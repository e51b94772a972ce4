"""What a task is, and what some tasks can do besides.

Every task is a `Task`. A caller that needs more asks `isinstance(task, Streams)` (or
another capability below) instead of sniffing attributes; built-in datasets and uploads
implement the same small protocols. A dataset makes its task with a `TaskFactory`."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

import torch
from torch import nn

from sequences.batch import Batch


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


class Task(Protocol):
    """Data to train on: its signature, fresh training batches, a fixed validation set."""

    signature: Signature
    validation: Batch

    def sample(self, n: int, generator: torch.Generator) -> Batch: ...


@runtime_checkable
class Streams(Protocol):
    """One long token stream read in chunks, row i of each chunk continuing row i of the
    last: what truncated BPTT trains on. `start` skips that many chunks (a resumed run)."""

    def stream(self, batch_size: int, chunk: int, start: int = 0) -> Iterator[Batch]: ...


@runtime_checkable
class Vocabulary(Protocol):
    """Tokens with names (`vocab[i]` names id i), to label a probe's axes."""

    vocab: list[str]


@runtime_checkable
class TextCodec(Vocabulary, Protocol):
    """A person's text as token ids, and ids back as text."""

    def encode(self, text: str) -> list[int]: ...

    def decode(self, ids: Iterable[int]) -> str: ...


@runtime_checkable
class Labelled(Protocol):
    """Named classes (`labels[i]` names class i)."""

    labels: list[str]


@runtime_checkable
class Examples(Protocol):
    """What a model produces now on held-out data (a forecast, text it writes, a confusion
    matrix), for `sample` events."""

    def example(self, model: nn.Module) -> dict[str, Any]: ...


@runtime_checkable
class FixedSet(Protocol):
    """A fixed set of training examples: epochs apply, and an export embeds them as they are."""

    train: Batch


class TextTask(Task, TextCodec, Protocol):
    """A task whose tokens read as text, so what a model writes can be shown."""


@runtime_checkable
class ClassifiesText(Task, TextCodec, Labelled, Protocol):
    """Texts in named classes: a person's sentence can be classified."""


class TaskFactory(Protocol):
    """How a dataset makes its task: from validated options, a paradigm, a seed and the
    share of a fixed set held out for validation (where the dataset has one)."""

    def __call__(
        self, options: dict[str, Any], paradigm: str, seed: int, val_split: float = 0.2
    ) -> Task: ...


def vocab_of(task: Task) -> list[str] | None:
    """The task's token names, where its tokens have names."""
    return task.vocab if isinstance(task, Vocabulary) else None
