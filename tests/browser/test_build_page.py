"""The build page offers every choice, counts parameters live and explains refusals."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, train_from_page

pytestmark = [pytest.mark.stack, pytest.mark.browser]


def parameters(page) -> int:
    expect(page.locator("#model-size")).to_contain_text("parameters")
    return int(
        re.match(r"([\d,]+) parameters", page.locator("#model-size").inner_text())[1].replace(
            ",", ""
        )
    )


def test_controls_follow_the_choices_and_the_parameter_count_updates(stack, page_of):
    page = page_of()
    page.goto(stack.url + "/")
    lstm_64 = parameters(page)
    page.fill("#hidden", "128")
    expect(page.locator("#model-size")).not_to_contain_text(f"{lstm_64:,} parameters")
    assert parameters(page) > lstm_64

    # Only the vanilla RNN has an activation; only the transformer has heads.
    expect(page.locator("#activation")).to_be_hidden()
    page.select_option("#cell", "rnn")
    expect(page.locator("#activation")).to_be_visible()
    expect(page.locator("#heads")).to_be_hidden()
    page.select_option("#cell", "transformer")
    expect(page.locator("#heads")).to_be_visible()
    expect(page.locator(".choice-hint")).to_contain_text("softmax")

    # Token datasets bring their own controls and paradigms (the others greyed out).
    expect(page.locator("#input_encoding")).to_be_hidden()
    page.select_option("#dataset", "sentiment")
    expect(page.locator("#input_encoding")).to_be_visible()
    served = page.locator("#paradigm option:not([disabled])").all_inner_texts()
    assert served == ["Many to one", "One to one"]

    # A combination that cannot run is greyed out, with why, before anyone picks it.
    bow = page.locator('#cell option[value="bow"]')
    expect(bow).to_be_disabled()
    expect(bow).to_have_attribute("title", re.compile("bag of words"))
    page.select_option("#paradigm", "one-to-one")
    expect(bow).to_be_enabled()
    page.select_option("#cell", "bow")
    expect(page.locator("#form-error")).to_be_hidden()
    assert parameters(page) > 0
    screenshot(page, "build-page-bow")

    page.select_option("#dataset", "reverse")
    page.select_option("#cell", "gru")
    expect(page.locator("#attention")).to_be_visible()
    expect(page.locator("#teacher_forcing")).to_be_visible()
    assert page.errors == []


def test_a_seq2seq_run_with_attention_starts_from_the_page(stack, page_of):
    page = page_of()
    choices = {"dataset": "reverse", "cell": "lstm"}
    train_from_page(page, stack.url, selects=choices, checks=["attention"], fills={"steps": "60"})
    expect(page.locator("#status")).to_have_text("completed", timeout=120_000)
    expect(page.locator("#run-summary")).to_contain_text("seq2seq")
    expect(page.locator("#result")).to_contain_text("validation accuracy")
    assert page.errors == []
