"""The run page as a person sees it, on a laptop and on a phone: no empty blocks, axis
titles clear of their labels, spectral norms coloured only where they mean something,
no toolbar over the legends on a phone, and a helpful page for a run that is not there."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.conftest import tiny_spec

pytestmark = [pytest.mark.stack, pytest.mark.browser]

SIZES = [(1440, 900), (390, 844)]


def finished_run(live, spec: dict) -> str:
    status, created = live.post("/api/runs", spec)
    assert status == 201, created
    live.wait_for_status(created["id"], {"completed"})
    return created["id"]


def open_run(page_of, stack, run_id: str, size=(1440, 900)):
    page = page_of(*size)
    page.goto(f"{stack.url}/runs/{run_id}/")
    expect(page.locator("#status")).to_have_text("completed")
    page.wait_for_function("document.getElementById('loss-chart').data?.[0].x.length > 0")
    return page


@pytest.mark.parametrize("size", SIZES)
def test_a_text_run_shows_its_writing_without_an_empty_chart(stack, live, page_of, size):
    spec = {"dataset": "stories", "model": {"cell": "gru", "hidden": 16}, "training": {"steps": 40}}
    page = open_run(page_of, stack, finished_run(live, spec), size)
    expect(page.locator("#sample-card")).to_be_visible()
    expect(page.locator("#sample-texts li").first).to_be_visible()
    expect(page.locator("#sample-chart")).to_be_hidden()
    # The first sample follows the reading directly: no 300 px gap in between.
    reading = page.locator("#sample-reading").bounding_box()
    first = page.locator("#sample-texts").bounding_box()
    assert first["y"] - (reading["y"] + reading["height"]) < 80
    screenshot(page, f"run-page-text-{size[0]}")
    assert page.errors == []


def boxes(page, selector: str) -> list[dict]:
    return page.evaluate(
        f"[...document.querySelectorAll({selector!r})].map(e => e.getBoundingClientRect().toJSON())"
    )


@pytest.mark.parametrize("size", SIZES)
def test_probe_axis_titles_sit_clear_of_their_tick_labels(stack, live, page_of, size):
    spec = tiny_spec()
    spec["model"]["cell"] = "rnn"
    page = open_run(page_of, stack, finished_run(live, spec), size)
    page.wait_for_function("document.getElementById('probe-heatmap').data?.[0].z.length > 0")
    page.wait_for_function("document.getElementById('probe-gradient').data?.length > 0")
    for chart in ("probe-heatmap", "probe-gradient"):
        [x_title] = boxes(page, f"#{chart} .g-xtitle text")
        ticks = boxes(page, f"#{chart} .xtick text")
        assert ticks, chart
        assert x_title["top"] >= max(t["bottom"] for t in ticks) - 1, (chart, x_title, ticks)
        [y_title] = boxes(page, f"#{chart} .g-ytitle text")
        y_ticks = boxes(page, f"#{chart} .ytick text")
        assert y_title["right"] <= min(t["left"] for t in y_ticks) + 1, (chart, y_title, y_ticks)
    page.locator("#probe-card").scroll_into_view_if_needed()
    screenshot(page, f"run-page-probes-axes-{size[0]}")
    assert page.errors == []


def test_spectral_norms_are_coloured_only_where_they_mean_something(stack, live, page_of):
    # A GRU's blocks feed its gates: none is coloured, and the note says why.
    page = open_run(page_of, stack, finished_run(live, tiny_spec()))
    expect(page.locator("#probe-spectral dd").first).to_be_visible()
    assert page.locator("#probe-spectral dd.norm-high, #probe-spectral dd.norm-low").count() == 0
    expect(page.locator("#probe-spectral-note")).to_contain_text("none of these numbers")
    # A vanilla RNN's W_hh: coloured at the far ends only, each with its reason.
    judged = page.evaluate(
        """import('/static/js/probes.js').then(({ judgeNorm }) => [
            judgeNorm('l0.W_hh', 3.1), judgeNorm('l0.W_hh', 1.15), judgeNorm('l0.W_hh', 0.4),
            judgeNorm('l0.forget', 3.1)])"""
    )
    assert judged[0]["className"] == "norm-high" and "explode" in judged[0]["why"]
    assert judged[1] is None  # where a healthy RNN starts: nothing to warn about
    assert judged[2]["className"] == "norm-low" and "fades" in judged[2]["why"]
    assert judged[3] is None
    assert page.errors == []


def test_on_a_phone_no_toolbar_covers_the_legends(stack, live, page_of):
    run_id = finished_run(live, tiny_spec())
    phone = open_run(page_of, stack, run_id, (390, 844))
    assert phone.locator("#loss-chart .legend").count() == 1
    assert phone.locator(".modebar").count() == 0
    screenshot(phone, "run-page-phone-legends")
    # On a laptop the toolbar is there for the mouse, out of the keyboard's way.
    laptop = open_run(page_of, stack, run_id)
    laptop.hover("#loss-chart")
    buttons = laptop.locator("#loss-chart .modebar-btn")
    assert buttons.count() > 0
    assert laptop.evaluate(
        "[...document.querySelectorAll('.modebar-btn')].every(b => b.tabIndex === -1)"
    )
    assert phone.errors == [] and laptop.errors == []


@pytest.mark.parametrize("size", SIZES)
def test_an_unknown_run_gets_a_helpful_page(stack, page_of, size):
    page = page_of(*size)
    response = page.goto(stack.url + "/runs/no-such-run/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("There is no such run.")
    expect(page.locator("#not-found a[href='/']")).to_be_visible()
    screenshot(page, f"not-found-run-{size[0]}")
    response = page.goto(stack.url + "/w/NOSUCH/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("There is no such workshop.")
    assert page.errors == [] or all("404" in e for e in page.errors)
