"""A person brings their own data: uploads it on the build page, sees it previewed (or
told what is wrong with it), trains on it and watches what the model produces."""

import math
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_started_run, screenshot

pytestmark = [pytest.mark.stack, pytest.mark.browser]


def upload_in_page(page, tmp_path, filename: str, content: str, kind: str, **fields):
    path = tmp_path / filename
    path.write_text(content)
    page.locator("#upload-box summary").click()
    page.select_option("#upload-kind", kind)
    page.set_input_files("#upload-file", str(path))
    for field, value in fields.items():
        page.fill(f"#upload-{field}", value)
    page.click("#upload")


def test_a_person_uploads_a_series_sees_it_and_watches_the_forecast(stack, page_of, tmp_path):
    page = page_of()
    page.goto(stack.url + "/")
    rows = [
        f"2025-03-{1 + i // 24:02d} {i % 24:02d}:00;{12 + 6 * math.sin(i / 6):.2f}".replace(
            ".", ","
        )
        for i in range(400)
    ]
    rows[10] = "2025-03-01 10:00;"  # a hole the person is told about
    content = "timestamp;temperature\n" + "\n".join(rows) + "\n"
    upload_in_page(page, tmp_path, "temperatures.csv", content, "series")
    expect(page.locator("#upload-error")).to_contain_text("missing, NaN or infinite values")
    expect(page.locator("#upload-error")).to_contain_text("line 12")
    screenshot(page, "build-page-upload-error")
    page.select_option("#upload-missing", "interpolate")
    page.click("#upload")
    # The upload becomes the chosen dataset, with its preview plotted.
    expect(page.locator("#dataset option:checked")).to_have_text("temperatures.csv")
    expect(page.locator("#dataset-preview")).to_contain_text("400 rows · temperature by timestamp")
    page.wait_for_function(
        "document.querySelector('#dataset-preview .chart')?.data?.[0]?.y.length > 0"
    )
    assert (
        page.evaluate("document.querySelector('#dataset-preview .chart').data[0].y.length") == 400
    )
    expect(page.locator("#option-normalize")).to_have_value("standard")
    page.fill("#option-window", "24")
    page.fill("#steps", "200")
    expect(page.locator("#model-size")).to_contain_text("parameters")
    screenshot(page, "build-page-upload-preview")
    page.click("#train")
    open_started_run(page)
    expect(page.locator("#status")).to_have_text("completed", timeout=120_000)
    expect(page.locator("#sample-card")).to_be_visible()
    expect(page.locator("#sample-reading")).to_contain_text("held-out actual values")
    # Plotly arrives after the page has painted: wait for the chart, not just the card.
    page.wait_for_function("document.getElementById('sample-chart').data !== undefined")
    names = page.evaluate("document.getElementById('sample-chart').data.map(t => t.name)")
    assert names == ["temperature (actual)", "temperature (forecast)"]
    actual = page.evaluate("document.getElementById('sample-chart').data[0].y")
    assert 5 < min(actual) and max(actual) < 19  # degrees, as uploaded
    screenshot(page, "run-page-forecast")
    # The refused upload is the one failed request the browser logged; nothing else failed.
    assert len(page.errors) == 1 and "status of 422" in page.errors[0], page.errors


def test_a_person_uploads_labelled_text_and_sees_the_confusion_matrix(stack, page_of, tmp_path):
    page = page_of()
    page.goto(stack.url + "/")
    good, bad = ["lovely", "great", "superb", "fine"], ["awful", "dull", "poor", "bad"]
    rows = [
        f'"the food was {w} today, number {n}",{label}'
        for n in range(40)
        for words, label in ((good, "happy"), (bad, "sad"))
        for w in words[n % 4 : n % 4 + 1]
    ]
    upload_in_page(
        page, tmp_path, "reviews.csv", "review,mood\n" + "\n".join(rows) + "\n", "labelled-text"
    )
    expect(page.locator("#dataset-preview")).to_contain_text(
        "80 texts in 'review', labels in 'mood'"
    )
    expect(page.locator("#dataset-preview")).to_contain_text("2 classes")
    page.select_option("#cell", "gru")
    page.fill("#steps", "150")
    page.click("#train")
    open_started_run(page)
    expect(page.locator("#status")).to_have_text("completed", timeout=120_000)
    expect(page.locator("#sample-accuracy")).to_contain_text("Held-out accuracy")
    # Plotly arrives after the page has painted: wait for the chart, not just the card.
    page.wait_for_function("document.getElementById('sample-chart').data !== undefined")
    labels = page.evaluate("document.getElementById('sample-chart').data[0].x")
    assert labels == ["happy", "sad"]
    expect(page.locator("#sample-texts li").first).to_contain_text("the food was")
    screenshot(page, "run-page-confusion")
    assert page.errors == []


def test_a_large_upload_shows_its_progress_and_ends_in_the_preview(stack, page_of, tmp_path):
    page = page_of()
    page.goto(stack.url + "/")
    # Every text the progress line shows while it is shown, in order.
    page.evaluate(
        """() => {
            window.shown = [];
            const line = document.getElementById("upload-status");
            const note = () => { if (!line.hidden) window.shown.push(line.textContent); };
            new MutationObserver(note).observe(line, { childList: true, attributes: true });
        }"""
    )
    # A million rows (4 MB, under the 5 MB limit): seconds for the server to check.
    rows = "".join(f"{i % 10},{i * 7 % 10}\n" for i in range(100)) * 10_000
    upload_in_page(page, tmp_path, "million.csv", "a,b\n" + rows, "series")
    preview = page.locator("#dataset-preview")
    expect(preview).to_contain_text(re.compile(r"1\D?000\D?000 rows · a, b"), timeout=120_000)
    expect(page.locator("#upload-status")).to_be_hidden()
    shown = page.evaluate("window.shown")
    print(shown)
    # The bytes went up, then the check was followed, counting the rows, to its end.
    assert any(re.fullmatch(r"Sent 3\.8 MB; the server is checking it…", t) for t in shown)
    counted = [
        t for t in shown if re.fullmatch(r"(Reading the file|Checking) .*1\D?000\D?000 rows.*", t)
    ]
    assert counted, shown
    assert shown.index(counted[0]) > max(i for i, t in enumerate(shown) if t.startswith("Sent"))
    assert page.errors == [], page.errors
