"""Comparing runs: a lesson from the gallery trains its runs and opens them side by side;
any run trains its setup with every cell and compares them."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, train_from_page

pytestmark = [pytest.mark.stack, pytest.mark.browser]


def test_a_lesson_trains_both_runs_and_compares_them(stack, page_of):
    page = page_of()
    page.goto(stack.url + "/")
    expect(page.locator(".preset h3").first).to_have_text("Vanishing gradients")
    page.click('[data-preset="order-matters"]')
    page.wait_for_url("**/compare/?runs=*")
    rows = page.locator("#compare-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Bag of words")
    expect(rows.nth(1)).to_contain_text("LSTM reads in order")
    for i in range(2):
        expect(rows.nth(i).locator(".state")).to_have_text("completed", timeout=180_000)
    # Two runs' training and validation curves, and the line of guessing (ln 2).
    page.wait_for_function("document.getElementById('compare-loss').data?.length === 5")
    page.wait_for_function("document.querySelectorAll('#compare-maps figcaption').length === 2")
    page.wait_for_function("document.getElementById('compare-gradient').data?.length === 2")
    accuracy = [rows.nth(i).locator(".accuracy").inner_text() for i in range(2)]
    bow, lstm = (float(a.rstrip(" %")) for a in accuracy)
    print(f"bag of words {bow} %, lstm {lstm} %")
    assert lstm > bow  # the lesson shows
    screenshot(page, "compare-page")
    assert page.errors == []


def test_a_run_trains_with_every_cell_and_opens_the_comparison(stack, page_of):
    page = page_of()
    train_from_page(
        page, stack.url, selects={"dataset": "sine"}, fills={"steps": "40", "hidden": "16"}
    )
    expect(page.locator("#status")).to_have_text("completed", timeout=60_000)
    page.click("#every-cell")
    page.wait_for_url("**/compare/?runs=*")
    rows = page.locator("#compare-table tbody tr")
    expect(rows).to_have_count(4)
    cells = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(4)]
    assert cells == ["LSTM", "Vanilla RNN", "GRU", "Transformer"]
    for i in range(4):
        expect(rows.nth(i).locator(".state")).to_have_text("completed", timeout=120_000)
    page.wait_for_function("document.getElementById('compare-loss').data?.length === 8")
    assert page.errors == []


def test_a_person_ticks_recent_runs_and_compares_them(stack, page_of):
    page = page_of()
    for cell in ("rnn", "gru"):
        train_from_page(
            page, stack.url, selects={"cell": cell}, fills={"steps": "20", "hidden": "8"}
        )
    page.goto(stack.url + "/")
    expect(page.locator("#compare-picked")).to_be_disabled()
    boxes = page.locator("input.pick")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.click("#compare-picked")
    page.wait_for_url("**/compare/?runs=*")
    cells = page.locator("#compare-table tbody td:nth-child(2)").all_inner_texts()
    assert sorted(cells) == ["GRU", "Vanilla RNN"]
    assert page.errors == []
