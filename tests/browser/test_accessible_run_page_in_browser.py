"""The run page for someone who does not see the charts or does not use a mouse: every
chart says what it shows in one line, and the keyboard goes from the buttons to the probe
slider without stopping at any chart's toolbar."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.stack, pytest.mark.browser]

CHARTS = {
    "loss-chart": r"^Training loss (fell|rose|stayed near) .* over 80 steps; validation loss .*\(best [\d.e-]+\)\.$",
    "grad-chart": r"^Gradient norm .* over 80 steps; largest [\d.e+-]+ at step \d+\.$",
    "accuracy-chart": r"^Validation accuracy went from \d+ % to \d+ % over 80 steps\.$",
    # A GRU: the map that opens is its update gate, the one that decides what is kept.
    "probe-heatmap": r"^l0 · update at step 80: 16 units over \d+ input steps, values from .* to .*\.$",
    "probe-gradient": r"^At step 80 the gradient reaching the last input step is .*",
    "sample-chart": r"^Confusion matrix of 2 classes: \d+ of \d+ held-out answers on the diagonal \(\d+ % right\)\.$",
}


def tab_stops_until(page, start: str, wanted: str, most: int = 40) -> list[dict]:
    """Press Tab from `start` until `wanted` has the focus; each stop on the way."""
    page.focus(start)
    stops = []
    for _ in range(most):
        page.keyboard.press("Tab")
        stop = page.evaluate(
            "({id: document.activeElement.id, tag: document.activeElement.tagName,"
            " inChart: !!document.activeElement.closest('.chart, .modebar')})"
        )
        stops.append(stop)
        if stop["id"] == wanted:
            return stops
    raise AssertionError(f"{wanted} never took the focus: {stops}")


@pytest.mark.parametrize("size", [(1440, 900), (390, 844)])
def test_every_chart_says_what_it_shows_and_the_keyboard_skips_the_toolbars(
    stack, live, page_of, size
):
    # A small data set validates often enough for an accuracy curve in 80 steps.
    spec = {
        "dataset": "sentiment",
        "dataset_options": {"size": 200},
        "model": {"cell": "gru", "hidden": 16},
        "training": {"steps": 80},
    }
    status, created = live.post("/api/runs", spec)
    assert status == 201, created
    live.wait_for_status(created["id"], {"completed"})
    page = page_of(*size)
    page.goto(f"{stack.url}/runs/{created['id']}/")
    page.wait_for_function("document.querySelector('#sample-chart .main-svg') !== null")
    for chart, said in CHARTS.items():
        line = page.locator(f"#{chart}-summary")
        expect(line).to_have_text(re.compile(said))
        expect(page.locator(f"#{chart}")).to_have_attribute("role", "img")
        expect(page.locator(f"#{chart}")).to_have_attribute("aria-label", line.inner_text())
    # Buttons first, then the slider: a few stops, none inside a chart.
    stops = tab_stops_until(page, "#fork", "probe-step")
    assert not any(stop["inChart"] for stop in stops), stops
    assert len(stops) <= 5, stops
    # The toolbar is still there for the mouse on a laptop, just not in the tab order.
    tabbable = page.evaluate(
        "[...document.querySelectorAll('.modebar-btn')].filter(b => b.tabIndex >= 0).length"
    )
    assert tabbable == 0
    newest = page.locator("#probe-step-label").inner_text()
    page.keyboard.press("ArrowLeft")  # the slider answers the keyboard: one look back
    expect(page.locator("#probe-step-label")).not_to_have_text(newest)
    screenshot(page, f"run-page-accessible-{size[0]}")
    assert page.errors == []
