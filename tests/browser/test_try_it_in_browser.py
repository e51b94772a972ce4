"""Try it on the lesson tasks and on text the model partly does not know: add two marked
numbers (typed, dragged or moved by keyboard), reverse a typed string, write on from a
prompt with characters outside the vocabulary, and classify a sentence of unknown words."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, screenshot
from tests.conftest import tiny_spec

pytestmark = [pytest.mark.stack, pytest.mark.browser]

# The web process loads the model on the first question: on a busy machine, seconds.
ANSWERED = 30_000


def card_shot(page, name: str) -> None:
    """The Try it card alone, to look at closely beside the whole page."""
    page.locator("#try-card").screenshot(path=str(ARTIFACTS / f"{name}-card.png"))


def tried(stack, live, page_of, spec, size=(1440, 900)):
    status, created = live.post("/api/runs", spec)
    assert status == 201, created
    live.wait_for_status(created["id"], {"completed"})
    page = page_of(*size)
    page.goto(f"{stack.url}/runs/{created['id']}/")
    expect(page.locator("#try-card")).to_be_visible()
    return page


@pytest.mark.parametrize("size", [(1440, 900), (390, 844)])
def test_adding_two_marked_numbers_typed_dragged_and_moved_by_keyboard(stack, live, page_of, size):
    page = tried(stack, live, page_of, tiny_spec(), size)  # adding, 10 numbers
    steps = page.locator("#try-sequence li")
    expect(steps).to_have_count(10)
    marked = page.locator("#try-sequence li.marked input")
    expect(marked).to_have_count(2)
    marked.nth(0).fill("0.5")
    marked.nth(1).fill("0.25")
    page.click("#try-go")
    expect(page.locator("#try-output")).to_contain_text(
        "the marked numbers add up to 0.750", timeout=ANSWERED
    )
    expect(page.locator("#try-output")).to_contain_text("The model says")
    # Drag the first mark onto another number of the first half.
    first = int(page.locator("#try-sequence li.marked").first.get_attribute("data-step"))
    target = 0 if first != 0 else 1
    page.drag_and_drop(
        f"#try-sequence li[data-step='{first}']", f"#try-sequence li[data-step='{target}']"
    )
    expect(page.locator(f"#try-sequence li[data-step='{target}']")).to_have_class("marked")
    expect(page.locator(f"#try-sequence li[data-step='{first}']")).not_to_have_class("marked")
    # The keyboard moves a mark too: Alt+Right on the second marked box.
    second = int(page.locator("#try-sequence li.marked").nth(1).get_attribute("data-step"))
    page.locator("#try-sequence li.marked input").nth(1).press(
        "Alt+ArrowRight" if second < 9 else "Alt+ArrowLeft"
    )
    moved = second + 1 if second < 9 else second - 1
    expect(page.locator(f"#try-sequence li[data-step='{moved}']")).to_have_class("marked")
    assert page.evaluate("document.activeElement.closest('li').dataset.step") == str(moved)
    # The moved marks point at other numbers: give them new values and ask again.
    marked.nth(0).fill("0.125")
    marked.nth(1).fill("0.25")
    page.click("#try-go")
    expect(page.locator("#try-output")).to_contain_text("add up to 0.375", timeout=ANSWERED)
    page.locator("#try-card").scroll_into_view_if_needed()
    screenshot(page, f"try-adding-{size[0]}")
    card_shot(page, f"try-adding-{size[0]}")
    assert page.errors == []


def test_reversing_a_typed_string_marks_what_the_model_cannot_read(stack, live, page_of):
    spec = {"dataset": "reverse", "model": {"cell": "gru", "hidden": 16}, "training": {"steps": 30}}
    page = tried(stack, live, page_of, spec)
    expect(page.locator("#try-alphabet")).to_have_text("0 to 9")
    page.fill("#try-input", "12x")
    expect(page.locator("#try-typed mark.unknown")).to_have_text("x")
    expect(page.locator("#try-typed")).to_contain_text("not among its symbols: x")
    expect(page.locator("#try-go")).to_be_disabled()
    page.fill("#try-input", "1234")
    expect(page.locator("#try-go")).to_be_enabled()
    page.click("#try-go")
    expect(page.locator("#try-output")).to_contain_text("right: 4321", timeout=ANSWERED)
    expect(page.locator("#try-output")).to_contain_text("of 4 symbols right")
    page.locator("#try-card").scroll_into_view_if_needed()
    screenshot(page, "try-reverse-1440")
    card_shot(page, "try-reverse-1440")
    assert page.errors == []


def test_a_prompt_keeps_the_characters_the_model_does_not_know(stack, live, page_of):
    spec = {"dataset": "stories", "model": {"cell": "gru", "hidden": 16}, "training": {"steps": 20}}
    page = tried(stack, live, page_of, spec)
    page.fill("#try-input", "Once upon a time")
    page.click("#try-go")
    prompt = page.locator("#try-output strong")
    expect(prompt).to_have_text("Once upon a time", timeout=ANSWERED)  # never "nce upon a time"
    expect(prompt.locator("mark.unknown").first).to_have_text("O")
    expect(page.locator("#try-caution")).to_contain_text('"O"')
    card_shot(page, "try-write-unknown-1440")
    assert page.errors == []


@pytest.mark.parametrize("size", [(1440, 900), (390, 844)])
def test_a_classifier_that_read_only_unknown_words_claims_no_certainty(stack, live, page_of, size):
    spec = {
        "dataset": "sentiment",
        "model": {"cell": "gru", "hidden": 16},
        "training": {"steps": 30},
    }
    page = tried(stack, live, page_of, spec, size)
    page.fill("#try-input", "Zorblax quimble frabjous")
    page.click("#try-go")
    expect(page.locator("#try-output")).to_contain_text("No real answer", timeout=ANSWERED)
    expect(page.locator("#try-output")).not_to_contain_text("% sure")
    expect(page.locator("#try-caution")).to_contain_text("read only <unk>")
    expect(page.locator("#try-output mark.unknown")).to_have_count(3)
    page.locator("#try-card").scroll_into_view_if_needed()
    screenshot(page, f"try-classify-unknown-{size[0]}")
    card_shot(page, f"try-classify-unknown-{size[0]}")
    page.fill("#try-input", "the film was not bad")
    page.click("#try-go")
    expect(page.locator("#try-output")).to_contain_text("% sure", timeout=ANSWERED)
    expect(page.locator("#try-caution")).to_be_hidden()
    assert page.errors == []
