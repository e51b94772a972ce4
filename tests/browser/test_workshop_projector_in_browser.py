"""A workshop on the room's screen and in participants' browsers: the projector view (code,
full address, QR code, the room's loss curves with the guessing baseline), the spotlight and
a new preset reaching a participant's run page, the preset form with tick boxes, Stop that
asks first, tools that switch off after the close, lessons that fit the quotas, and a board
that fits a phone."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.stack, pytest.mark.browser]

# Enough steps and a batch large enough that each run validates several times.
PRESET = {
    "dataset": "adding",
    "dataset_options": {"length": 10},
    "model": {"cell": "gru", "hidden": 8},
    "training": {"steps": 400, "batch_size": 128},
}
BOLD = "<b>Bold</b>"
PHONE = {"width": 390, "height": 844}


def host(client_of, **extra):
    teacher = client_of()
    status, made = teacher.post(
        "/api/workshops",
        {"title": "Memory, live", "preset": PRESET, "quotas": {"concurrent_runs": 2}, **extra},
    )
    assert status == 201, made
    return teacher, made


def join(page_of, base_url: str, made: dict, name: str, **size):
    page = page_of(**size)
    page.goto(base_url + made["join_url"])
    page.fill("#join-name", name)
    page.click("#join")
    expect(page.locator("#me")).to_have_text(name)
    return page


def train(page, base_url: str, spec: dict) -> str:
    """Start a run from this browser (its session, its CSRF token), as its pages' scripts do."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    answer = page.request.post(
        base_url + "/api/runs",
        data=spec,
        headers={"X-CSRFToken": token, "Origin": base_url},
    )
    assert answer.status == 201, answer.text()
    return answer.json()["id"]


# What is wider than its box (text that runs out of it included), innermost first.
WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === "visible")
  .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}: ${e.scrollWidth} > ${e.clientWidth}`)
  .reverse()"""


def fits_the_screen(page) -> None:
    """No page wider than its viewport; if one is, the message names what sticks out."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], page.evaluate(WIDER_THAN_THE_SCREEN)


def test_the_projector_shows_how_to_join_and_the_rooms_curves_over_the_baseline(
    stack, page_of, client_of
):
    teacher, made = host(client_of)
    ada = join(page_of, stack.url, made, "Ada")
    bold = join(page_of, stack.url, made, BOLD)
    other_seed = {**PRESET, "training": {**PRESET["training"], "seed": 7}}  # two curves, not one
    runs = [train(ada, stack.url, PRESET), train(bold, stack.url, other_seed)]
    for run_id in runs:
        teacher.wait_for_status(run_id, {"completed"})
    projector = page_of(width=1440, height=900)
    projector.goto(stack.url + made["join_url"] + "?view=projector")
    address = stack.url + made["join_url"]
    expect(projector.locator("#workshop-code")).to_have_text(made["code"])
    expect(projector.locator("#join-address")).to_have_text(address)
    expect(projector.locator("#join-qr svg")).to_be_visible()
    assert projector.locator("#join-qr svg").bounding_box()["width"] >= 250  # readable from a row
    expect(projector.locator("#instructor-tools, #join-form")).to_have_count(0)
    # One line per run, named by its participant as text, and the task's guessing baseline.
    # (Plotly, 4.8 MB, takes seconds to load and parse on a busy machine.)
    expect(projector.locator("#room-curves")).to_have_attribute("data-drawn", "2", timeout=60_000)
    legend = projector.locator("#room-curves .legendtext")
    expect(legend).to_have_count(3)
    assert sorted(legend.all_text_contents()) == sorted(
        ["Ada · GRU", f"{BOLD} · GRU", "guessing on adding: 0.167"]
    )
    assert projector.locator("#room-curves b").count() == 0  # the name was never markup
    points = projector.evaluate(
        "[...document.getElementById('room-curves').data].map((t) => t.y.length)"
    )
    assert all(n >= 1 for n in points[:2]) and points[2] == 2
    expect(projector.locator("#curves-summary")).to_contain_text("2 runs drawn")
    expect(projector.locator("#curves-summary")).to_contain_text("Guessing on adding scores 0.167")
    screenshot(projector, "workshop-projector-1440")
    phone = page_of(**PHONE)
    phone.goto(stack.url + made["join_url"] + "?view=projector")
    expect(phone.locator("#room-curves")).to_have_attribute("data-drawn", "2", timeout=60_000)
    expect(phone.locator("table.board tr[data-run]")).to_have_count(2)
    fits_the_screen(phone)
    # The table fits its card: nothing to scroll sideways, and the best loss is on screen.
    assert phone.evaluate("(b => b.scrollWidth <= b.clientWidth)(document.getElementById('board'))")
    best = phone.locator("table.board td.col-best").first.bounding_box()
    assert best["x"] + best["width"] <= PHONE["width"]
    screenshot(phone, "workshop-projector-390")
    for page in (ada, bold, projector, phone):
        assert page.errors == []


def test_the_spotlight_and_a_new_preset_reach_a_participants_run_page(stack, page_of, client_of):
    _, made = host(client_of)
    ada = join(page_of, stack.url, made, "Ada", **PHONE)
    run_id = train(ada, stack.url, PRESET)
    ada.goto(f"{stack.url}/runs/{run_id}/")
    notices = ada.locator("#workshop-notices")
    expect(notices).to_have_attribute("data-board-seq", re.compile(r"\d+"))
    expect(notices.locator(".spotlight")).to_be_hidden()
    instructor = page_of(width=1440, height=900)
    instructor.goto(stack.url + made["instructor_url"])
    instructor.locator(f'tr[data-run="{run_id}"] [data-spotlight]').click()
    spotlight = notices.locator(".spotlight")
    expect(spotlight).to_contain_text("Spotlight: Ada's GRU on adding")
    expect(spotlight.locator("a")).to_have_attribute("href", f"/runs/{run_id}/")
    # The instructor changes the preset in the form, locks the cell and hides the layers.
    instructor.click("#preset-box summary")
    instructor.fill("#instructor-tools #hidden", "20")
    instructor.check('[data-lock="model.cell"]')
    instructor.check('[data-hide="layers"]')
    instructor.click("#push-preset")
    notice = notices.locator(".notice")
    expect(notice).to_contain_text("The instructor pushed a new preset")
    link = notice.locator("a").get_attribute("href")
    assert "model.hidden=20" in link and "lock=cell" in link and "hide=layers" in link
    fits_the_screen(ada)
    screenshot(ada, "workshop-notices-on-run-page-390")
    assert ada.errors == [] and instructor.errors == []


def test_stop_asks_first_and_the_tools_switch_off_after_the_close(stack, page_of, client_of):
    teacher, made = host(client_of)
    ada = join(page_of, stack.url, made, "Ada")
    slow = {**PRESET, "training": {"steps": 2000, "batch_size": 8}}
    run_id = train(ada, stack.url, slow)
    instructor = page_of(width=1440, height=900)
    instructor.goto(stack.url + made["instructor_url"])
    stop = instructor.locator(f'[data-stop="{run_id}"]')
    asked = []
    instructor.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    stop.click()
    assert asked and "Stop Ada's run?" in asked[0]
    _, run = teacher.get(f"/api/runs/{run_id}")
    assert run["status"] in ("queued", "running")  # dismissed: nothing was stopped
    instructor.once("dialog", lambda dialog: dialog.accept())
    stop.click()
    teacher.wait_for_status(run_id, {"cancelled"})
    expect(instructor.locator(f'tr[data-run="{run_id}"]')).to_contain_text("cancelled")
    instructor.once("dialog", lambda dialog: dialog.accept())
    instructor.click("#close-workshop")
    expect(instructor.locator("#closed-line")).to_be_visible()
    expect(instructor.locator("#closed-line")).to_contain_text("This workshop is closed")
    for tool in (
        "#clear-spotlight",
        "#close-workshop",
        "#push-preset",
        f'[data-spotlight="{run_id}"]',
    ):
        expect(instructor.locator(tool)).to_be_disabled()
    expect(instructor.locator("#workshop-status")).to_have_text("closed")
    screenshot(instructor, "workshop-closed-instructor-1440")
    assert instructor.errors == []


def test_a_workshop_is_made_from_the_preset_form_with_ticked_locks(stack, page_of, client_of):
    page = page_of(width=1440, height=900)
    page.goto(stack.url + "/workshops/new#dataset=sentiment&model.cell=gru&training.steps=150")
    expect(page.locator("#dataset")).to_have_value("sentiment")
    expect(page.locator("#cell")).to_have_value("gru")
    expect(page.locator("#steps")).to_have_value("150")
    expect(page.locator('label[for="hidden"]')).to_have_text("Hidden size")  # human names
    page.fill("#hidden", "24")
    page.fill("#ws-title", "Order matters")
    page.check('[data-lock="dataset"]')
    page.check('[data-lock="model.cell"]')
    page.check('[data-hide="layers"]')
    page.click("#ws-create")
    # The web process checks the preset against its task, and builds the sentiment task the
    # first time: seconds on a busy machine.
    expect(page.locator("#ws-made")).to_be_visible(timeout=60_000)
    screenshot(page, "workshop-new-form-1440")
    code = page.locator("#ws-code").inner_text()
    _, detail = client_of().get(f"/api/workshops/{code}")
    assert detail["locked"] == ["dataset", "model.cell"] and detail["hidden"] == ["layers"]
    assert detail["preset"]["dataset"] == "sentiment"
    assert detail["preset"]["model"] == {"cell": "gru", "hidden": 24}
    assert detail["preset"]["training"] == {"steps": 150}
    phone = page_of(**PHONE)
    phone.goto(stack.url + "/workshops/new")
    expect(phone.locator('[data-lock="model.cell"]')).to_be_visible()
    fits_the_screen(phone)
    screenshot(phone, "workshop-new-form-390")
    assert page.errors == [] and phone.errors == []


def test_a_participant_is_offered_only_the_lessons_that_fit_the_quota(stack, page_of, client_of):
    stranger = page_of()
    stranger.goto(stack.url + "/")
    assert stranger.locator("[data-preset]").count() > 0
    # The attention lesson trains 300 steps a run; every other lesson more.
    _, made = host(client_of, quotas={"concurrent_runs": 2, "max_steps": 300})
    ada = join(page_of, stack.url, made, "Ada")
    ada.goto(stack.url + "/")
    expect(ada.locator("#workshop-banner")).to_contain_text("Memory, live")
    expect(ada.locator("[data-preset]")).to_have_count(1)
    expect(ada.locator("[data-preset]")).to_have_attribute("data-preset", "attention")
    _, tight = host(client_of, quotas={"concurrent_runs": 2, "max_steps": 200})
    bo = join(page_of, stack.url, tight, "Bo")
    bo.goto(stack.url + "/")
    expect(bo.locator("#workshop-banner")).to_contain_text("Memory, live")
    expect(bo.locator("[data-preset]")).to_have_count(0)
    assert ada.errors == [] and bo.errors == []
