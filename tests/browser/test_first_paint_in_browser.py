"""Plotly (megabytes of script) arrives after the page has painted: the pages that draw
charts are readable and usable while it is held back, and their charts appear once it
comes, in the space kept for them."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.conftest import tiny_spec

pytestmark = [pytest.mark.stack, pytest.mark.browser]

PLOTLY = "**/static/plotly/plotly.min.js"
FIRST_PAINT = "performance.getEntriesByType('paint').find(p => p.name === 'first-contentful-paint')"


def holding_plotly(page) -> list:
    """Hold the Plotly download until the test lets it go: the slowest of networks."""
    held = []
    page.route(PLOTLY, lambda route: held.append(route))
    return held


def let_plotly_go(page, held: list) -> None:
    page.wait_for_function("document.querySelector('script[src*=\"plotly.min.js\"]') !== null")
    # The route handler runs while Playwright waits: poll until it has held the request.
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the page never asked for Plotly"
    for route in held:
        route.continue_()
    page.wait_for_function("window.Plotly !== undefined")


def placeholder(page, chart: str) -> str:
    """What an empty chart's space says (its ::before content)."""
    return page.evaluate(f"getComputedStyle(document.querySelector({chart!r}), '::before').content")


def painted_without_plotly(page) -> dict:
    """The paint timings, asserting that the page painted while Plotly was still away."""
    page.wait_for_function(f"({FIRST_PAINT}) !== undefined")
    assert page.evaluate("window.Plotly === undefined")
    paint = page.evaluate(f"({FIRST_PAINT}).startTime")
    ready = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
    return {"paint": paint, "ready": ready}


@pytest.mark.parametrize("size", [(1440, 900), (390, 844)])
def test_the_run_page_paints_and_works_before_plotly_arrives(stack, live, page_of, size):
    status, created = live.post("/api/runs", tiny_spec())
    assert status == 201, created
    live.wait_for_status(created["id"], {"completed"})
    page = page_of(*size)
    held = holding_plotly(page)
    page.goto(f"{stack.url}/runs/{created['id']}/", wait_until="domcontentloaded")
    timings = painted_without_plotly(page)
    print(
        f"run page {size}: first paint {timings['paint']:.0f} ms, ready {timings['ready']:.0f} ms"
    )
    # Readable and usable meanwhile: the result, the status, the export links, Try it.
    expect(page.locator("#status")).to_have_text("completed")
    expect(page.locator("#result-card")).to_be_visible()
    expect(page.locator("#result")).to_contain_text("final validation loss")
    expect(page.locator("#export-config")).to_be_visible()
    # Each chart's space is kept, so nothing below it moves when it is drawn.
    assert placeholder(page, "#grad-chart") == '"Chart loading…"'
    before = page.locator("#result-card").bounding_box()["y"]
    assert page.locator("#loss-chart").bounding_box()["height"] >= 300
    screenshot(page, f"run-page-before-plotly-{size[0]}")
    let_plotly_go(page, held)
    page.wait_for_function("document.querySelector('#loss-chart .main-svg') !== null")
    page.wait_for_function("document.getElementById('loss-chart').data[0].x.length > 0")
    assert page.locator("#result-card").bounding_box()["y"] == before
    screenshot(page, f"run-page-after-plotly-{size[0]}")
    assert page.errors == []


def test_the_build_page_is_usable_before_plotly_arrives(stack, page_of):
    page = page_of(1440, 900)
    held = holding_plotly(page)
    page.goto(stack.url + "/", wait_until="domcontentloaded")
    timings = painted_without_plotly(page)
    print(f"build page: first paint {timings['paint']:.0f} ms, ready {timings['ready']:.0f} ms")
    expect(page.locator("#train")).to_be_visible()
    # The form answers while the charts wait: a new task shows its own description.
    page.select_option("#dataset", "sentiment")
    page.wait_for_function("location.hash.includes('dataset=sentiment')")
    expect(page.locator("#model-size")).not_to_be_empty()
    let_plotly_go(page, held)
    assert page.errors == []


def test_the_compare_page_draws_its_curves_once_plotly_arrives(stack, live, page_of):
    ids = []
    for seed in (1, 2):
        status, created = live.post("/api/runs", tiny_spec(seed=seed))
        assert status == 201, created
        ids.append(created["id"])
    for run_id in ids:
        live.wait_for_status(run_id, {"completed"})
    page = page_of(1440, 900)
    held = holding_plotly(page)
    page.goto(f"{stack.url}/compare/?runs={','.join(ids)}", wait_until="domcontentloaded")
    painted_without_plotly(page)
    expect(page.locator("h1")).to_be_visible()
    let_plotly_go(page, held)
    page.wait_for_function("document.getElementById('compare-loss').data?.length >= 2")
    assert page.errors == []


def test_a_page_whose_charts_cannot_load_says_so_and_still_works(stack, live, page_of):
    status, created = live.post("/api/runs", tiny_spec())
    assert status == 201, created
    live.wait_for_status(created["id"], {"completed"})
    page = page_of(1440, 900)
    page.route(PLOTLY, lambda route: route.abort())
    page.goto(f"{stack.url}/runs/{created['id']}/")
    page.wait_for_function("document.documentElement.dataset.plotly === 'failed'")
    assert "could not be loaded" in placeholder(page, "#grad-chart")
    expect(page.locator("#result")).to_contain_text("final validation loss")
    # The charts' summaries are words: they arrive without Plotly.
    expect(page.locator("#loss-chart-summary")).to_contain_text("Training loss")
