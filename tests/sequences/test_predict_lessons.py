"""Trying models of the lesson tasks (adding, copy, reverse), and typed text that the
model partly does not know: every typed token is answered for, none silently dropped.
The models here are freshly built (untrained): the contract is the point, not the skill."""

import pytest
import torch

from sequences.datasets import CATALOG
from sequences.models import build_model
from sequences.predict import PredictError, PredictRequest, answer, try_kind
from sequences.tasks import make_task
from tests.sequences.helpers import small


def model_of(dataset, **kwargs):
    spec = small(dataset, **kwargs)
    task = make_task(spec)
    torch.manual_seed(0)
    return task, build_model(spec, task.signature).eval()


def ask(task, model, **body):
    return answer(task, model, PredictRequest.model_validate(body))


@pytest.mark.parametrize(
    ("dataset", "kind"), [("adding", "add"), ("copy", "sequence"), ("reverse", "sequence")]
)
def test_the_lesson_tasks_can_be_tried(dataset, kind):
    assert try_kind(CATALOG[dataset]) == kind


def marked_rows(length, values, first, second):
    return [[values[t], 1.0 if t in (first, second) else 0.0] for t in range(length)]


def test_adding_answers_with_the_true_sum_beside_the_models():
    task, model = model_of("adding", options={"length": 10})
    values = [0.1 * t for t in range(10)]
    got = ask(task, model, input=marked_rows(10, values, 2, 7))
    assert isinstance(got["output"], float)
    assert got["expected"] == pytest.approx(0.2 + 0.7)
    assert got["marked"] == [2, 7] and got["as_trained"] is True
    # Both marks in one half: answered, and said to be unlike training.
    assert ask(task, model, input=marked_rows(10, values, 1, 2))["as_trained"] is False


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"input": [[0.5, 1.0]] * 3}, "give 10 rows"),
        ({"input": [[0.5, 2.0]] * 10}, "marker 0 or 1"),
        ({"input": [[0.5]] * 10}, "give 10 rows"),
        ({"input": "0.5 0.2"}, "give 10 rows"),
        ({}, "give 10 rows"),
    ],
)
def test_adding_refuses_what_the_model_cannot_read(body, said):
    task, model = model_of("adding", options={"length": 10})
    with pytest.raises(PredictError, match=said):
        ask(task, model, **body)


@pytest.mark.parametrize("dataset", ["copy", "reverse"])
def test_copy_and_reverse_write_back_a_typed_string(dataset):
    task, model = model_of(dataset)
    got = ask(task, model, input="0123")
    assert got["read"] == "0123" and got["symbols"] == 4
    assert got["expected"] == ("3210" if dataset == "reverse" else "0123")
    assert len(got["output"]) == 4 and set(got["output"]) <= set("0123456789?")
    assert 0 <= got["correct"] <= 4


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("01x3", "'x' is not among this model's symbols (0 to 9)"),
        ("ab", "'a', 'b' are not among"),
        ("0" * 13, "1 to 12 symbols"),
        ("   ", "type a string of symbols"),
    ],
)
def test_copy_names_every_symbol_it_cannot_read(typed, said):
    task, model = model_of("copy")
    with pytest.raises(PredictError) as refused:
        ask(task, model, input=typed)
    assert said in str(refused.value)


def test_a_language_model_keeps_the_characters_it_does_not_know():
    task, model = model_of("stories")
    typed = "Once upon a time"
    unknown = [c for c in dict.fromkeys(typed) if c not in task.vocab]
    assert unknown, "the test needs a character outside the stories' vocabulary"
    got = ask(task, model, input=typed, length=5)
    assert got["prompt"] == typed  # shown in full, not "nce upon a time"
    assert "".join(t["text"] for t in got["tokens"]) == typed
    assert got["unknown"] == unknown
    assert [t["known"] for t in got["tokens"]] == [c not in unknown for c in typed]


def test_a_classifier_that_read_only_unknown_words_says_so():
    task, model = model_of("sentiment")
    got = ask(task, model, input="Zorblax quimble frabjous")
    assert got["known_words"] == 0
    assert got["unknown"] == ["zorblax", "quimble", "frabjous"]
    assert all(not t["known"] for t in got["tokens"])
    assert "read only <unk>" in got["caution"]
    known = ask(task, model, input="the film was not bad")
    assert known["caution"] is None and known["unknown"] == []
    assert known["known_words"] == 5


def test_a_classifier_refuses_a_sentence_without_words():
    task, model = model_of("sentiment")
    with pytest.raises(PredictError, match="with words"):
        ask(task, model, input="?!")
