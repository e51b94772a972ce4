"""The product as a whole: every export downloads from the run page, the pages work by
keyboard, and they fit a phone."""

import json

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_started_run, screenshot, train_from_page

pytestmark = [pytest.mark.stack, pytest.mark.browser]


def test_each_export_downloads_from_the_run_page(stack, page_of, tmp_path):
    page = page_of()
    train_from_page(
        page, stack.url, selects={"dataset": "sentiment"}, fills={"steps": "40", "hidden": "16"}
    )
    expect(page.locator("#status")).to_have_text("completed", timeout=60_000)
    sizes = {}
    for what in ("config", "metrics", "weights", "script", "report"):
        with page.expect_download() as info:
            page.click(f"#export-{what}")
        download = info.value
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        sizes[what] = path.stat().st_size
        assert sizes[what] > 0, what
    print(sizes)
    config = json.loads(
        (tmp_path / next(p.name for p in tmp_path.iterdir() if p.suffix == ".json")).read_text()
    )
    assert config["dataset"] == "sentiment"
    # The owner tries the model right there.
    expect(page.locator("#try-card")).to_be_visible()
    page.fill("#try-input", "the film was not bad")
    page.click("#try-go")
    expect(page.locator("#try-output")).to_contain_text("% sure")
    assert page.errors == []


def test_the_build_page_works_by_keyboard(stack, page_of):
    page = page_of()
    page.goto(stack.url + "/")
    page.locator("body").focus()
    reached = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
    for control in (
        "dataset",
        "paradigm",
        "cell",
        "layers",
        "hidden",
        "steps",
        "optimizer",
        "lr",
        "train",
    ):
        assert control in reached, (control, sorted(reached))
    page.focus("#steps")
    page.keyboard.press("Control+a")
    page.keyboard.type("30")
    page.focus("#train")
    page.keyboard.press("Enter")
    open_started_run(page)
    assert page.errors == []


@pytest.mark.parametrize("path", ["/", "/compare/?runs=nothing-here"], ids=["build", "compare"])
def test_the_pages_fit_a_phone(stack, page_of, path):
    page = page_of(width=390, height=844)
    page.goto(stack.url + path)
    page.wait_for_load_state("networkidle")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1  # no sideways scrolling
    screenshot(page, f"phone-{'build' if path == '/' else 'compare'}")
    if "compare" in path:
        expect(page.locator(".error")).to_contain_text("Not found: nothing-here")
    assert page.errors == []
