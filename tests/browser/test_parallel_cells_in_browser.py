"""A student picks minGRU on the build page, trains it on the adding problem and looks
inside it: its update gate, why it has no W_hh to stretch, and how far the parallel scan it
trains with lies from the step-by-step loop the panels unroll."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_started_run, screenshot

pytestmark = [pytest.mark.stack, pytest.mark.browser]

HEATMAP_Z = "document.getElementById('probe-heatmap').data?.[0].z.length ?? 0"
SCAN_LINE = re.compile(
    r"^Parallel scan vs step-by-step loop: largest difference (0|\d\.\de[-+]\d+) "
    r"\((0|\d\.\de[-+]\d+) of the largest answer\)\.$"
)


def heatmap_range(page) -> tuple[float, float]:
    """The smallest and largest value of the heatmap on show."""
    return tuple(
        page.evaluate(
            "(() => { const z = document.getElementById('probe-heatmap').data[0].z.flat();"
            " return [Math.min(...z), Math.max(...z)]; })()"
        )
    )


def trained_and_open(page) -> None:
    """Train the build page's choice for 60 steps and wait on its run page for the end and
    the first heatmap."""
    page.fill("#steps", "60")
    page.click("#train")
    open_started_run(page)
    expect(page.locator("#status")).to_have_text("completed", timeout=60_000)
    page.wait_for_function(f"{HEATMAP_Z} > 0")


def test_a_student_trains_a_mingru_and_looks_inside_it(stack, page_of):
    page = page_of()
    page.goto(stack.url + "/")
    page.select_option("#cell", "mingru")
    expect(page.locator('[data-choice-hints-for="cell"]')).to_contain_text("parallel scan")
    expect(page.locator("#diagram")).to_contain_text("minGRU")
    # What minGRU cannot take is greyed out with why before anyone picks it.
    expect(page.locator("#bidirectional")).to_be_disabled()
    expect(page.locator('[data-unavailable-for="bidirectional"]')).to_contain_text(
        "minGRU reads forwards only"
    )
    expect(page.locator('#init option[value="orthogonal"]')).to_be_disabled()
    expect(page.locator('#init option[value="default"]')).to_be_enabled()
    expect(page.locator("#activation")).to_be_hidden()
    trained_and_open(page)
    # The map that opens is the gate that decides what is kept.
    expect(page.locator("#probe-map")).to_have_value("l0.update")
    expect(page.locator("#probe-reading")).to_contain_text("near 1 minGRU takes the candidate")
    low, high = heatmap_range(page)
    assert 0 <= low <= high <= 1, (low, high)  # a sigmoid gate
    # No W_hh: the panel says why nothing explodes there instead of an empty list.
    expect(page.locator("#probe-spectral-card")).to_be_visible()
    expect(page.locator("#probe-spectral-note")).to_contain_text(
        "minGRU has no W_hh: its state is carried by h_t = a_t ⊙ h_(t-1) + b_t, where a_t < 1"
    )
    expect(page.locator("#probe-spectral dt")).to_have_count(0)
    # The parallel scan and the sequential loop agree to rounding.
    expect(page.locator("#probe-scan")).to_have_text(SCAN_LINE)
    largest = float(SCAN_LINE.match(page.locator("#probe-scan").inner_text())[1])
    assert largest < 1e-4, largest
    # Holding a gate offers minGRU's own.
    gates = page.locator("#change-gate option").all_text_contents()
    assert gates == ["update (z)", "candidate (h~)"], gates
    # One step's arithmetic: h = (1 − z)·h_prev + z·h~ with the page's own numbers.
    page.fill("#explain-t", "5")
    page.fill("#explain-units", "2")
    page.click("#explain-go")
    unit = page.locator("#ask-explain .explained")
    expect(unit).to_have_count(1, timeout=30_000)
    z, h_prev, candidate, h = (
        float(unit.locator(f"dd[data-term='{term}']").inner_text())
        for term in ("z", "h_prev", "h~", "h")
    )
    assert abs((1 - z) * h_prev + z * candidate - h) < 0.005, (z, h_prev, candidate, h)
    expect(unit.locator("ol.equations")).to_contain_text("h_t = (1 − z)⊙h_{t−1} + z⊙h~ = ")
    screenshot(page, "run-page-mingru")
    assert page.errors == []


def test_a_student_writes_out_one_step_of_a_selective_ssm(stack, page_of):
    page = page_of()
    page.goto(stack.url + "/")
    page.select_option("#cell", "ssm")
    trained_and_open(page)
    expect(page.locator("#probe-map")).to_have_value("l0.decay")
    # One step's arithmetic: each state number decays and is written to, then all are read.
    page.fill("#explain-t", "4")
    page.fill("#explain-units", "1")
    page.click("#explain-go")
    unit = page.locator("#ask-explain .explained")
    expect(unit).to_have_count(1, timeout=30_000)
    expect(unit.locator("caption").last).to_have_text("The 8 state numbers of channel 1")

    def term(name: str) -> float:
        return float(unit.locator(f"[data-term='{name}']").inner_text())

    for n in range(8):
        decay, h_prev, written, h = (
            term(f"states.{n}.{name}") for name in ("decay", "h_prev", "written", "h")
        )
        assert abs(decay * h_prev + written - h) < 0.002, (n, decay, h_prev, written, h)
        assert 0 < decay <= 1
    reads = sum(term(f"states.{n}.read") for n in range(8))
    assert abs(reads + term("D") * term("u") - term("y")) < 0.01
    assert abs(term("y") * term("silu_z") - term("gated")) < 0.002
    equations = unit.locator("ol.equations")
    expect(equations).to_contain_text("Δ = softplus(W_Δ·u + b_Δ) = softplus(")
    expect(equations).to_contain_text("y = Σ C_n·h_n + D·u = ")
    expect(equations).to_contain_text("mixes every channel")
    screenshot(page, "run-page-ssm-explain")
    assert page.errors == []
