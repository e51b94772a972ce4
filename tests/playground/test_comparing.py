"""The compare page's words: run names in legends, "same data" only when true, the loss of
guessing, where a waiting run stands in the queue, each run's steps per second, and how far
a parallel cell's scan lies from its step-by-step loop."""

import math
import re

import pytest

from playground.runs import events, lifecycle
from playground.runs.comparing import agreement, compared
from playground.runs.models import Run
from playground.runs.queue_place import queue_place
from sequences.estimate import run_cost
from sequences.spec import parse_spec
from sequences.train import train
from tests.sequences.helpers import Recorder


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


def trained(cell: str) -> Run:
    """A small run trained for real, stored as a worker stores it: its looks inside as they
    come, then its result with `done`."""
    run = create(model={"cell": cell, "hidden": 8}, training={"steps": 20})
    recorder = Recorder()
    outcome = train(parse_spec(run.spec), reporter=recorder, probes=True, device="cpu")
    for probe in recorder.probes:
        events.record(run.id, "probe", probe)
    lifecycle.take(run.id)
    lifecycle.finish(run.id, outcome)
    return Run.objects.get(id=run.id)


def scan_line(page: str, run: Run) -> str | None:
    """The words of a run's scan line, tags left out; None where the page has none."""
    found = re.search(rf'<li data-scan="{run.id}">(.*?)</li>', page, re.S)
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split()) if found else None


@pytest.mark.django_db
def test_each_run_shows_its_steps_per_second_and_a_parallel_one_how_far_its_scan_lies(client):
    gru, mingru = trained("gru"), trained("mingru")
    page = client.get(f"/compare/?runs={gru.id},{mingru.id}").content.decode()
    for run in (gru, mingru):
        assert f'<td class="speed">{run.result["steps_per_second"]}</td>' in page
    newest = events.newest(mingru.id, "probe")
    largest = newest["scan_agreement"]["largest_difference"]
    print(f"minGRU: {mingru.result['steps_per_second']} steps/s, scan and loop {largest}")
    assert newest["step"] == 20 and largest < 1e-5
    assert scan_line(page, mingru) == (
        f"{mingru.title}: parallel scan and step-by-step loop agree {agreement(largest)} "
        "(look inside at step 20)"
    )
    assert 'id="compare-scan"' in page and scan_line(page, gru) is None


@pytest.mark.django_db
def test_a_parallel_run_with_no_look_inside_yet_has_its_line_hidden_until_one(client):
    fused, queued = create(), create(model={"cell": "mingru", "hidden": 8})
    context = compared([fused, queued])
    assert context["scan"] and context["runs"][1]["scan_agreement"] is None
    assert context["runs"][1]["parallel"] and not context["runs"][0]["parallel"]
    page = client.get(f"/compare/?runs={fused.id},{queued.id}").content.decode()
    assert f'<li data-scan="{queued.id}" hidden>' in page


@pytest.mark.django_db
def test_a_page_without_a_parallel_run_says_nothing_of_scans(client):
    runs = [create(), create(model={"cell": "lstm"})]
    assert compared(runs)["scan"] == ""
    page = client.get(f"/compare/?runs={runs[0].id},{runs[1].id}").content.decode()
    assert "compare-scan" not in page and "parallel scan" not in page
    assert '<td class="speed"></td>' in page  # not trained yet: nothing to show


@pytest.mark.parametrize(
    "largest, printed",
    [
        (2.384185791015625e-07, "to 2.4e-7"),
        (0.0, "exactly"),
        (1.5e-10, "to 1.5e-10"),
        (3.0, "to 3.0e+0"),
    ],
)
def test_the_agreement_prints_as_the_pages_javascript_does(largest, printed):
    """As (2.384e-7).toExponential(1) writes it, "2.4e-7": the page's live updates and its
    first paint print it alike."""
    assert agreement(largest) == printed
