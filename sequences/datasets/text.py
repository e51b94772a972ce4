"""A small generated story corpus for a character-level language model (many-to-many).

The text comes from a tiny grammar written here, so nothing is downloaded, and it has
structure a model can learn at every scale: spelling, words, phrases, sentences.
"""

import random
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import torch
from pydantic import Field
from torch import nn

from sequences.batch import Batch
from sequences.datasets.catalog import DatasetInfo
from sequences.examples import text_example
from sequences.strict import Strict
from sequences.task import Signature
from sequences.uploads.tokens import tokenize

SUBJECTS = [
    "the cat",
    "a dog",
    "the little bird",
    "my friend",
    "the old man",
    "a child",
    "the fox",
    "her sister",
    "the baker",
    "a tired horse",
]
VERBS = [
    "sat on",
    "looked at",
    "ran to",
    "jumped over",
    "sang to",
    "found",
    "painted",
    "walked past",
    "dreamed of",
    "waited by",
]
OBJECTS = [
    "the mat",
    "a tree",
    "the river",
    "the moon",
    "a red box",
    "the garden",
    "the bridge",
    "an open door",
    "the hill",
    "a quiet lake",
]
ENDINGS = [".", " and smiled.", " in the morning.", " at night.", " again.", " for a while."]
MAX_VALIDATION_WINDOWS = 256


class TextOptions(Strict):
    length: int = Field(64, ge=4, le=512)  # characters per training window
    characters: int = Field(30_000, ge=2_000, le=500_000)  # size of the generated corpus


def story(characters: int, rng: random.Random) -> str:
    pick = rng.choice
    sentences, size = [], 0
    while size < characters:
        s = f"{pick(SUBJECTS)} {pick(VERBS)} {pick(OBJECTS)}{pick(ENDINGS)}"
        s = s[0].upper() + s[1:]
        sentences.append(s)
        size += len(s) + 1
    return " ".join(sentences)[:characters]


class LanguageTask:
    """Windows of a token stream; the target is the same window shifted one token on.
    The last `val_split` of the text is held out, so validation reads unseen text."""

    def __init__(
        self,
        ids: Sequence[int] | torch.Tensor,
        vocab: list[str],
        length: int,
        val_split: float,
        joiner: str = "",
    ):
        self.vocab, self.joiner = vocab, joiner
        ids = torch.as_tensor(ids, dtype=torch.long)
        split = int(len(ids) * (1 - val_split))
        self.length, self.train_ids, val_ids = length, ids[:split], ids[split:]
        self.signature = Signature(
            "tokens", len(self.vocab), "tokens", len(self.vocab), length, length, causal=True
        )
        starts = torch.arange(0, len(val_ids) - length - 1, length)[:MAX_VALIDATION_WINDOWS]
        self.validation = self.windows(val_ids, starts)

    def windows(self, ids: torch.Tensor, starts: torch.Tensor) -> Batch:
        offsets = starts[:, None] + torch.arange(self.length + 1)  # (n, T+1)
        chunk = ids[offsets]
        return Batch(chunk[:, :-1], chunk[:, 1:])

    def sample(self, n: int, generator: torch.Generator) -> Batch:
        starts = torch.randint(0, len(self.train_ids) - self.length - 1, (n,), generator=generator)
        return self.windows(self.train_ids, starts)

    def stream(self, batch_size: int, chunk: int, start: int = 0) -> Iterator[Batch]:
        """Truncated BPTT: `batch_size` cursors spread over the training text, each moving
        `chunk` characters per call, so row i of one batch continues row i of the last.
        With `start`, the cursors begin where that many chunks would have left them."""
        n = len(self.train_ids)
        cursors = (torch.arange(batch_size) * (n // batch_size) + start * chunk) % n
        offsets = torch.arange(chunk + 1)
        while True:
            positions = (cursors[:, None] + offsets) % len(self.train_ids)  # (B, chunk+1), wrapping
            piece = self.train_ids[positions]
            yield Batch(piece[:, :-1], piece[:, 1:])
            cursors = (cursors + chunk) % len(self.train_ids)

    def decode(self, ids: Iterable[int]) -> str:
        return self.joiner.join(self.vocab[i] for i in ids if i > 0)

    def encode(self, text: str) -> list[int]:
        """A person's text as token ids; tokens outside the vocabulary are <unk>, or
        skipped where there is none."""
        tokens = tokenize(text, "characters" if self.joiner == "" else "words")
        index = {t: i for i, t in enumerate(self.vocab)}
        unknown = index.get("<unk>")
        return [i for i in (index.get(t, unknown) for t in tokens) if i is not None]

    def example(self, model: nn.Module) -> dict[str, Any]:
        """What the model writes now, after the start of the held-out text."""
        return text_example(model, self)


def story_task(length: int, characters: int, seed: int, val_split: float) -> LanguageTask:
    text = story(characters, random.Random(seed))
    vocab = ["<pad>", *sorted(set(text))]
    index = {c: i for i, c in enumerate(vocab)}
    return LanguageTask([index[c] for c in text], vocab, length, val_split)


def make_stories(
    options: dict[str, Any], paradigm: str, seed: int, val_split: float = 0.1
) -> LanguageTask:
    return story_task(options["length"], options["characters"], seed, val_split)


TEXT = DatasetInfo(
    id="stories",
    name="Tiny stories (characters)",
    kind="text",
    paradigms=("many-to-many",),
    summary={
        "description": "A generated corpus of simple sentences: predict each next character, "
        "then let the model write its own.",
        "task": "language modelling",
        "options": {
            "length": "characters per training window (4 to 512, default 64)",
            "characters": "size of the generated corpus (default 30,000)",
        },
    },
    inputs="tokens",
    finite=True,
    options=TextOptions,
    make=make_stories,
)
