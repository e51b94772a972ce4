"""Uploads through the live server: an oversized file is refused while it streams in, a
run on an uploaded series trains on the real worker and streams forecasts, and the
upload checkers end with their web process."""

import json
import math
import select
import signal
import socket
import time
import urllib.request
from urllib.parse import urlparse

import pytest

from playground.stack.redis_server import free_port
from playground.stack.supervisor import Stack
from sequences.uploads.prepare import MAX_BYTES
from tests.conftest import Browserless
from tests.forms import multipart
from tests.processes import alive, descendants

pytestmark = pytest.mark.stack


def upload(client, filename, content: bytes, **fields) -> tuple[int, dict]:
    body, content_type = multipart(fields, filename, content)
    request = urllib.request.Request(
        client.base_url + "/api/datasets",
        data=body,
        method="POST",
        headers={"Content-Type": content_type},
    )
    try:
        with client.opener.open(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def answer_while_sending(url: str, headers: dict, chunks, chunked: bool) -> tuple[bytes, int]:
    """Send a POST piece by piece, listening for an answer before each piece; stop as soon
    as the server answers. Returns the answer and how many body bytes had been sent."""
    where = urlparse(url)
    sock = socket.create_connection((where.hostname, where.port), timeout=10)
    head = ["POST /api/datasets HTTP/1.1", f"Host: {where.netloc}"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
    sent = 0
    try:
        for chunk in chunks:
            # Read an answer as soon as there is one: once the server has answered and
            # closed, more bytes sent would reset the connection and lose the answer.
            if select.select([sock], [], [], 0.02)[0]:
                return sock.recv(65536), sent
            sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" if chunked else chunk)
            sent += len(chunk)
        return sock.recv(65536), sent
    finally:
        sock.close()


def test_an_oversized_upload_is_refused_before_it_is_all_sent(stack):
    # Declared too large: the answer comes before any of the body is sent.
    answer, sent = answer_while_sending(
        stack.url,
        {"Content-Type": "multipart/form-data; boundary=x", "Content-Length": 50 * 2**20},
        [b"x" * 65536] * 800,
        chunked=False,
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"larger than 5 MB" in answer
    assert sent < 50 * 2**20
    # Length unknown (chunked): refused once the bytes pass the limit, not at the end.
    answer, sent = answer_while_sending(
        stack.url,
        {"Content-Type": "multipart/form-data; boundary=x", "Transfer-Encoding": "chunked"},
        (b"y" * 65536 for _ in range(30 * 16)),
        chunked=True,
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    print(f"refused after {sent / 2**20:.1f} MiB of 30 MiB")
    assert MAX_BYTES < sent < 20 * 2**20


def test_a_run_on_an_uploaded_series_streams_its_forecast(client_of):
    client = client_of()
    rows = "".join(
        f"2025-01-01 {i // 60:02d}:{i % 60:02d},{20 + 5 * math.sin(i / 8):.3f}\n"
        for i in range(300)
    )
    status, dataset = upload(
        client, "temps.csv", ("time,temperature\n" + rows).encode(), kind="series"
    )
    assert status == 201, dataset
    spec = {
        "dataset": dataset["id"],
        "paradigm": "many-to-one",
        "dataset_options": {"window": 24},
        "model": {"cell": "lstm", "hidden": 16},
        "training": {"steps": 150, "batch_size": 16},
    }
    status, run = client.post("/api/runs", spec)
    assert status == 201, run
    finished = client.wait_for_status(run["id"], {"completed", "failed", "diverged"})
    assert finished["status"] == "completed", finished["error"]
    _, log = client.get(f"/api/runs/{run['id']}/events")
    samples = [e for e in log["events"] if e["type"] == "sample"]
    assert samples and samples[-1]["step"] == 150
    last = samples[-1]
    assert last["kind"] == "forecast" and last["columns"] == ["temperature"]
    assert last["x"][0].startswith("2025-01-01")  # the time column labels the axis
    assert all(14 < v < 26 for v in last["actual"]["temperature"])  # degrees, as uploaded
    error = sum(
        abs(p - a)
        for p, a in zip(
            last["predicted"]["temperature"],
            last["actual"]["temperature"][last["forecast_from"] :],
            strict=False,
        )
    ) / len(last["predicted"]["temperature"])
    print(f"mean absolute error of the one-step forecast: {error:.3f} degrees")
    assert error < 2.5  # it learned something about a smooth wave


@pytest.mark.parametrize("end", ["stopped", "killed"])
def test_the_upload_checkers_end_with_their_web_process(stack, end):
    """Stopped (TERM), the web process stops its pool; killed outright, its fork server
    ends and takes the checkers with it (PR_SET_PDEATHSIG). Nobody else kills them here."""
    web = Stack(port=free_port(), env=stack.env, embedded_redis=False)
    web.start("web")
    try:
        web.wait_ready(workers=0)
        rows = "".join(f"{i},{i % 7}\n" for i in range(40))
        status, answer = upload(
            Browserless(web.url), "s.csv", ("t,v\n" + rows).encode(), kind="series"
        )
        assert status == 201, answer
        server = web.processes["web-1"]
        family = descendants(server.pid)
        assert 2 in family.values(), family  # a checker, below the fork server
        server.send_signal(signal.SIGTERM if end == "stopped" else signal.SIGKILL)
        server.wait(timeout=30)
        deadline = time.monotonic() + 10
        while (left := [pid for pid in family if alive(pid)]) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not left, f"still running after the web process {end}: {left}"
    finally:
        web.stop()
