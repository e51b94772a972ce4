"""A resumed run on its page: the steps trained again after the checkpoint replace the
points the lost worker had sent, so the charts stay one continuous curve."""

import pytest

from tests.conftest import tiny_spec

pytestmark = [pytest.mark.stack, pytest.mark.browser]

# The page's stream gets a stand-in WebSocket the test drives by hand.
FAKE_SOCKETS = """
window.sockets = [];
window.WebSocket = class { constructor(url) { this.url = url; window.sockets.push(this); } close() {} };
"""
SEND = """(messages) => {
  const socket = window.sockets[0];
  socket.onopen();
  for (const m of messages) socket.onmessage({ data: JSON.stringify(m) });
}"""
CHARTS = """() => Object.fromEntries(["loss-chart", "grad-chart"].map((id) => [
  id, document.getElementById(id).data.map((t) => ({ x: Array.from(t.x), y: Array.from(t.y) })),
]))"""


def point(step: int, first_try: bool) -> dict:
    """A metrics point; the lost worker's try reads 1 higher, to tell the two apart."""
    loss = 1 / step + (1 if first_try else 0)
    extra = {"val_loss": loss + 0.1} if step % 4 == 0 else {}
    return {"step": step, "loss": loss, "grad_norm": loss, "lr": 0.01, **extra}


def metrics(seq: int, steps: range, first_try: bool) -> dict:
    points = [point(s, first_try) for s in steps]
    return {"seq": seq, "type": "metrics", "time": 1, **points[-1], "points": points}


def status(seq: int, name: str, message: str = "") -> dict:
    return {"seq": seq, "type": "status", "time": 1, "status": name, "message": message}


def test_steps_trained_again_replace_the_lost_workers_points(live, stack, page_of):
    code, body = live.post("/api/runs", tiny_spec())
    assert code == 201
    live.wait_for_status(body["id"], {"completed"})
    page = page_of()
    page.add_init_script(FAKE_SOCKETS)
    page.goto(f"{stack.url}/runs/{body['id']}/")
    page.wait_for_function("window.sockets.length === 1")

    resumed = "The worker training this run stopped answering; resuming from step 6."
    page.evaluate(
        SEND,
        [
            status(1, "queued"),
            status(2, "running"),
            metrics(3, range(1, 6), first_try=True),
            metrics(4, range(6, 10), first_try=True),  # steps 7-9 are lost with the worker
            status(5, "queued", resumed),
            status(6, "running"),
            metrics(7, range(7, 11), first_try=False),
            metrics(8, range(11, 13), first_try=False),
        ],
    )
    # The charts are drawn once Plotly has arrived (it loads after the page has painted).
    page.wait_for_function("document.getElementById('grad-chart').data?.[0].x.length >= 12")
    charts = page.evaluate(CHARTS)
    train, validation = charts["loss-chart"]
    assert train["x"] == list(range(1, 13))  # one curve: no step twice, none missing
    assert train["y"] == [point(s, first_try=s <= 6)["loss"] for s in range(1, 13)]
    assert validation["x"] == [4, 8, 12]
    assert validation["y"][1] == point(8, first_try=False)["val_loss"]  # the new try's
    assert charts["grad-chart"][0]["x"] == list(range(1, 13))
    assert page.text_content("#status-message") == ""  # running again
    assert page.errors == []


def test_the_compare_page_keeps_one_curve_per_run_too(stack, page_of):
    page = page_of()
    page.goto(stack.url + "/compare/")
    kept = page.evaluate("""async () => {
      const { continued } = await import("/static/js/redone.js");
      const steps = (ps) => ps.map((p) => p.step);
      const at = (...s) => s.map((step) => ({ step }));
      return [
        steps(continued(at(1, 2, 3, 4), at(3, 4, 5))),
        steps(continued(at(1, 2), at(3, 4))),
        steps(continued(at(1, 2), [])),
        steps(continued(at(4, 5), at(1, 2))),
      ];
    }""")
    assert kept == [[1, 2, 3, 4, 5], [1, 2, 3, 4], [1, 2], [1, 2]]
