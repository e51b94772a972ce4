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


def attention_rows(page) -> list[float]:
    """The row sums of the attention heatmap on show."""
    return page.evaluate(
        "document.getElementById('probe-heatmap').data[0].z.map(r => r.reduce((a, b) => a + b, 0))"
    )


def test_a_person_watches_a_transformer_attend_while_it_learns_to_reverse(stack, page_of):
    page = page_of()
    train_from_page(
        page,
        stack.url,
        selects={"dataset": "reverse", "cell": "transformer"},
        fills={"steps": "300", "heads": "2"},
    )
    expect(page.locator("#status")).to_have_text("completed", timeout=120_000)
    page.wait_for_function(f"{HEATMAP_Z} > 0")
    options = page.locator("#probe-map option").all_text_contents()
    for kind in ("self", "decoder", "cross"):
        assert f"attention · {kind} · l0" in options, options
    expect(page.locator("#probe-reading")).to_contain_text("Self-attention")
    page.select_option("#probe-map", "cross.l0")
    expect(page.locator("#probe-reading")).to_contain_text("Cross-attention")
    expect(page.locator("#probe-head-field")).to_be_visible()
    page.select_option("#probe-head", "1")
    # Rows are output steps, columns the input's symbols; each row is a distribution.
    queries = page.evaluate("document.getElementById('probe-heatmap').data[0].y")
    keys = page.evaluate("document.getElementById('probe-heatmap').data[0].x")
    assert queries[0].startswith("out 0: s") and keys[0].startswith("0: s"), (queries, keys)
    assert all(abs(total - 1) < 0.05 for total in attention_rows(page))
    screenshot(page, "run-page-attention")
    assert page.errors == []


def test_a_person_looks_inside_an_encoder_decoder_with_attention(stack, page_of):
    page = page_of()
    train_from_page(
        page,
        stack.url,
        selects={"dataset": "copy", "cell": "gru"},
        checks=["attention"],
        fills={"steps": "200"},
    )
    expect(page.locator("#status")).to_have_text("completed", timeout=120_000)
    page.wait_for_function(f"{HEATMAP_Z} > 0")
    options = page.locator("#probe-map option").all_text_contents()
    assert "encoder · l0 · update" in options and "decoder · l0 · update" in options, options
    assert "attention · cross" in options, options
    page.select_option("#probe-map", "decoder.l0.update")
    expect(page.locator("#probe-reading")).to_contain_text("teacher forcing")
    steps = page.evaluate("document.getElementById('probe-heatmap').data[0].x")
    assert all(step.startswith("out ") for step in steps), steps  # drawn on the output steps
    # The gradient curve runs through the input steps, then on through the output steps.
    traces = page.evaluate(
        "document.getElementById('probe-gradient').data.map(t => [t.name, t.x[0]])"
    )
    names = dict(traces)
    assert names["‖dL/dh_t‖ decoder l0"].startswith("out 0")
    assert names["‖dL/dh_t‖ encoder l0"].startswith("0: s")
    page.select_option("#probe-map", "cross")
    expect(page.locator("#probe-head-field")).to_be_hidden()  # one head: nothing to pick
    assert all(abs(total - 1) < 0.05 for total in attention_rows(page))
    expect(page.locator("#probe-spectral")).to_contain_text("W_hh decoder · l0 · update")
    screenshot(page, "run-page-seq2seq-probes")
    assert page.errors == []
