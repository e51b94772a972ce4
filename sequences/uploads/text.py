"""Plain text: the corpus for a language model."""

from sequences.uploads.decoding import decode
from sequences.uploads.errors import UploadError
from sequences.uploads.prepared import Choices, Prepared
from sequences.uploads.progress import CHECKING, READING, Progress
from sequences.uploads.tokens import most_frequent, tokenize

MIN_CHARACTERS = 200  # less cannot fill training and validation windows


def prepare_text(raw: bytes, choices: Choices, progress: Progress) -> Prepared:
    progress(READING)
    text = decode(raw)
    progress(CHECKING, text.count("\n") + 1)
    if len(text) < MIN_CHARACTERS:
        raise UploadError(
            f"the text has {len(text)} characters; at least {MIN_CHARACTERS} are needed to "
            "train a language model (more is better: a few thousand at least)"
        )
    words = tokenize(text, "words")
    visible = lambda c: {"\n": "⏎", " ": "␣", "\t": "⇥"}.get(c, c)  # noqa: E731
    summary = {
        "characters": len(text),
        "distinct_characters": len(set(text)),
        "words": len(words),
        "distinct_words": len(set(words)),
        "task": "language modelling",
    }
    preview = {
        "sample": text[:600],
        "top_words": most_frequent(words),
        "top_characters": [[visible(c), n] for c, n in most_frequent(text)],
    }
    return Prepared("text", {"text": text}, summary, preview)
