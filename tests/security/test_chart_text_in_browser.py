"""Text from strangers' uploads (labels, column names) shows in every chart exactly as typed:
Plotly never turns it into a link or markup, on the build page's preview, on the run page
(samples and Try it) of a run that anyone can open."""

import math

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import browser, page_of  # noqa: F401 (fixtures)
from tests.conftest import Browserless
from tests.uploads.test_uploads_on_the_stack import upload

pytestmark = [pytest.mark.stack, pytest.mark.browser]

LINK = '<a href="https://evil.example/">click</a>'
BOLD = "<b>bold</b> &amp; &lt;i&gt;"


def quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


def chart_text(page, selector: str) -> dict:
    """What a chart drew: its links, its bold text and all its text."""
    return page.evaluate(
        """(selector) => {
          const svgs = [...document.querySelectorAll(`${selector} svg`)];
          const all = (css) => svgs.flatMap((svg) => [...svg.querySelectorAll(css)]);
          return {
            links: all("a").length,
            bold: all("tspan[style*='bold']").length,
            text: svgs.map((svg) => svg.textContent).join(" "),
          };
        }""",
        selector,
    )


def assert_shown_as_typed(page, selector: str, *texts: str) -> None:
    expect(page.locator(f"{selector} .main-svg").first).to_be_visible(timeout=120_000)
    drawn = chart_text(page, selector)
    assert drawn["links"] == 0 and drawn["bold"] == 0, drawn
    for text in texts:
        assert text in drawn["text"], (text, drawn["text"][:2000])


def trained(client, dataset_id: str, **spec) -> str:
    status, run = client.post(
        "/api/runs",
        {
            "dataset": dataset_id,
            "model": {"cell": "gru", "hidden": 8},
            "training": {"steps": 40, "batch_size": 8},
            **spec,
        },
    )
    assert status == 201, run
    finished = client.wait_for_status(run["id"], {"completed", "failed"}, timeout=300)
    assert finished["status"] == "completed", finished["error"]
    return run["id"]


def test_labels_from_an_upload_show_as_typed_in_every_chart(stack, page_of):  # noqa: F811
    client = Browserless(stack.url)
    rows = [
        f'"the food was {word} today",{quoted(label)}'
        for n in range(40)
        for word, label in (("lovely", LINK), ("awful", BOLD))
    ]
    csv = "text,label\n" + "\n".join(rows) + "\n"
    status, dataset = upload(
        client,
        "labels.csv",
        csv.encode(),
        kind="labelled-text",
        text_column="text",
        label_column="label",
    )
    assert status == 201, dataset
    assert sorted(dataset["summary"]["classes"]) == sorted([LINK, BOLD])
    run_id = trained(client, dataset["id"])

    page = page_of()
    # Someone else's upload, opened by link: the preview plots its label balance.
    page.goto(f"{stack.url}/#dataset={dataset['id']}")
    assert_shown_as_typed(page, "#dataset-preview", LINK, BOLD)

    page.goto(f"{stack.url}/runs/{run_id}/")
    expect(page.locator("#status")).to_have_text("completed", timeout=60_000)
    assert_shown_as_typed(page, "#sample-chart", LINK, BOLD)  # the confusion matrix
    page.fill("#try-input", "the food was lovely")
    page.click("#try-go")
    assert_shown_as_typed(page, "#try-chart", LINK, BOLD)
    assert page.errors == []


def test_column_names_from_an_upload_show_as_typed_in_every_chart(stack, page_of):  # noqa: F811
    client = Browserless(stack.url)
    column = '<a href="https://evil.example/">temp</a> <b>°C</b>'
    # Two columns, so that the charts show a legend.
    rows = "".join(f"{20 + 5 * math.sin(i / 8):.3f},{i % 3}\n" for i in range(200))
    csv = f"{quoted(column)},rain\n{rows}"
    status, dataset = upload(client, "series.csv", csv.encode(), kind="series")
    assert status == 201, dataset
    assert dataset["summary"]["columns"] == [column, "rain"]
    run_id = trained(client, dataset["id"], paradigm="many-to-one", dataset_options={"window": 12})

    page = page_of()
    page.goto(f"{stack.url}/#dataset={dataset['id']}")
    assert_shown_as_typed(page, "#dataset-preview", column)

    page.goto(f"{stack.url}/runs/{run_id}/")
    expect(page.locator("#status")).to_have_text("completed", timeout=60_000)
    assert_shown_as_typed(page, "#sample-chart", f"{column} (forecast)")
    page.click("#try-go")
    assert_shown_as_typed(page, "#try-chart", f"{column} (forecast)")
    assert page.errors == []
