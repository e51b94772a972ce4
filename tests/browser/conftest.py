"""Playwright with Debian's Chromium. Never `playwright install`: it downloads a browser."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture(scope="module")
def browser():
    # Fail, never skip: a suite that silently drops its browser tests proves nothing.
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            "Debian's Chromium is missing: run `apt-get install -y chromium` (see .ci/run)."
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page_of(browser):
    """A new page in a fresh context (its own cookies: another browser, to the server).
    Console errors and page errors are collected on `page.errors`."""
    contexts = []

    def open_page(width=1280, height=800):
        # Playwright polls wait_for_function with eval, which the pages' CSP forbids; the
        # pages themselves are checked under their CSP in tests/security.
        context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        return page

    yield open_page
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_started_run(page) -> None:
    """After Train: the run starts in place (its curve on the build page, the address its
    link); follow the newest run's "Open its page" to its own page, as a person would."""
    page.wait_for_url("**/runs/*/")
    run_url = page.url
    page.locator("#live-list li a.open-run").last.click()
    page.wait_for_url(run_url)
    page.wait_for_selector("#status")


def train_from_page(page, base_url: str, selects: dict = (), fills: dict = (), checks=()) -> None:
    """Open the build page, choose (selects), tick (checks) and type (fills), press Train,
    and open the run's own page, as a person would."""
    page.goto(base_url + "/")
    for field, value in dict(selects).items():
        page.select_option(f"#{field}", value)
    for field in checks:
        page.check(f"#{field}")
    for field, value in dict(fills).items():
        page.fill(f"#{field}", value)
    page.click("#train")
    open_started_run(page)
