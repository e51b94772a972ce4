"""The build page is one screen to play on: compact controls, the diagram and the data side
by side with Train above the fold; human names; choices that cannot run greyed out with
their reason; every problem next to its control; a sample of each generated task."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, screenshot

pytestmark = [pytest.mark.stack, pytest.mark.browser]


def opened(page, url: str):
    page.goto(url)
    # The first check of a fresh server loads the model code: it may take seconds.
    expect(page.locator("#model-size")).to_contain_text("parameters", timeout=30_000)
    return page


def tab_stops_before_train(page) -> int:
    page.locator("body").focus()
    for stops in range(1, 80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "train":
            return stops
    raise AssertionError("Train is never reached by Tab")


def test_at_1440_train_is_above_the_fold_beside_the_diagram_and_the_lessons(stack, page_of):
    page = opened(page_of(1440, 900), stack.url + "/")
    train = page.locator("#train").bounding_box()
    assert train["y"] + train["height"] <= 900, train
    controls = page.locator("#build").bounding_box()
    diagram = page.locator("#diagram").bounding_box()
    lessons = page.locator("#presets").bounding_box()
    # Three columns: the controls, then the model, then the lessons, all starting on top.
    assert controls["x"] + controls["width"] <= diagram["x"] < lessons["x"]
    assert diagram["y"] < 900 and lessons["y"] < 900
    assert tab_stops_before_train(page) < 20
    screenshot(page, "one-screen-1440")
    assert page.errors == []


def test_on_a_phone_train_and_the_lessons_are_at_hand(stack, page_of):
    page = opened(page_of(390, 844), stack.url + "/")
    # Train is held at the bottom of the screen before any scrolling.
    train = page.locator("#train").bounding_box()
    assert 0 <= train["y"] and train["y"] + train["height"] <= 844, train
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1
    screenshot(page, "one-screen-390")
    # What the phone's screen shows before any scrolling (the full page hides the sticky bar).
    page.screenshot(path=str(ARTIFACTS / "one-screen-390-first-screen.png"))
    # The link scrolls to the lessons without reloading the page or losing the settings
    # that the address holds.
    expect(page.locator("#preset-list button").first).to_be_attached()
    page.fill("#hidden", "48")
    page.wait_for_function("location.hash.includes('model.hidden=48')")
    address = page.url
    page.evaluate("window.notReloaded = true")
    page.click("a.jump")
    expect(page.locator("#presets")).to_be_in_viewport()
    assert page.evaluate("window.notReloaded") is True and page.url == address
    expect(page.locator("#preset-list button").first).to_be_in_viewport()
    assert page.errors == []


def test_dropdowns_use_names_and_grey_out_what_cannot_run(stack, page_of):
    page = opened(page_of(1440, 900), stack.url + "/")
    cells = page.locator("#cell option").all_inner_texts()
    assert cells == [
        "Vanilla RNN",
        "LSTM",
        "GRU",
        "minGRU",
        "minLSTM",
        "Selective SSM (Mamba-style)",
        "Transformer",
        "Bag of words",
    ]
    assert "SGD" in page.locator("#optimizer option").all_inner_texts()
    # The adding problem is many-to-one only; bag of words needs one-to-one words.
    bow = page.locator('#cell option[value="bow"]')
    expect(bow).to_be_disabled()
    expect(bow).to_have_attribute("title", re.compile("needs a dataset of words"))
    expect(page.locator('[data-unavailable-for="cell"]')).to_contain_text("Bag of words")
    expect(page.locator('#paradigm option[value="seq2seq"]')).to_be_disabled()
    expect(page.locator("#paradigm-unavailable")).to_contain_text(
        "Adding problem serves Many to one only"
    )

    page.select_option("#dataset", "sentiment")
    page.select_option("#paradigm", "one-to-one")
    expect(bow).to_be_enabled()
    expect(page.locator('#cell option[value="rnn"]')).to_be_disabled()
    # Cells refused for the same reason share one sentence.
    expect(page.locator('[data-unavailable-for="cell"]')).to_have_text(
        "Greyed out here. Vanilla RNN, LSTM, GRU, minGRU, minLSTM, Selective SSM (Mamba-style), "
        "Transformer: One to one reads a single input, and a whole sentence as one input is a bag "
        "of its words: choose Bag of words here, or Many to one to read it word by word"
    )
    page.select_option("#cell", "bow")
    expect(page.locator("#model-size")).to_contain_text("parameters")
    expect(page.locator("#form-error")).to_be_hidden()
    screenshot(page, "one-screen-greyed-out")
    assert page.errors == []


def test_every_problem_shows_next_to_its_control_and_train_waits(stack, page_of):
    page = opened(page_of(1440, 900), stack.url + "/")
    page.fill("#hidden", "5000")
    page.fill("#layers", "0")
    hidden = page.locator('.field[data-path="model.hidden"] .field-error')
    layers = page.locator('.field[data-path="model.layers"] .field-error')
    expect(hidden).to_have_text("At most 1024")
    expect(layers).to_have_text("At least 1")
    expect(page.locator("#form-error")).to_contain_text("Hidden size: At most 1024")
    expect(page.locator("#form-error")).to_contain_text("Layers: At least 1")
    expect(page.locator("#train")).to_be_disabled()
    screenshot(page, "one-screen-problems")
    page.fill("#hidden", "32")
    expect(hidden).to_have_count(0)
    expect(page.locator("#train")).to_be_disabled()
    page.fill("#layers", "1")
    expect(page.locator("#form-error")).to_be_hidden()
    expect(page.locator("#train")).to_be_enabled()
    assert page.errors == []


def test_a_broken_link_keeps_the_default_cell_and_says_so(stack, page_of):
    page = opened(page_of(1440, 900), stack.url + "/#dataset=adding&model.cell=elman")
    expect(page.locator("#cell")).to_have_value("lstm")
    expect(page.locator("#link-notice")).to_contain_text('model.cell = "elman"')
    assert page.errors == []


@pytest.mark.parametrize(
    ("dataset", "shows"),
    [("adding", "marked"), ("copy", "s"), ("sentiment", "positive|negative"), ("wave", "")],
)
def test_each_generated_task_shows_examples_with_their_targets(stack, page_of, dataset, shows):
    page = opened(page_of(1440, 900), stack.url + "/")
    page.select_option("#dataset", dataset)
    rows = page.locator("#dataset-sample table.data-sample tr")
    expect(rows).to_have_count(5)  # a header and four examples
    if dataset == "adding":
        # Exactly two marked numbers in every sequence: the ones to add.
        for i in range(1, 5):
            expect(rows.nth(i).locator(".steps span.marked")).to_have_count(2)
        screenshot(page, "one-screen-adding-sample")
    elif dataset == "sentiment":
        assert rows.nth(1).locator("td.target").inner_text() in ("positive", "negative")
    elif dataset == "copy":
        first = rows.nth(1).locator("td")
        assert first.nth(0).inner_text() == first.nth(1).inner_text()
    else:
        expect(rows.nth(1).locator("td.target .steps span").first).to_be_visible()
    assert page.errors == []


def test_the_diagram_follows_the_settings_and_a_box_opens_its_panel(stack, page_of):
    page = opened(page_of(1440, 900), stack.url + "/")
    cells = page.locator('#diagram [data-panel="model"]')
    expect(cells).to_have_count(4)  # one layer, four steps
    page.fill("#layers", "3")
    expect(cells).to_have_count(12)
    page.fill("#hidden", "40")
    expect(page.locator("#diagram .caption")).to_contain_text("LSTM: 3 layers, 40 units")
    cells.first.click()
    expect(page.locator("#cell")).to_be_focused()
    expect(page.locator("#model-panel details.more")).to_have_attribute("open", "")
    page.locator('#diagram [data-panel="data"]').first.click()
    expect(page.locator("#dataset")).to_be_focused()
    assert page.errors == []


def test_a_workshop_quota_is_known_before_train_and_a_refusal_stays(stack, page_of, client_of):
    teacher = client_of()
    _, made = teacher.post(
        "/api/workshops",
        {"title": "Quotas", "quotas": {"concurrent_runs": 1, "max_steps": 2000}},
    )
    page = page_of(1440, 900)
    page.goto(stack.url + made["join_url"])
    page.fill("#join-name", "Ada")
    page.click("#join")
    expect(page.locator("#me")).to_have_text("Ada")
    opened(page, stack.url + "/")
    # The live check knows the workshop's step quota.
    page.fill("#steps", "2500")
    expect(page.locator('.field[data-path="training.steps"] .field-error')).to_contain_text(
        "This workshop allows at most 2,000 steps"
    )
    expect(page.locator("#train")).to_be_disabled()
    # One run at a time: the first trains, the second is refused, and the refusal stays.
    page.fill("#option-length", "400")
    page.fill("#steps", "2000")
    expect(page.locator("#train")).to_be_enabled()
    page.click("#train")
    page.wait_for_url("**/runs/*/")
    run_id = page.url.rstrip("/").split("/")[-1]
    opened(page, stack.url + "/")
    page.click("#train")
    refusal = page.locator("#train-refusal")
    expect(refusal).to_contain_text("this workshop allows 1 at a time")
    page.wait_for_load_state("networkidle")
    page.evaluate("new Promise((done) => setTimeout(done, 600))")  # past the size check
    expect(refusal).to_be_visible()
    screenshot(page, "one-screen-refusal")
    page.fill("#steps", "1900")
    expect(refusal).to_be_hidden()
    page.goto(f"{stack.url}/runs/{run_id}/")
    page.click("#cancel")
    expect(page.locator("#status")).to_have_text("cancelled", timeout=30_000)
    assert all("429" in e for e in page.errors), page.errors


def test_training_starts_in_place_and_a_second_curve_joins_the_first(stack, page_of):
    page = opened(page_of(1440, 900), stack.url + "/")
    page.fill("#hidden", "8")
    page.fill("#steps", "40")
    page.fill("#option-length", "10")
    page.click("#train")
    # The page stays; its address becomes the run's link.
    page.wait_for_url("**/runs/*/")
    first_url = page.url
    expect(page.locator("#build")).to_be_visible()
    expect(page.locator("#live-list li")).to_have_count(1)
    # Change a setting (the address holds the setup again) and train again.
    page.select_option("#cell", "rnn")
    page.wait_for_function("location.pathname === '/' && location.hash.includes('model.cell=rnn')")
    page.click("#train")
    page.wait_for_url("**/runs/*/")
    assert page.url != first_url
    items = page.locator("#live-list li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("1. LSTM on Adding problem")
    expect(items.nth(1)).to_contain_text("2. Vanilla RNN on Adding problem")
    both_drawn = (
        "(document.getElementById('live-chart').data || []).filter(t => t.x.length > 0).length"
    )
    page.wait_for_function(f"{both_drawn} === 2", timeout=120_000)
    names = page.evaluate("document.getElementById('live-chart').data.map(t => t.name)")
    assert names == ["1. LSTM on Adding problem", "2. Vanilla RNN on Adding problem"]
    # The line a model that only guesses sits on, so a flat curve reads as "learned nothing".
    guess = page.evaluate("document.getElementById('live-chart').layout.annotations[0].text")
    assert guess == "guessing (0.167)"
    expect(items.nth(1).locator(".badge")).to_have_text("completed", timeout=120_000)
    # Drawn, not only stored: each curve's path reaches the last step.
    page.wait_for_function(
        "document.querySelectorAll('#live-chart .scatterlayer .trace').length === 2"
    )
    screenshot(page, "one-screen-in-place")
    # "Your recent runs" has both at once, newest first, ready to tick and compare.
    expect(page.locator("#recent .empty")).to_have_count(0)
    recent = page.locator("#recent li")
    expect(recent).to_have_count(2)
    expect(recent.nth(0)).to_contain_text("2. Vanilla RNN on Adding problem")
    second_id = page.url.rstrip("/").split("/")[-1]
    first_id = first_url.rstrip("/").split("/")[-1]
    recent.nth(0).locator("input.pick").check()
    expect(page.locator("#compare-picked")).to_be_disabled()
    recent.nth(1).locator("input.pick").check()
    page.click("#compare-picked")
    page.wait_for_url(f"**/compare/?runs={second_id},{first_id}")
    # Back is the second run's link, which opens its own page.
    page.go_back()
    expect(page.locator("#status")).to_have_text("completed")
    assert page.url.endswith(f"/runs/{second_id}/")
    assert page.errors == []
