"""The run page shows the model's insides: heatmaps, the gradient curve and a step slider."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, train_from_page

pytestmark = [pytest.mark.stack, pytest.mark.browser]

HEATMAP_Z = "document.getElementById('probe-heatmap').data?.[0].z.length ?? 0"


def test_a_person_scrubs_through_the_gates_of_an_lstm(stack, page_of):
    page = page_of()
    train_from_page(page, stack.url, selects={"dataset": "sentiment"}, fills={"steps": "400"})
    expect(page.locator("#probe-card")).to_be_visible(timeout=60_000)
    expect(page.locator("#status")).to_have_text("completed", timeout=120_000)
    page.wait_for_function(f"{HEATMAP_Z} > 0")
    expect(page.locator("#probe-map")).to_have_value("l0.forget")
    expect(page.locator("#probe-reading")).to_contain_text("Forget gate")
    looks = int(page.locator("#probe-step").get_attribute("max")) + 1
    assert looks >= 2
    expect(page.locator("#probe-step-label")).to_contain_text(f"{looks} of {looks}")
    # The axis is labelled with the probe sentence's words.
    words = page.evaluate("document.getElementById('probe-heatmap').data[0].x")
    assert any(w.split(": ")[1] in ("the", "this", "our") for w in words)
    # Scrub back to the first look, switch to the hidden state.
    page.locator("#probe-step").fill("0")
    expect(page.locator("#probe-step-label")).to_contain_text(f"1 of {looks}")
    page.select_option("#probe-map", "l0.hidden")
    expect(page.locator("#probe-reading")).to_contain_text("Hidden state")
    assert page.evaluate("document.getElementById('probe-gradient').layout.yaxis.type") == "log"
    expect(page.locator("#probe-spectral")).to_contain_text("W_hh l0 · forget")
    screenshot(page, "run-page-probes")
    assert page.errors == []
