"""The compare page's words: run names in legends, "same data" only when true, the loss of
guessing, and where a waiting run stands in the queue."""

import math

import pytest

from playground.runs import lifecycle
from playground.runs.comparing import compared
from playground.runs.models import Run
from playground.runs.queue_place import queue_place
from sequences.estimate import run_cost
from sequences.spec import parse_spec


def create(owner: str = "me", **spec):
    parsed = parse_spec({"model": {"cell": "gru", "hidden": 8}, **spec})
    return lifecycle.create(parsed, owner, cost=run_cost(parsed))


@pytest.fixture
def one_ahead(settings):
    settings.RUN_QUEUE_AHEAD = 1


@pytest.mark.django_db
def test_two_runs_of_the_same_cell_are_told_apart_by_their_place():
    runs = [create(), create(), create(name="Mine")]
    labels = [r["label"] for r in compared(runs)["runs"]]
    assert labels == ["GRU on adding (run 1)", "GRU on adding (run 2)", "Mine"]


@pytest.mark.django_db
def test_runs_on_the_same_data_and_seed_say_so_and_draw_the_guessing_line():
    page = compared([create(), create(model={"cell": "lstm"})])
    assert page["same_data"] is True
    assert page["baseline"]["loss"] == 0.167 and page["guessing"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "other",
    [
        {"dataset": "sine"},
        {"dataset_options": {"length": 20}},
        {"training": {"seed": 1}},
    ],
    ids=["dataset", "options", "seed"],
)
def test_runs_on_other_data_or_seeds_do_not_claim_the_same_data(other):
    page = compared([create(), create(**other)])
    assert page["same_data"] is False and page["baseline"] is None


@pytest.mark.django_db
def test_a_classifier_guesses_one_class_in_n():
    page = compared([create(dataset="sentiment"), create(dataset="sentiment")])
    assert page["baseline"]["loss"] == round(math.log(2), 3)


@pytest.mark.django_db
def test_a_forecast_without_a_stated_baseline_draws_none():
    assert compared([create(dataset="sine")])["baseline"] is None


@pytest.mark.django_db
def test_a_page_opened_from_a_lesson_reads_it_and_an_unknown_one_is_ignored():
    runs = [create()]
    assert compared(runs, "vanishing-gradients")["lesson"]["look"]
    assert compared(runs, "<script>")["lesson"] is None


@pytest.mark.django_db
def test_a_waiting_run_knows_how_many_go_before_it(one_ahead):
    first, second, third = create("a"), create("a"), create("b")
    # "b"'s first run goes before "a"'s second: its round is lower.
    assert queue_place(Run.objects.get(id=third.id)) == {"ahead": 1, "training": 0}
    assert queue_place(Run.objects.get(id=second.id)) == {"ahead": 2, "training": 0}
    assert queue_place(Run.objects.get(id=first.id)) == {"ahead": 0, "training": 0}
    lifecycle.take(first.id)
    assert queue_place(Run.objects.get(id=first.id)) is None
    assert queue_place(Run.objects.get(id=second.id)) == {"ahead": 1, "training": 1}


@pytest.mark.django_db
def test_the_api_says_where_a_queued_run_stands_and_nothing_once_it_runs(client, one_ahead):
    first, second = create("a"), create("a")
    body = client.get(f"/api/runs/{second.id}").json()
    assert body["status"] == "queued" and body["queue"] == {"ahead": 1, "training": 0}
    lifecycle.take(first.id)
    assert "queue" not in client.get(f"/api/runs/{first.id}").json()
