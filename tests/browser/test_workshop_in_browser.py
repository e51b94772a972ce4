"""A workshop in browsers: the instructor's page and participants' pages, names shown as
text (never run as HTML), a spotlight on every screen, a run started from the preset."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_started_run, screenshot

pytestmark = [pytest.mark.stack, pytest.mark.browser]

NASTY = ["<script>window.pwned = 1</script>", '<img src=x onerror="window.pwned = 2">']


def test_a_room_joins_with_nasty_names_and_follows_the_instructor(stack, page_of, client_of):
    teacher = client_of()
    _, made = teacher.post(
        "/api/workshops",
        {
            "title": "Gates, live",
            "preset": {
                "dataset": "adding",
                "dataset_options": {"length": 10},
                "model": {"cell": "gru", "hidden": 12},
                "training": {"steps": 60},
            },
            "locked": ["dataset"],
            "hidden": ["cell"],
            "quotas": {"concurrent_runs": 1},
        },
    )
    instructor = page_of()
    instructor.goto(stack.url + made["instructor_url"])
    expect(instructor.locator("#instructor-tools")).to_be_visible()
    students = []
    for name in NASTY:
        page = page_of()
        page.goto(stack.url + made["join_url"])
        page.fill("#join-name", name)
        page.click("#join")
        expect(page.locator("#me")).to_have_text(name)  # shown as text, exactly
        students.append(page)
    expect(instructor.locator("#people li")).to_have_count(2)
    assert instructor.locator("#people li").all_inner_texts() == NASTY
    # A participant starts a run from the preset: the dataset is locked, the cell hidden.
    first = students[0]
    first.click("#start-run")
    first.wait_for_url("**/#*")
    expect(first.locator("#dataset")).to_be_disabled()
    expect(first.locator('.field[data-path="model.cell"]')).to_be_hidden()
    expect(first.locator("#hidden")).to_have_value("12")
    expect(first.locator("#workshop-banner")).to_contain_text("Gates, live")
    expect(first.locator("#workshop-banner strong")).to_have_text(NASTY[0])
    first.click("#train")
    open_started_run(first)
    run_id = first.url.rstrip("/").split("/")[-1]
    # The instructor's board shows it, ranked under its task, and spotlights it everywhere.
    row = instructor.locator(f'tr[data-run="{run_id}"]')
    expect(row).to_contain_text("completed", timeout=60_000)
    expect(row.locator("a")).to_have_text(NASTY[0])
    row.locator("[data-spotlight]").click()
    other = students[1]
    other.goto(stack.url + made["join_url"])
    expect(other.locator("#spotlight")).to_contain_text("(the instructor asks everyone to look)")
    expect(other.locator("#spotlight a")).to_have_attribute("href", f"/runs/{run_id}/")
    screenshot(instructor, "workshop-instructor")
    screenshot(other, "workshop-participant")
    for page in (instructor, *students):
        assert page.evaluate("window.pwned") is None  # no name ever ran as code
        assert page.errors == []
    with instructor.expect_download() as info:
        instructor.click("#results")
    assert "workshop-" in info.value.suggested_filename


def test_an_instructor_hosts_a_workshop_from_a_build_page_setup(stack, page_of):
    page = page_of()
    page.goto(stack.url + "/#dataset=sentiment&model.cell=gru&training.steps=150")
    page.fill("#hidden", "24")  # a change: the host link follows the setup
    page.click("#host-workshop")
    page.wait_for_url("**/workshops/new#*")
    # The preset form is filled from the setup.
    expect(page.locator("#dataset")).to_have_value("sentiment")
    expect(page.locator("#cell")).to_have_value("gru")
    expect(page.locator("#hidden")).to_have_value("24")
    expect(page.locator("#steps")).to_have_value("150")
    page.fill("#ws-title", "Order matters")
    page.check('[data-lock="dataset"]')
    page.check('[data-lock="model.cell"]')
    page.click("#ws-create")
    expect(page.locator("#ws-made")).to_be_visible()
    code = page.locator("#ws-code").inner_text()
    page.click("#ws-instructor")
    expect(page.locator("#workshop-title")).to_have_text("Order matters")
    expect(page.locator("#workshop-code")).to_have_text(code)
    expect(page.locator("#instructor-tools")).to_be_visible()
    assert page.errors == []
