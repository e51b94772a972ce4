"""While a million-row CSV is uploaded and checked, the web process keeps answering.

On the live stack, one client uploads a 1M-row, two-column series (4 MB, under the 5 MB
limit) from a process of its own (so that building and sending the form never holds up
the measuring client) while another asks, one request after the other, for GET
/api/health and a run's page (/runs/<id>/, a finished run). Reported: the median and the slowest answer of each
over the upload, the same with no upload (quiet), the upload's own time, and whether
both stayed within the 100 ms target; and, before the stack starts, the check itself
(sequences.uploads.prepare and packing the data) on the same file in this process.

    python -m bench.upload_load                 # a stack of its own, from this checkout
    python -m bench.upload_load --url URL       # a stack already serving at URL
"""

import argparse
import json
import multiprocessing
import statistics
import threading
import time
import urllib.error
import urllib.request

from bench import results
from bench.live_stack import live_stack
from sequences.uploads import prepare
from tests.conftest import Browserless
from tests.forms import multipart

TARGET_S = 0.1
QUIET_S = 3.0  # how long the quiet figures are sampled
PAUSE_S = 0.02  # between two requests of the sampling client
# A million rows of two one-digit columns: 4 MB, under the upload limit.
MILLION_ROWS = b"a,b\n" + b"".join(f"{i % 10},{i * 7 % 10}\n".encode() for i in range(100)) * 10_000
RUN = {
    "dataset": "adding",
    "dataset_options": {"length": 10},
    "model": {"cell": "gru", "hidden": 8},
    "training": {"steps": 30, "batch_size": 8},
}


def check_seconds(rounds: int = 3) -> float:
    """The median time to check and pack the file here, with nothing else running."""
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        prepare(MILLION_ROWS, "series").to_bytes()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def get(url: str) -> float:
    """Seconds until the whole answer of one GET came (it must be a 200)."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
        assert response.status == 200, response.status
    return time.perf_counter() - started


def sample(url: str, paths: list[str], going: threading.Event) -> dict[str, list[float]]:
    """Each path in turn, one request at a time, while `going` is set (at least once)."""
    seconds: dict[str, list[float]] = {path: [] for path in paths}
    while True:
        for path in paths:
            seconds[path].append(get(url + path))
            time.sleep(PAUSE_S)
        if not going.is_set():
            return seconds


def upload(client: Browserless, content: bytes, sending=None) -> tuple[int, float]:
    """(status, seconds) of one upload; `sending` is set just before the bytes go."""
    body, content_type = multipart({"kind": "series"}, "million.csv", content)
    request = urllib.request.Request(
        client.base_url + "/api/datasets",
        data=body,
        method="POST",
        headers={"Content-Type": content_type},
    )
    if sending is not None:
        sending.set()
    started = time.perf_counter()
    try:
        with client.opener.open(request, timeout=300) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - started


def upload_from_here(url: str, sending, answers) -> None:
    """The upload, in a process of its own (a new browser to the server)."""
    answers.put(upload(Browserless(url), MILLION_ROWS, sending))


def figures(seconds: dict[str, list[float]]) -> dict:
    return {
        path: {
            "median_ms": round(1000 * statistics.median(s), 1),
            "max_ms": round(1000 * max(s), 1),
            "requests": len(s),
        }
        for path, s in seconds.items()
    }


def measure(url: str) -> dict:
    client = Browserless(url)
    status, run = client.post("/api/runs", RUN)
    assert status == 201, run
    finished = client.wait_for_status(run["id"], {"completed", "failed", "diverged"})
    assert finished["status"] == "completed", finished
    paths = ["/api/health", f"/runs/{run['id']}/"]
    sample(url, paths, threading.Event())  # warm: imports, connections, templates
    upload(client, MILLION_ROWS)  # warm the upload path (a process pool starts, if any)

    going = threading.Event()
    going.set()
    threading.Timer(QUIET_S, going.clear).start()
    quiet = sample(url, paths, going)

    context = multiprocessing.get_context("spawn")
    sending, answers = context.Event(), context.Queue()
    uploader = context.Process(target=upload_from_here, args=(url, sending, answers))
    uploader.start()
    assert sending.wait(timeout=120), "the uploading process did not start"
    going.set()
    threading.Thread(target=lambda: (uploader.join(), going.clear())).start()
    during = sample(url, paths, going)
    status, seconds = answers.get(timeout=60)
    assert status == 201, status
    busy = figures(during)
    return {
        "benchmark": "GET /api/health and a run page, one after the other, while a "
        "1M-row CSV (4 MB) is uploaded and checked",
        "upload_s": round(seconds, 2),
        "quiet": figures(quiet),
        "during_upload": busy,
        "target_ms": 1000 * TARGET_S,
        "within_target": all(f["max_ms"] <= 1000 * TARGET_S for f in busy.values()),
    }


def main(url: str | None = None) -> dict:
    check = check_seconds()
    if url:
        report = measure(url)
    else:
        with live_stack("bench-upload.sqlite3") as stack:
            report = measure(stack.url)
    report["check_in_process_s"] = round(check, 2)
    print(json.dumps(report, indent=2))
    results.save("upload_load", report)
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a stack already serving (default: start one)")
    main(parser.parse_args().url)
