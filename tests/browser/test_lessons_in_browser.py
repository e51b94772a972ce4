"""A lesson end to end through the page, on a stack with two worker slots (as on a two-core
machine): one click creates both runs, both train at once, and the compare page shows the
lesson's point against the guessing line. Every lesson's outcome is checked without the
browser in tests/playground/test_lesson_outcomes.py."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from playwright.sync_api import TimeoutError, expect

from playground.stack.redis_server import free_port
from playground.stack.supervisor import Stack
from tests.browser.conftest import screenshot
from tests.conftest import LEASE_SECONDS, database_url

pytestmark = [pytest.mark.stack, pytest.mark.browser]

ADDING_GUESSING = 1 / 6
# The elements wider than the window, to say what overflows.
WIDE = """[...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 5).map((e) => `${e.tagName}#${e.id}.${e.className} ${e.getBoundingClientRect().right}`)"""


@pytest.fixture(scope="module")
def two_slots(django_db_setup):
    from django.db import connection

    port = free_port()
    env = {
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": settings.REDIS_URL,
        # A queue of its own: the session's one-slot stack never takes these runs.
        "CELERY_QUEUE": f"lessons-{port}",
        "RUN_LEASE_SECONDS": str(LEASE_SECONDS),
        "RUN_REAP_INTERVAL_SECONDS": "2",
        "DEBUG": "False",
        "SECRET_KEY": settings.SECRET_KEY,
        "WORKER_CONCURRENCY": "2",
        "GPU_DEVICES": "",
    }
    live = Stack(port=port, env=env)
    with live.serving("worker", "web", "sweeper"):
        yield live


def states(page) -> list[str]:
    return page.locator("#compare-table tbody .state").all_inner_texts()


def test_the_vanishing_gradients_lesson_trains_both_at_once_and_shows_its_point(two_slots, page_of):
    page = page_of(1440, 900)
    page.goto(two_slots.url + "/")
    page.click('[data-preset="vanishing-gradients"]')
    page.wait_for_url("**/compare/?runs=*&lesson=vanishing-gradients")
    expect(page.locator("h1")).to_have_text("Vanishing gradients")
    expect(page.locator("#compare-look")).to_contain_text("What to look at")
    expect(page.locator("#compare-same")).to_contain_text("Same data and seed")
    rows = page.locator("#compare-table tbody tr")
    expect(rows).to_have_count(2)
    # Both train at once: each is running while the other is.
    page.wait_for_function(
        "[...document.querySelectorAll('#compare-table .state')]"
        ".every((s) => s.textContent === 'running')",
        timeout=60_000,
    )
    screenshot(page, "lesson-vanishing-running")
    for i in range(2):
        expect(rows.nth(i).locator(".state")).to_have_text("completed", timeout=300_000)
    # Two runs' training and validation curves, and the guessing line.
    page.wait_for_function("document.getElementById('compare-loss').data?.length === 5")
    names = page.evaluate("document.getElementById('compare-loss').data.map((t) => t.name)")
    assert "Vanilla RNN remembers?: validation" in names and "LSTM remembers: validation" in names
    assert any(name.startswith("guessing the mean") for name in names)
    rnn, lstm = (float(rows.nth(i).locator(".best").inner_text()) for i in range(2))
    print(f"best validation MSE: vanilla RNN {rnn}, LSTM {lstm} (guessing {ADDING_GUESSING:.3f})")
    assert lstm < 0.1 * ADDING_GUESSING
    assert rnn > 0.8 * ADDING_GUESSING
    page.wait_for_function("document.querySelectorAll('#compare-maps figcaption').length === 2")
    screenshot(page, "lesson-vanishing-done")
    assert page.errors == []
    # The same comparison on a phone, as one opens the link there: the table scrolls inside
    # its card, the charts fit, and the page keeps the phone's width.
    phone = page_of(390, 844)
    phone.goto(page.url)
    phone.wait_for_function("document.querySelectorAll('#compare-maps figcaption').length === 2")
    try:
        phone.wait_for_function("document.documentElement.scrollWidth <= 390", timeout=10_000)
    except TimeoutError as exc:
        raise AssertionError(f"wider than the phone: {phone.evaluate(WIDE)}") from exc
    screenshot(phone, "lesson-vanishing-phone")
    assert phone.errors == []


def test_a_queued_lesson_run_says_what_it_waits_for(two_slots, page_of):
    page = page_of()
    page.goto(two_slots.url + "/")
    # Three runs on two slots: the third waits, and says so.
    page.click('[data-preset="gru-or-lstm"]')
    page.wait_for_url("**/compare/?runs=*")
    first = page.url
    page.goto(two_slots.url + "/")
    page.click('[data-preset="gru-or-lstm"]')
    page.wait_for_url(lambda url: url != first and "/compare/" in url)
    waiting = page.locator("#compare-waiting")
    expect(waiting).to_be_visible(timeout=30_000)
    expect(waiting).to_contain_text("is waiting for a free worker")
    # The second slot may take a moment to start its run, and the notice follows it.
    expect(waiting).to_contain_text("training 2 runs", timeout=30_000)
    screenshot(page, "lesson-waiting")
    # It starts once a slot is free (here: its owner cancels one of the first lesson's
    # runs), and the notice goes.
    one_of_the_first = parse_qs(urlparse(first).query)["runs"][0].split(",")[0]
    owner = page.context.new_page()
    owner.goto(f"{two_slots.url}/runs/{one_of_the_first}/")
    owner.click("#cancel")
    expect(owner.locator("#status")).to_have_text("cancelled", timeout=30_000)
    expect(waiting).to_be_hidden(timeout=60_000)
    assert page.errors == []
