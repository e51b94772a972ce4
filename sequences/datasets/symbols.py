"""Copy and reverse: the seq2seq classics. Read a string of symbols, then write it back
(as it was, or backwards). Reversing puts the first symbol needed last in the encoder's
memory, which is where attention over the encoder states shines."""

from typing import Any, Self

import torch
from pydantic import Field, model_validator

from sequences.batch import IGNORE, PAD, Batch
from sequences.datasets.catalog import DatasetInfo
from sequences.strict import Strict
from sequences.task import Signature

BOS = 1  # the decoder's start token
FIRST_SYMBOL = 2
VALIDATION_SIZE = 256


class SymbolOptions(Strict):
    symbols: int = Field(10, ge=2, le=100)  # distinct symbols
    min_length: int = Field(3, ge=1, le=200)
    max_length: int = Field(12, ge=1, le=200)

    @model_validator(mode="after")
    def ordered(self) -> Self:
        if self.min_length > self.max_length:
            raise ValueError("max_length: must be at least min_length")
        return self


class SymbolTask:
    def __init__(self, options: dict, reverse: bool, seed: int):
        self.symbols, self.reverse = options["symbols"], reverse
        self.min_length, self.max_length = options["min_length"], options["max_length"]
        self.vocab = ["<pad>", "<bos>", *(f"s{i}" for i in range(self.symbols))]
        size = len(self.vocab)
        self.signature = Signature(
            "tokens", size, "tokens", size, self.max_length, self.max_length, bos=BOS
        )
        self.validation = self.sample(VALIDATION_SIZE, torch.Generator().manual_seed(seed + 104729))

    def sample(self, n: int, generator: torch.Generator) -> Batch:
        lengths = torch.randint(self.min_length, self.max_length + 1, (n,), generator=generator)
        width = int(lengths.max())
        x = torch.randint(
            FIRST_SYMBOL, FIRST_SYMBOL + self.symbols, (n, width), generator=generator
        )
        valid = torch.arange(width)[None, :] < lengths[:, None]  # (n, T)
        x = x.masked_fill(~valid, PAD)
        y = x.clone()
        if self.reverse:
            for row, length in enumerate(lengths.tolist()):
                y[row, :length] = x[row, :length].flip(0)
        y = y.masked_fill(~valid, IGNORE)  # no loss on padding
        return Batch(x, y, lengths)


def symbol_dataset(id: str, name: str, reverse: bool, description: str) -> DatasetInfo:
    def make_symbols(
        options: dict[str, Any], paradigm: str, seed: int, val_split: float = 0.2
    ) -> SymbolTask:
        """Generated afresh for every batch: val_split does not apply."""
        return SymbolTask(options, reverse, seed)

    return DatasetInfo(
        id=id,
        name=name,
        kind="synthetic",
        paradigms=("seq2seq",),
        summary={
            "description": description,
            "task": "sequence generation",
            "options": {
                "symbols": "distinct symbols (2 to 100, default 10)",
                "min_length": "shortest sequence (default 3)",
                "max_length": "longest sequence (default 12, at most 200)",
            },
        },
        options=SymbolOptions,
        inputs="tokens",
        make=make_symbols,
    )


COPY = symbol_dataset(
    "copy", "Copy a sequence", False, "Read a string of symbols, then write it out again."
)
REVERSE = symbol_dataset(
    "reverse", "Reverse a sequence", True, "Read a string of symbols, then write it out backwards."
)
