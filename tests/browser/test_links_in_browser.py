"""The configuration lives in the URL: a link reproduces a setup, a run forks back into
the build page, and instructor flags hide or lock controls."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_started_run, screenshot, train_from_page

pytestmark = [pytest.mark.stack, pytest.mark.browser]


def test_a_setup_survives_the_round_trip_through_its_link(stack, page_of):
    page = page_of()
    page.goto(stack.url + "/")
    page.select_option("#dataset", "sentiment")
    page.select_option("#cell", "gru")
    page.fill("#layers", "2")
    page.fill("#steps", "321")
    page.locator("summary", has_text="More training settings").click()
    page.select_option("#schedule", "cosine")
    page.wait_for_function("location.hash.includes('training.steps=321')")
    link = page.url
    assert "dataset=sentiment" in link and "model.cell=gru" in link
    other = page_of()
    other.goto(link)
    expect(other.locator("#dataset")).to_have_value("sentiment")
    expect(other.locator("#cell")).to_have_value("gru")
    expect(other.locator("#layers")).to_have_value("2")
    expect(other.locator("#steps")).to_have_value("321")
    expect(other.locator("#schedule")).to_have_value("cosine")
    expect(other.locator("#model-size")).to_contain_text("321 steps")
    assert page.errors == [] and other.errors == []


def test_a_run_forks_into_the_build_page_with_its_settings(stack, page_of):
    page = page_of()
    train_from_page(
        page,
        stack.url,
        selects={"dataset": "copy", "cell": "gru"},
        checks=["attention"],
        fills={"steps": "60", "hidden": "24"},
    )
    expect(page.locator("#status")).to_have_text("completed", timeout=60_000)
    visitor = page_of()  # anyone with the link can fork
    visitor.goto(page.url)
    visitor.click("#fork")
    visitor.wait_for_url("**/#*")
    expect(visitor.locator("#dataset")).to_have_value("copy")
    expect(visitor.locator("#paradigm")).to_have_value("seq2seq")
    expect(visitor.locator("#cell")).to_have_value("gru")
    expect(visitor.locator("#hidden")).to_have_value("24")
    expect(visitor.locator("#attention")).to_be_checked()
    expect(visitor.locator("#steps")).to_have_value("60")
    screenshot(visitor, "build-page-forked")
    assert visitor.errors == []


def test_instructor_flags_hide_and_lock_controls(stack, page_of):
    page = page_of()
    page.goto(
        stack.url + "/#dataset=adding&model.cell=rnn&model.hidden=8"
        "&training.steps=30&hide=cell,layers&lock=dataset,hidden"
    )
    expect(page.locator('.field[data-path="model.cell"]')).to_be_hidden()
    expect(page.locator('.field[data-path="model.layers"]')).to_be_hidden()
    expect(page.locator("#dataset")).to_be_disabled()
    expect(page.locator("#hidden")).to_be_disabled()
    expect(page.locator("#hidden")).to_have_value("8")
    expect(page.locator("#upload-box")).to_be_hidden()
    # Still changing what is free keeps the flags in the link.
    page.fill("#steps", "40")
    page.wait_for_function("location.hash.includes('training.steps=40')")
    assert "hide=cell%2Clayers" in page.url and "lock=dataset%2Chidden" in page.url
    page.click("#train")
    open_started_run(page)
    run_id = page.url.rstrip("/").split("/")[-1]
    spec = page.evaluate(f"fetch('/api/runs/{run_id}').then(r => r.json()).then(r => r.spec)")
    assert (spec["model"]["cell"], spec["model"]["hidden"], spec["dataset"]) == ("rnn", 8, "adding")
    assert spec["training"]["steps"] == 40
    assert page.errors == []
