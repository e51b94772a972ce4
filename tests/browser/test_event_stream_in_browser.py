"""The pages' one stream client (event_stream.js): duplicates dropped, errors set aside,
and a dropped connection resumed where it stopped, with nothing missed or shown twice."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import train_from_page

pytestmark = [pytest.mark.stack, pytest.mark.browser]

POINTS = "document.getElementById('loss-chart').data?.[0].x ?? []"

# Every WebSocket the page opens, kept on window.sockets, so a test can drop one.
KEEP_SOCKETS = """
window.sockets = [];
window.WebSocket = class extends window.WebSocket {
  constructor(...args) { super(...args); window.sockets.push(this); }
};
"""

# A stand-in WebSocket the test drives by hand: open, message, close with a code; what the
# stream sends on it is kept on `sent`. The stream's last word is a `done` message.
FAKE_SOCKETS = """async () => {
  const sockets = [];
  window.WebSocket = class {
    constructor(url) { this.url = url; this.sent = []; this.closed = false; sockets.push(this); }
    send(text) { this.sent.push(JSON.parse(text)); }
    close() { this.closed = true; }
  };
  const { EventStream } = await import("/static/js/event_stream.js");
  const seen = { events: [], errors: [], states: [] };
  const stream = new EventStream("/ws/workshops/ABC/", {
    onEvent: (e) => seen.events.push(e.seq),
    onError: (e) => seen.errors.push(e.error),
    onState: (s) => seen.states.push(s),
    ends: (e) => e.type === "done",
  });
  const send = (socket, message) => socket.onmessage({ data: JSON.stringify(message) });
  window.fake = { sockets, stream, seen, send };
}"""


def test_the_stream_delivers_each_seq_once_resumes_after_it_and_stops_when_gone(stack, page_of):
    page = page_of()
    page.goto(stack.url + "/compare/")
    page.evaluate(FAKE_SOCKETS)
    first = page.evaluate("""() => {
      const { sockets, stream, seen, send } = window.fake;
      sockets[0].onopen();
      for (const m of [{ type: "snapshot", seq: 3 }, { seq: 3 }, { seq: 4 }, { seq: 2 }, { seq: 4 },
                       { error: "bad" }, { type: "snapshot", seq: 4 }, { seq: 5 }]) send(sockets[0], m);
      sockets[0].onclose({ code: 1006 });
      return { url: sockets[0].url, seen, state: stream.state };
    }""")
    assert first["url"].endswith("/ws/workshops/ABC/")  # a first connect asks for everything
    assert first["seen"] == {
        "events": [3, 4, 4, 5],
        "errors": ["bad"],
        "states": ["connecting", "open", "reconnecting"],
    }
    # The stream comes back by itself, asking for what follows the last seq it delivered.
    page.wait_for_function("window.fake.sockets.length === 2")
    second = page.evaluate("""() => {
      const { sockets, stream, seen, send } = window.fake;
      sockets[1].onopen();
      for (const m of [{ seq: 5 }, { seq: 6 }]) send(sockets[1], m);
      sockets[1].onclose({ code: 4404, reason: "" });  // the workshop is gone: stop for good
      return { url: sockets[1].url, seen, state: stream.state, timer: stream.timer };
    }""")
    assert second["url"].endswith("/ws/workshops/ABC/?after=5")
    assert second["seen"]["events"] == [3, 4, 4, 5, 6]
    assert len(second["seen"]["errors"]) == 2
    assert second["seen"]["states"][-2:] == ["open", "closed"]
    assert second["state"] == "closed" and second["timer"] is None
    assert page.errors == []


def test_the_stream_backs_off_while_the_server_is_away_and_resets_once_back(stack, page_of):
    page = page_of()
    page.goto(stack.url + "/compare/")
    page.evaluate(FAKE_SOCKETS)
    # Each drop is retried at once here, but the wait the stream asked for is recorded.
    tries = page.evaluate("""async () => {
      const { sockets, stream } = window.fake;
      const tries = [];
      const realTimeout = window.setTimeout;
      // Swapped in only while the close is handled, which is synchronous: the page's own
      // timers (its polls) set in between are not the stream's and are left alone.
      const recording = (retry, wait) => {
        tries.push({ delay: stream.delay, wait });
        return realTimeout(retry, 0);
      };
      for (let i = 0; i < 8; i++) {
        window.setTimeout = recording;
        try {
          sockets[i].onclose({ code: 1006 });
        } finally {
          window.setTimeout = realTimeout;
        }
        while (sockets.length < i + 2) await new Promise((done) => realTimeout(done, 1));
      }
      return tries;
    }""")
    # The delay doubles from 0.5 s up to 10 s; each wait is that base, give or take a quarter.
    bases = [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]
    assert [t["delay"] for t in tries] == [*bases[1:], 10_000]  # the next try's base
    for base, tried in zip(bases, tries, strict=True):
        assert 0.75 * base <= tried["wait"] <= 1.25 * base
    page.evaluate("window.fake.sockets.at(-1).onopen()")
    assert page.evaluate("window.fake.stream.delay") == 500  # back: the next drop starts over
    page.evaluate("window.fake.stream.close()")
    assert page.evaluate("window.fake.stream.state") == "closed"
    assert page.errors == []


def test_a_quiet_stream_asks_again_reconnects_when_dead_and_rests_once_ended(stack, page_of):
    page = page_of()
    # The page's clock moves only when the test says: quiet spells pass at once.
    page.clock.install()
    page.goto(stack.url + "/compare/")
    page.evaluate(FAKE_SOCKETS)
    first = "window.fake.sockets[0]"
    page.evaluate(f"{first}.onopen(); window.fake.send({first}, {{ seq: 4 }})")
    page.clock.run_for(14_000)
    assert page.evaluate(f"{first}.sent") == []  # not quiet for long yet
    page.clock.run_for(1_000)
    # Fifteen seconds without a message: it asks the server again for what follows seq 4.
    assert page.evaluate(f"{first}.sent") == [{"after": 4}]
    # A message starts the quiet spell over; each spell after it asks again.
    page.evaluate(f"window.fake.send({first}, {{ seq: 5 }})")
    page.clock.run_for(10_000)
    assert page.evaluate(f"{first}.sent") == [{"after": 4}]
    page.clock.run_for(35_000)
    assert page.evaluate(f"{first}.sent") == [{"after": 4}, *[{"after": 5}] * 3]
    # A minute without an answer: the socket is taken for dead, and replaced.
    page.clock.run_for(15_000)
    assert len(page.evaluate(f"{first}.sent")) == 4
    assert page.evaluate(f"{first}.closed") and page.evaluate("window.fake.stream.state") == (
        "reconnecting"
    )
    page.clock.run_for(1_000)
    second = "window.fake.sockets[1]"
    assert page.evaluate(f"{second}.url").endswith("/ws/workshops/ABC/?after=5")
    # Once the last word has come, nothing more is waited for: it never asks again.
    page.evaluate(f"{second}.onopen(); window.fake.send({second}, {{ type: 'done', seq: 6 }})")
    page.clock.run_for(300_000)
    assert page.evaluate(f"{second}.sent") == []
    assert page.evaluate("window.fake.sockets.length") == 2
    assert page.evaluate("window.fake.seen.events") == [4, 5, 6]
    assert page.errors == []


def test_a_run_page_resumes_after_a_dropped_connection_without_duplicates_or_gaps(stack, page_of):
    page = page_of()
    page.add_init_script(KEEP_SOCKETS)
    train_from_page(page, stack.url, fills={"steps": "600", "hidden": "16", "option-length": "10"})
    run_id = page.url.rstrip("/").split("/")[-1]
    page.wait_for_function(f"{POINTS}.length > 0", timeout=60_000)
    # Drop the connection twice while the run trains; the page reconnects each time.
    for drops in (1, 2):
        seen = page.evaluate(f"{POINTS}.length")
        page.evaluate("window.sockets.at(-1).close()")
        page.wait_for_function(f"window.sockets.length === {drops + 1}")
        expect(page.locator("#connection")).to_have_attribute("data-state", "open")
        page.wait_for_function(f"{POINTS}.length > {seen}", timeout=60_000)
    resumed = page.evaluate("window.sockets.map((s) => s.url)")
    assert "?after=" not in resumed[0]
    assert all(int(url.split("?after=")[1]) > 0 for url in resumed[1:])

    expect(page.locator("#status")).to_have_text("completed", timeout=180_000)
    stored = page.evaluate(f"fetch('/api/runs/{run_id}/events').then((r) => r.json())")
    steps = [
        point["step"]
        for event in stored["events"]
        if event["type"] == "metrics"
        for point in event.get("points", [event])
    ]
    page.wait_for_function(f"{POINTS}.length === {len(steps)}")
    # Every stored point exactly once, in order: nothing missed, nothing twice.
    assert page.evaluate(POINTS) == steps
    assert page.evaluate("Number(document.body.dataset.lastSeq)") == stored["events"][-1]["seq"]
    assert page.errors == []


def test_a_board_catches_up_after_a_dropped_connection(stack, page_of, client_of):
    teacher = client_of()
    _, made = teacher.post("/api/workshops", {"title": "Drops"})
    page = page_of()
    page.add_init_script(KEEP_SOCKETS)
    page.goto(stack.url + made["join_url"])
    expect(page.locator("#connection")).to_have_attribute("data-state", "open")
    # Someone joins while this screen is away: the snapshot on reconnect brings them.
    page.evaluate("window.sockets[0].close()")
    client_of().post(f"/api/workshops/{made['code']}/join", {"name": "Ada"})
    page.wait_for_function("window.sockets.length === 2")
    expect(page.locator("#people li")).to_have_text(["Ada"])
    # And the board stays live on the new connection.
    client_of().post(f"/api/workshops/{made['code']}/join", {"name": "Grace"})
    expect(page.locator("#people li")).to_have_text(["Ada", "Grace"])
    assert page.errors == []
