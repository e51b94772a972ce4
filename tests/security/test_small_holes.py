"""Smaller holes, tried on the live stack: the instructor's key stays out of the access log,
wrong workshop codes are limited per client address, and a series without a single value
is refused."""

import subprocess
import sys
import time
import urllib.request

import pytest
from django.db import connection

from playground.stack.redis_server import free_port
from playground.stack.supervisor import BASE_DIR
from playground.workshops.codes import MISSES_PER_MINUTE
from tests.conftest import database_url
from tests.forms import multipart
from tests.security.conftest import early_in_a_minute, send

pytestmark = pytest.mark.stack

TOO_MANY = (
    f"Too many wrong workshop codes from your address: at most {MISSES_PER_MINUTE} a minute. "
    "Wait a minute, then try again."
)


@pytest.fixture
def web_with_access_log(stack, tmp_path):
    """The web server as `make run` starts it, writing its access log to a file."""
    log, port = tmp_path / "access.log", free_port()
    env = {**stack.env, "DATABASE_URL": database_url(connection.settings_dict)}
    command = [sys.executable, "-m", "playground.stack.web", "-b", "127.0.0.1", "-p", str(port)]
    command += ["--access-log", str(log), "playground.asgi:application"]
    server = subprocess.Popen(command, cwd=BASE_DIR, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/openapi.json", timeout=5).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "no web server"
                time.sleep(0.2)
        yield url, log
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_instructor_key_stays_out_of_the_access_log(web_with_access_log):
    url, log = web_with_access_log
    answer = send(url, "POST", "/api/workshops", b'{"title": "Keys"}')
    assert answer.status == 201, answer.body
    made = answer.json()
    secret = made["instructor_url"].split("key=")[1]
    assert made["instructor_url"] == f"/w/{made['code']}/instructor/?key={secret}"  # as before

    assert send(url, "GET", made["instructor_url"]).status == 200
    assert send(url, "GET", f"/w/{made['code']}/instructor/?lang=en&k%65y={secret}").status == 200

    deadline = time.monotonic() + 10
    while "k%65y=" not in (written := log.read_text()):
        assert time.monotonic() < deadline, written
        time.sleep(0.1)
    assert secret not in written
    assert f"/w/{made['code']}/instructor/?key=REDACTED" in written
    assert f"/w/{made['code']}/instructor/?lang=en&k%65y=REDACTED" in written


def test_wrong_workshop_codes_are_limited_per_address_then_refused_with_a_429(stack, live, address):
    code, made = live.post("/api/workshops", {"title": "Guess me"})
    assert code == 201
    right = made["code"]
    early_in_a_minute()
    for i in range(MISSES_PER_MINUTE):
        answer = send(stack.url, "GET", f"/api/workshops/NOPE{i:02d}", source=address)
        assert answer.status == 404, (i, answer.body)

    # Past the limit every lookup from this address is refused, the right code too: a right
    # guess must not stand out.
    for path in ["/api/workshops/NOPE99", f"/api/workshops/{right}"]:
        answer = send(stack.url, "GET", path, source=address)
        assert (answer.status, answer.json()) == (429, {"error": TOO_MANY})
    answer = send(
        stack.url, "POST", f"/api/workshops/{right}/join", b'{"name": "A"}', source=address
    )
    assert (answer.status, answer.json()["error"]) == (429, TOO_MANY)
    for page in ["/w/NOPE99/", f"/w/{right}/"]:
        answer = send(stack.url, "GET", page, source=address)
        assert answer.status == 429 and answer.content_type.startswith("text/plain")
        assert answer.body.decode() == TOO_MANY

    # Another address is not affected.
    assert live.get(f"/api/workshops/{right}")[0] == 200


def test_misses_on_the_join_page_count_too(stack, address):
    early_in_a_minute()
    for i in range(MISSES_PER_MINUTE):
        assert send(stack.url, "GET", f"/w/NOPE{i:02d}/", source=address).status == 404
    answer = send(stack.url, "GET", "/api/workshops/NOPE99", source=address)
    assert (answer.status, answer.json()["error"]) == (429, TOO_MANY)


def test_looking_up_the_right_code_often_is_never_limited(stack, live, address):
    code, made = live.post("/api/workshops", {"title": "Busy room"})
    assert code == 201
    early_in_a_minute()
    for _ in range(MISSES_PER_MINUTE + 10):
        answer = send(stack.url, "GET", f"/api/workshops/{made['code']}", source=address)
        assert answer.status == 200
    assert send(stack.url, "GET", f"/w/{made['code']}/", source=address).status == 200


@pytest.mark.parametrize(
    "choices",
    [{}, {"columns": "v"}, {"columns": "v", "missing": "interpolate"}, {"missing": "drop"}],
    ids=["guessed", "chosen", "chosen-interpolated", "dropped"],
)
def test_a_series_whose_value_column_is_all_nan_is_refused(raw, stored, choices):
    before = stored()
    content = ("t,v\n" + "".join(f"{i},NaN\n" for i in range(40))).encode()
    body, content_type = multipart({"kind": "series", **choices}, "s.csv", content)
    answer = raw("POST", "/api/datasets", body, content_type)
    assert answer.status == 422
    assert answer.json() == {
        "error": "column 'v' holds no numbers: every one of its 40 cells is empty, NaN or "
        "infinite. Fill the values in, or choose the value columns to train on with 'columns' "
        "(these hold numbers: 't')",
        "where": "column 'v'",
    }
    assert stored() == before
