"""Hostile input on the live stack is a JSON 4xx with a sentence, never a 500 or an HTML
page, and nothing is stored for it."""

import json

import pytest
from websockets.sync.client import connect

from tests.conftest import tiny_spec
from tests.events_client import EventClient
from tests.forms import multipart

pytestmark = pytest.mark.stack

DEEP = b"[" * 1000 + b"]" * 1000
THOUSANDS_OF_DIGITS = "9" * 5000


@pytest.mark.parametrize("path", ["/api/runs", "/api/runs/check", "/api/workshops"])
def test_json_nested_a_thousand_levels_deep_is_a_400_with_a_sentence(raw, stored, path):
    before = stored()
    answer = raw("POST", path, DEEP)
    assert answer.status == 400
    assert "nests lists or objects more than 32 levels deep" in answer.json()["error"]
    assert stored() == before


def test_a_spec_nested_deeper_than_the_api_takes_is_refused_too(raw, stored):
    """Deep, but not deep enough for Python's parser to give up: refused all the same."""
    before = stored()
    spec = tiny_spec()
    spec["dataset_options"] = json.loads("[" * 200 + "]" * 200)
    answer = raw("POST", "/api/runs", json.dumps(spec).encode())
    assert answer.status == 400 and "levels deep" in answer.json()["error"]
    assert stored() == before


def test_a_number_with_thousands_of_digits_is_a_400_with_a_sentence(raw, stored):
    before = stored()
    body = json.dumps(tiny_spec()).replace('"steps": 60', f'"steps": {THOUSANDS_OF_DIGITS}')
    answer = raw("POST", "/api/runs", body.encode())
    assert answer.status == 400
    assert "has thousands of digits" in answer.json()["error"]
    assert stored() == before


@pytest.mark.parametrize("field", ["steps", "seed", "batch_size"])
def test_a_spec_field_with_a_500_digit_number_is_a_422_naming_the_field(raw, stored, field):
    before = stored()
    spec = tiny_spec()
    spec["training"][field] = 10**500 - 1
    answer = raw("POST", "/api/runs", json.dumps(spec).encode())
    assert answer.status == 422
    assert answer.json()["error"].startswith(f"training.{field}:")
    assert stored() == before


def test_a_body_over_2_5_mb_is_a_413_in_json(raw, stored):
    before = stored()
    body = json.dumps({"title": "a" * (3 * 2**20)}).encode()
    answer = raw("POST", "/api/workshops", body)
    assert answer.status == 413
    assert "larger than 2.5 MB" in answer.json()["error"]
    assert stored() == before


def test_a_form_with_over_1000_fields_is_a_400_in_json(raw, stored):
    before = stored()
    fields = "&".join(f"f{i}=1" for i in range(1500)).encode()
    answer = raw("POST", "/api/datasets", fields, "application/x-www-form-urlencoded")
    assert answer.status == 400
    assert "more than 1,000 fields" in answer.json()["error"]
    body, content_type = multipart(
        {"kind": "series", **{f"f{i}": "1" for i in range(1500)}}, "a.csv", b"t,v\n1,2\n"
    )
    answer = raw("POST", "/api/datasets", body, content_type)
    assert answer.status == 400
    assert "more than 1,000 fields" in answer.json()["error"]
    assert stored() == before


def test_a_multipart_form_without_a_boundary_is_a_400_in_json(raw, stored):
    before = stored()
    answer = raw("POST", "/api/datasets", b"--x--\r\n", "multipart/form-data")
    assert answer.status == 400
    assert "The form could not be read" in answer.json()["error"]
    assert stored() == before


@pytest.mark.parametrize(
    "kind, content",
    [
        ("series", b"t,v\n1,2\n2," + b"1" * (200 * 1024) + b"\n3,4\n"),
        ("labelled-text", b'text,label\n"fine",pos\n"' + b"never ends " * 20000 + b'",neg\n'),
        ("labelled-text", b'text,label\n"fine",pos\n"this never ends,neg\n' + b"a,b\n" * 40000),
    ],
    ids=["series", "labelled-text", "unclosed-quote"],
)
def test_a_csv_cell_over_128_kib_is_a_422_naming_the_line(raw, stored, kind, content):
    before = stored()
    body, content_type = multipart({"kind": kind}, "a.csv", content)
    answer = raw("POST", "/api/datasets", body, content_type)
    assert answer.status == 422
    error = answer.json()
    assert error["error"].startswith("line 3: a cell is longer than 131,072 characters")
    assert "unclosed quote" in error["error"] and error["where"] == "line 3"
    assert stored() == before


@pytest.fixture
def run_id(live):
    code, created = live.post("/api/runs", tiny_spec())
    assert code == 201, created
    yield created["id"]
    live.post(f"/api/runs/{created['id']}/cancel")


@pytest.mark.parametrize("after", [THOUSANDS_OF_DIGITS, "9" * 30, str(2**63)])
def test_events_after_a_seq_past_any_integer_column_is_a_short_400(raw, run_id, after):
    answer = raw("GET", f"/api/runs/{run_id}/events?after={after}")
    assert answer.status == 400
    error = answer.json()["error"]
    assert error.startswith("'after' must be at most 9223372036854775807")
    assert len(error) < 120  # the 5,000 digits are not sent back


def test_events_after_the_largest_seq_are_none(raw, run_id):
    answer = raw("GET", f"/api/runs/{run_id}/events?after={2**63 - 1}")
    assert answer.status == 200 and answer.json()["events"] == []


def test_a_websocket_asking_after_a_huge_seq_gets_nothing_and_stays_open(stack, run_id):
    everything = EventClient(stack.url, run_id, after=0)
    assert everything.next(timeout=10)["seq"] == 1  # the run has a stored event
    everything.close()

    url = stack.url.replace("http://", "ws://") + f"/ws/runs/{run_id}/?after={THOUSANDS_OF_DIGITS}"
    with connect(url, open_timeout=10, ping_interval=None) as socket:
        # Read as after the largest seq: nothing is stored after it.
        socket.send(json.dumps({"after": 0}))
        # Messages Python's parser gives up on are answered, and the socket stays open.
        for message in ["[" * 1000 + "]" * 1000, '{"after": ' + THOUSANDS_OF_DIGITS + "}", "{"]:
            socket.send(message)
            assert 'Send {"after": SEQ}' in json.loads(socket.recv(timeout=10))["error"]
        socket.send(json.dumps({"after": 10**100}))  # past any seq: clamped, nothing sent
        socket.send("not json")
        assert "error" in json.loads(socket.recv(timeout=10))  # the first answer: no events
