"""Asking a trained model why, on its run page: a different input (adding rows, a sentence,
a string to reverse), interventions with their before and after and the difference they make
inside, one step's arithmetic whose numbers recombine, and the weights of an earlier step
chosen on a slider that the loss curve marks."""

import math
import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, screenshot
from tests.conftest import Browserless

pytestmark = [pytest.mark.stack, pytest.mark.browser]

# The web process loads a model on its first look: on a busy machine, seconds.
ANSWERED = 30_000
HEATMAP_Z = "JSON.stringify(document.getElementById('probe-heatmap').data?.[0].z ?? null)"
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"

SPECS = {
    # Long enough to keep two snapshots (one every few seconds), then cancelled.
    "adding": {
        "dataset": "adding",
        "dataset_options": {"length": 10},
        "paradigm": "many-to-one",
        "model": {"cell": "lstm", "hidden": 8},
        "training": {"steps": 20000, "batch_size": 16},
    },
    "sentiment": {
        "dataset": "sentiment",
        "model": {"cell": "gru", "hidden": 16},
        "training": {"steps": 150},
    },
    "reverse": {
        "dataset": "reverse",
        "paradigm": "seq2seq",
        "model": {"cell": "gru", "hidden": 16},
        "training": {"steps": 150},
    },
    "transformer": {
        "dataset": "reverse",
        "paradigm": "seq2seq",
        "model": {"cell": "transformer", "hidden": 16, "heads": 2},
        "training": {"steps": 100},
    },
}


@pytest.fixture(scope="module")
def runs(stack):
    """The three runs, queued at once (one worker trains them in turn); each test waits
    for its own with `ready`."""
    client = Browserless(stack.url)
    ids = {}
    for name, spec in SPECS.items():
        status, created = client.post("/api/runs", spec)
        assert status == 201, created
        ids[name] = created["id"]
    return {"client": client, "ids": ids, "ready": set()}


def ready(runs, name) -> str:
    client, run_id = runs["client"], runs["ids"][name]
    if run_id in runs["ready"]:
        return run_id
    runs["ready"].add(run_id)
    if name != "adding":
        finished = client.wait_for_status(run_id, {"completed", "failed", "diverged"})
        assert finished["status"] == "completed", finished["error"]
        return run_id
    deadline = time.monotonic() + 90
    while len(client.get(f"/api/runs/{run_id}/checkpoints")[1]["steps"]) < 2:
        assert time.monotonic() < deadline, "the run kept fewer than two snapshots"
        time.sleep(0.3)
    client.post(f"/api/runs/{run_id}/cancel")
    client.wait_for_status(run_id, {"cancelled"})
    return run_id


def opened(stack, page_of, run_id, size=(1440, 900)):
    page = page_of(*size)
    page.goto(f"{stack.url}/runs/{run_id}/")
    expect(page.locator("#ask-card")).to_be_visible(timeout=ANSWERED)
    page.wait_for_function("document.getElementById('probe-heatmap').data?.[0].z.length > 0")
    return page


def card_shot(page, name: str) -> None:
    """The panel alone, to look at closely beside the whole page."""
    page.locator("#ask-card").screenshot(path=str(ARTIFACTS / f"{name}-card.png"))


def only_refusals(errors) -> bool:
    """The browser logs each 4xx answer as a console error: the refusals the test asked
    for, and nothing else."""
    assert errors and all("status of 422" in e for e in errors), errors
    return True


def number(page, block, term) -> float:
    """A number of one step's arithmetic as the page writes it."""
    return float(block.locator(f"[data-term='{term}']").first.inner_text().replace("−", "-"))


def test_a_training_run_is_asked_once_it_keeps_weights(stack, page_of, runs):
    page = page_of()
    page.goto(f"{stack.url}/runs/{runs['ids']['adding']}/")
    # A snapshot is kept every few seconds while it trains.
    expect(page.locator("#ask-card")).to_be_visible(timeout=60_000)
    expect(page.locator("#status")).to_have_text("running")
    page.click("#ask-go")
    expect(page.locator("#ask-output")).to_contain_text("the model answers", timeout=ANSWERED)
    assert page.errors == []


def test_adding_what_if_an_intervention_and_one_steps_arithmetic(stack, page_of, runs):
    page = opened(stack, page_of, ready(runs, "adding"))
    marked = page.locator("#ask-sequence li.marked")
    expect(marked).to_have_count(2)
    first = int(marked.first.get_attribute("data-step"))
    second_value = float(marked.nth(1).locator("input").input_value())
    page.click("#ask-go")
    expect(page.locator("#ask-output")).to_contain_text("the model answers", timeout=ANSWERED)
    expect(page.locator("#probe-step-label")).to_contain_text("your question")
    plain_answer = page.locator("#ask-output").inner_text()
    plain_inside = page.evaluate(HEATMAP_Z)

    # A different value under the first mark: a new answer, and the panels drawn for it.
    marked.first.locator("input").fill("0.9")
    page.click("#ask-go")
    expect(page.locator("#ask-output")).to_contain_text(
        f"add up to {0.9 + second_value:.3f}", timeout=ANSWERED
    )
    assert page.locator("#ask-output").inner_text() != plain_answer
    assert page.evaluate(HEATMAP_Z) != plain_inside

    # One step's arithmetic: c = f·c_prev + i·g with the page's own numbers.
    page.fill("#explain-t", "5")
    page.fill("#explain-units", "0, 3")
    page.click("#explain-go")
    blocks = page.locator("#ask-explain .explained")
    expect(blocks).to_have_count(2, timeout=ANSWERED)
    unit = blocks.first
    expect(unit.locator("h4")).to_have_text("Unit 0 at step 5 (layer 0)")
    f, c_prev, i, g, c = (number(page, unit, t) for t in ("f", "c_prev", "i", "g", "c"))
    assert abs(f * c_prev + i * g - c) < 0.005, (f, c_prev, i, g, c)
    o, h = number(page, unit, "o"), number(page, unit, "h")
    assert abs(o * math.tanh(c) - h) < 0.005
    for term in ("x_term.f", "h_term.f", "bias.f", "pre.f", "h_prev"):
        expect(unit.locator(f"[data-term='{term}']")).to_have_count(1)
    expect(unit.locator("ol.equations")).to_contain_text("c_t = f⊙c_{t−1} + i⊙g = ")

    # Forget everything after the first mark: the answer changes, and the change spreads
    # from the step after the mark to the end.
    page.select_option("#change-kind", "clamp")
    page.select_option("#change-gate", "forget")
    page.fill("#change-value", "0")
    page.fill("#change-steps", f"{first + 1}-9")
    page.click("#change-add")
    expect(page.locator("#change-list li")).to_have_count(1)
    expect(page.locator("#change-list li")).to_contain_text("hold the forget gate at 0")
    expect(page.locator("#ask-before")).to_be_visible(timeout=ANSWERED)
    expect(page.locator("#ask-difference-summary")).to_contain_text(
        f"starts at step {first + 1}", timeout=ANSWERED
    )
    assert page.locator("#ask-before").inner_text() != page.locator("#ask-output").inner_text()
    assert page.evaluate("document.getElementById('ask-difference').data[0].z.length") > 0
    # The arithmetic follows the intervention: the forget gate held at 0 after the mark
    # (the first mark is in the first half, as in training).
    assert first < 5
    expect(blocks.first.locator("[data-term='f']")).to_have_text("0.000")
    expect(blocks.first.locator("ol.equations")).to_contain_text("held at 0.000")

    # A bad intervention is answered beside the form, in the server's words.
    page.fill("#change-steps", "12")
    page.click("#change-add")
    expect(page.locator("#change-error")).to_contain_text(
        "Intervention 2, steps: step 12 is not in this input", timeout=ANSWERED
    )
    page.locator("#ask-card").scroll_into_view_if_needed()
    screenshot(page, "ask-adding-1440")
    card_shot(page, "ask-adding-1440")
    page.locator("#change-list button").nth(1).click()  # take the bad one out again
    expect(page.locator("#change-error")).to_be_hidden(timeout=ANSWERED)

    # A click on a cell of the heatmap asks for that step and unit's arithmetic.
    page.locator("#probe-heatmap .nsewdrag").click()
    expect(blocks).to_have_count(1, timeout=ANSWERED)
    t = page.locator("#explain-t").input_value()
    unit_number = page.locator("#explain-units").input_value()
    expect(blocks.first.locator("h4")).to_have_text(f"Unit {unit_number} at step {t} (layer 0)")

    page.click("#ask-back")
    expect(page.locator("#ask-answer")).to_be_hidden()
    expect(page.locator("#probe-step-label")).not_to_contain_text("your question")
    expect(page.locator("#change-list li")).to_have_count(0)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert only_refusals(page.errors)


def test_the_snapshot_slider_moves_the_weights_and_the_loss_cursor(stack, page_of, runs):
    run_id = ready(runs, "adding")
    steps = runs["client"].get(f"/api/runs/{run_id}/checkpoints")[1]["steps"]
    page = opened(stack, page_of, run_id, (390, 844))
    total = SPECS["adding"]["training"]["steps"]
    expect(page.locator("#ask-step-label")).to_have_text(
        f"step {steps[-1]} of {total} (snapshot {len(steps)} of {len(steps)})"
    )
    cursor = "document.getElementById('loss-chart').layout?.shapes?.[0]?.x0"
    page.wait_for_function(f"{cursor} === {steps[-1]}")
    page.click("#ask-go")
    expect(page.locator("#ask-answer")).to_contain_text(
        f"Weights from step {steps[-1]}", timeout=ANSWERED
    )
    late = page.locator("#ask-output").inner_text()

    page.locator("#ask-step").fill("0")
    expect(page.locator("#ask-step-label")).to_contain_text(f"step {steps[0]} of {total}")
    expect(page.locator("#ask-answer")).to_contain_text(
        f"Weights from step {steps[0]}", timeout=ANSWERED
    )
    assert page.evaluate(cursor) == steps[0]
    expect(page.locator("#probe-step-label")).to_contain_text(f"as it was at step {steps[0]}")
    assert page.locator("#ask-output").inner_text() != late
    page.locator("#ask-card").scroll_into_view_if_needed()
    screenshot(page, "ask-slider-390")
    card_shot(page, "ask-slider-390")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert page.errors == []


def test_a_typed_sentence_redraws_the_inside_and_an_unknown_word_is_named(stack, page_of, runs):
    page = opened(stack, page_of, ready(runs, "sentiment"))
    expect(page.locator("#ask-input")).not_to_have_value("")  # the probe sentence
    page.fill("#ask-input", "the film was not bad")  # looked at once typing pauses
    expect(page.locator("#ask-output")).to_contain_text("% sure", timeout=ANSWERED)
    words = page.evaluate("document.getElementById('probe-heatmap').data[0].x")
    assert words[-2:] == ["3: not", "4: bad"], words
    page.fill("#ask-input", "the film was zorblax")
    expect(page.locator("#ask-error")).to_contain_text(
        "'zorblax' is not in this model's vocabulary", timeout=ANSWERED
    )
    expect(page.locator("#ask-answer")).to_be_hidden()  # no answer left over from before
    screenshot(page, "ask-sentiment-unknown-1440")
    card_shot(page, "ask-sentiment-unknown-1440")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert only_refusals(page.errors)


def test_reversing_a_typed_string_and_interventions_refused_with_a_reason(stack, page_of, runs):
    page = opened(stack, page_of, ready(runs, "reverse"))
    page.fill("#ask-input", "1234")
    page.click("#ask-go")
    expect(page.locator("#ask-output")).to_contain_text("right would be 4321", timeout=ANSWERED)
    expect(page.locator("#ask-output")).to_contain_text(re.compile(r"the model writes \S+"))
    page.select_option("#change-kind", "clamp")
    page.click("#change-add")
    expect(page.locator("#change-error")).to_contain_text(
        "interventions work on recurrent readers and transformers", timeout=ANSWERED
    )
    screenshot(page, "ask-reverse-1440")
    card_shot(page, "ask-reverse-1440")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert only_refusals(page.errors)


def test_silencing_a_transformers_head_shows_the_answer_before_and_after(stack, page_of, runs):
    page = opened(stack, page_of, ready(runs, "transformer"))
    expect(page.locator("#change-kind option")).to_have_text(["Silence an attention head"])
    expect(page.locator("#change-gate")).to_be_hidden()
    page.select_option("#change-attention", "cross")
    page.fill("#change-head", "1")
    page.click("#change-add")
    expect(page.locator("#change-list li")).to_contain_text("silence head 1 of the cross attention")
    expect(page.locator("#ask-before")).to_contain_text("the model writes", timeout=ANSWERED)
    expect(page.locator("#ask-output")).to_contain_text("the model writes")
    # A head the model does not have: the server's sentence beside the form.
    page.fill("#change-head", "2")
    page.click("#change-add")
    expect(page.locator("#change-error")).to_contain_text(
        "Intervention 2, head: this model has 2 heads", timeout=ANSWERED
    )
    card_shot(page, "ask-transformer-1440")
    assert only_refusals(page.errors)
