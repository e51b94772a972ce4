"""Splitting text into tokens (characters or words) and a capped vocabulary."""

import re
from collections import Counter
from collections.abc import Callable, Iterable

PAD, UNKNOWN = "<pad>", "<unk>"
WORD = re.compile(r"\w+|[^\w\s]")


def tokenize(text: str, unit: str) -> list[str]:
    """Characters as they are; words lowercased, with punctuation marks as words."""
    return list(text) if unit == "characters" else WORD.findall(text.lower())


def vocabulary(tokens: Iterable[str], cap: int) -> list[str]:
    """<pad>, <unk>, then the `cap` most frequent tokens (ties broken alphabetically)."""
    counts = Counter(tokens)
    common = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:cap]
    return [PAD, UNKNOWN, *sorted(token for token, _ in common)]


def encoder(vocab: list[str]) -> Callable[[list[str]], list[int]]:
    """Tokens to ids; a token outside the vocabulary is <unk>."""
    index = {token: i for i, token in enumerate(vocab)}
    unknown = index[UNKNOWN]
    return lambda tokens: [index.get(t, unknown) for t in tokens]


def most_frequent(tokens: Iterable[str], n: int = 20) -> list[list[str | int]]:
    return [[token, count] for token, count in Counter(tokens).most_common(n)]
