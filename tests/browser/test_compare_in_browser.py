"""Comparing runs: a lesson from the gallery trains its runs and opens them side by side;
any run trains its setup with every cell (in turns, when the browser's quota says wait) and
compares them; picked runs show their steps per second, and a parallel cell how far its
scan lies from its step-by-step loop."""

import json
import re

import pytest
from playwright.sync_api import expect

from playground.runs.comparing import agreement
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

    # The browser's quota lets two more runs start, then says wait (as the server does
    # when BROWSER_ACTIVE_RUNS are going): those can be compared now, the rest trained later.
    started = []

    def quota(route):
        started.append(route.request.url)
        if len(started) <= 2:
            route.continue_()
            return
        refusal = "You have 3 runs queued or training; each browser may have 3 at a time."
        route.fulfill(
            status=429, content_type="application/json", body=json.dumps({"error": refusal})
        )

    page.route("**/api/runs", quota)
    page.click("#every-cell")
    expect(page.locator("#every-cell-error")).to_contain_text(
        "each browser may have 3 at a time. 2 started; press the button again for the other 4"
    )
    expect(page.locator("#every-cell")).to_have_text("Train the other 4 cells")
    so_far = page.locator("#every-cell-error a")
    expect(so_far).to_have_text("compare the 3 runs so far")
    assert so_far.get_attribute("href").count(",") == 2
    page.unroute("**/api/runs", quota)

    page.click("#every-cell")
    page.wait_for_url("**/compare/?runs=*")
    rows = page.locator("#compare-table tbody tr")
    expect(rows).to_have_count(7)
    cells = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(7)]
    assert cells == [
        "LSTM",
        "Vanilla RNN",
        "GRU",
        "minGRU",
        "minLSTM",
        "Selective SSM (Mamba-style)",
        "Transformer",
    ]
    for i in range(7):
        expect(rows.nth(i).locator(".state")).to_have_text("completed", timeout=120_000)
    page.wait_for_function("document.getElementById('compare-loss').data?.length === 14")
    # The browser logs the refused request itself; nothing else went wrong.
    assert [e for e in page.errors if "status of 429" not in e] == []


def test_a_person_ticks_recent_runs_and_compares_them(stack, page_of):
    page = page_of()
    for cell in ("gru", "mingru"):
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
    rows = page.locator("#compare-table tbody tr")
    cells = rows.locator("td:nth-child(2)").all_inner_texts()
    assert sorted(cells) == ["GRU", "minGRU"]
    # Each run's steps per second, once done (as its result says: no "≈" of a live estimate).
    for i in range(2):
        expect(rows.nth(i).locator(".state")).to_have_text("completed", timeout=60_000)
        expect(rows.nth(i).locator(".speed")).to_have_text(re.compile(r"^\d+(\.\d+)?$"))
    # One scan line, the minGRU's, from its newest look inside (at its last step), printed as
    # the server prints it.
    line = page.locator("#compare-scan li")
    expect(line).to_have_count(1)
    expect(line).to_contain_text("(look inside at step 20)")
    run_id = line.get_attribute("data-scan")
    stored = page.request.get(f"{stack.url}/api/runs/{run_id}/events?after=0").json()["events"]
    newest = [e for e in stored if e["type"] == "probe"][-1]
    largest = newest["scan_agreement"]["largest_difference"]
    expect(line).to_contain_text(f"parallel scan and step-by-step loop agree {agreement(largest)}")
    print(f"{line.inner_text()}; steps/s {rows.locator('.speed').all_inner_texts()}")
    assert page.errors == []
