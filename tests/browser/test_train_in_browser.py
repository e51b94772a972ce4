"""A person builds a model in the page, trains it and watches it learn."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_started_run, screenshot, train_from_page

pytestmark = [pytest.mark.stack, pytest.mark.browser]

POINTS = "document.getElementById('loss-chart').data?.[0].x.length ?? 0"


def test_a_person_trains_a_model_and_watches_the_loss_curve_grow(stack, page_of):
    page = page_of()
    page.goto(stack.url + "/")
    expect(page.locator("#recent")).to_be_visible()
    page.select_option("#cell", "lstm")
    page.fill("#hidden", "16")
    page.fill("#steps", "2500")
    page.fill("#option-length", "20")
    page.fill("#name", "LSTM remembers")
    page.click("#train")
    open_started_run(page)
    expect(page.locator("#run-title")).to_have_text("LSTM remembers")
    # The chart gains points live, and the progress bar moves with it.
    page.wait_for_function(f"{POINTS} > 0", timeout=60_000)
    seen = page.evaluate(POINTS)
    page.wait_for_function(f"{POINTS} > {seen}", timeout=60_000)
    expect(page.locator("#progress-text")).to_contain_text("of 2500")
    screenshot(page, "run-page-live")

    expect(page.locator("#status")).to_have_text("completed", timeout=180_000)
    expect(page.locator("#progress-text")).to_have_text("step 2500 of 2500")
    expect(page.locator("#result-card")).to_be_visible()
    expect(page.locator("#cancel")).to_be_hidden()
    total = page.evaluate(POINTS)
    assert total >= 100
    screenshot(page, "run-page-completed")

    # Reloading shows the whole history again.
    page.reload()
    expect(page.locator("#status")).to_have_text("completed")
    page.wait_for_function(f"{POINTS} === {total}")

    # Someone else opening the link sees the same run, and no Cancel button.
    viewer = page_of(390, 844)
    viewer.goto(page.url)
    expect(viewer.locator("#status")).to_have_text("completed")
    viewer.wait_for_function(f"{POINTS} === {total}")
    assert viewer.locator("#cancel").count() == 0
    screenshot(viewer, "run-page-phone")
    assert page.errors == [] and viewer.errors == []


def test_the_owner_cancels_from_the_page_and_a_watcher_sees_it(stack, page_of):
    page = page_of()
    train_from_page(page, stack.url, fills={"steps": "20000"})
    page.wait_for_function(f"{POINTS} > 0", timeout=60_000)

    watcher = page_of()
    watcher.goto(page.url)  # joins mid-run: history first, then live
    expect(watcher.locator("#status")).to_have_text("running")

    page.click("#cancel")
    expect(page.locator("#status")).to_have_text("cancelled", timeout=30_000)
    expect(watcher.locator("#status")).to_have_text("cancelled", timeout=30_000)
    expect(page.locator("#cancel")).to_be_hidden()
    assert page.errors == [] and watcher.errors == []


def test_a_bad_setting_is_explained_on_the_build_page(stack, page_of):
    page = page_of()
    page.goto(stack.url + "/")
    page.fill("#layers", "0")
    # Said next to the field in plain words, and Train waits until it is fixed.
    expect(page.locator('.field[data-path="model.layers"] .field-error')).to_have_text("At least 1")
    expect(page.locator("#form-error")).to_contain_text("Layers: At least 1")
    expect(page.locator("#layers")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#train")).to_be_disabled()
    assert page.url.split("#")[0] == stack.url + "/"  # still building: no run was made
    screenshot(page, "build-page-error")
    page.fill("#layers", "1")
    expect(page.locator("#train")).to_be_enabled()
    assert page.errors == []
