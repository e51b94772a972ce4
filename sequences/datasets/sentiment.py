"""Sentiment in short sentences, where only word order and negation tell the label.

Every sentence pairs a positive and a negative adjective. "the movie was not long and
funny" is positive; "the movie was long and not funny" is negative: the same words,
so a bag-of-words model sees the same bag under both labels and cannot beat a coin.
A recurrent model that follows "not" and "but" through the sentence can.
"""

import random
import re
from collections.abc import Iterable
from typing import Any

import torch
from pydantic import Field
from torch import nn

from sequences.batch import pad_tokens
from sequences.datasets.catalog import DatasetInfo
from sequences.datasets.finite import FiniteTask
from sequences.examples import classification_example
from sequences.strict import Strict
from sequences.task import Signature

SUBJECTS = [
    "the movie",
    "the film",
    "this book",
    "the show",
    "the meal",
    "the concert",
    "the game",
    "our trip",
    "the hotel",
    "the story",
    "the music",
    "the lecture",
]
VERBS = ["was", "is", "felt", "seemed"]
INTENSIFIERS = ["really", "very", "quite", "so"]
POSITIVE = [
    "good",
    "fun",
    "great",
    "funny",
    "charming",
    "clever",
    "exciting",
    "beautiful",
    "warm",
    "fresh",
    "lovely",
    "smart",
]
NEGATIVE = [
    "bad",
    "boring",
    "dull",
    "slow",
    "long",
    "silly",
    "cold",
    "messy",
    "loud",
    "bland",
    "awful",
    "weak",
]
LABELS = ["negative", "positive"]

WORDS = sorted(
    {w for phrase in SUBJECTS for w in phrase.split()}
    | set(VERBS + INTENSIFIERS + POSITIVE + NEGATIVE + ["not", "and", "but"])
)
VOCAB = ["<pad>", "<unk>", *WORDS]
TOKEN = {word: i for i, word in enumerate(VOCAB)}


class SentimentOptions(Strict):
    size: int = Field(6000, ge=200, le=50_000)  # sentences generated (training + validation)


def sentence(rng: random.Random) -> tuple[list[str], int]:
    """One sentence and its label (1 positive). The two orders of each pair are equally
    likely, so a sentence's bag of words says nothing about its label."""
    pick, coin = rng.choice, lambda: rng.random() < 0.5
    good, bad = pick(POSITIVE), pick(NEGATIVE)
    a, b = (good, bad) if coin() else (bad, good)
    if coin():
        a = f"{pick(INTENSIFIERS)} {a}"
    first = coin()
    if coin():  # negation: "not A and B" means B; "A and not B" means A
        clause, meant = (f"not {a} and {b}", b) if first else (f"{a} and not {b}", a)
    else:  # contrast: "A but B" means B
        clause, meant = (f"{a} but {b}", b) if first else (f"{b} but {a}", a)
    words = f"{pick(SUBJECTS)} {pick(VERBS)} {clause}".split()
    return words, int(meant.split()[-1] in POSITIVE)


def encode(words: list[str]) -> list[int]:
    return [TOKEN.get(word, TOKEN["<unk>"]) for word in words]


class SentimentTask(FiniteTask):
    def __init__(self, size: int, seed: int, val_split: float):
        rng = random.Random(seed)
        examples = [sentence(rng) for _ in range(size)]
        x = pad_tokens([encode(words) for words, _ in examples])
        y = torch.tensor([label for _, label in examples])
        lengths = torch.tensor([len(words) for words, _ in examples])
        super().__init__(x, y, lengths, val_split)
        self.vocab = VOCAB
        self.labels = LABELS
        self.signature = Signature("tokens", len(VOCAB), "classes", 2, x.shape[1])

    def decode(self, ids: Iterable[int]) -> str:
        return " ".join(VOCAB[i] for i in ids if i > 0)

    def encode(self, text: str) -> list[int]:
        return encode(re.findall(r"[a-z]+", text.lower()))

    def example(self, model: nn.Module) -> dict[str, Any]:
        """Accuracy, the confusion matrix and a few held-out sentences with the answers."""
        return classification_example(model, self)


def make_sentiment(
    options: dict[str, Any], paradigm: str, seed: int, val_split: float = 0.2
) -> SentimentTask:
    return SentimentTask(options["size"], seed, val_split)


SENTIMENT = DatasetInfo(
    id="sentiment",
    name="Sentiment with negation",
    kind="labelled-text",
    paradigms=("many-to-one", "one-to-one"),
    summary={
        "description": 'Short reviews like "the film was long and not funny": only word order '
        "and negation tell positive from negative, so a bag of words stays at chance.",
        "task": "classification",
        "classes": LABELS,
        "vocabulary": len(VOCAB),
        "example": "the movie was not long and funny → positive",
        "options": {
            "size": "sentences generated, training and validation together (200 to 50,000)"
        },
    },
    inputs="tokens",
    finite=True,
    options=SentimentOptions,
    make=make_sentiment,
)
