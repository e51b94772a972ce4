"""Uploading through the Django test client, in the background when a test needs the work
pool busy, and following an upload's progress by its token."""

import threading
import time
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client

# A million rows of two one-digit columns (4 MB, under the 5 MB limit): seconds to check.
MILLION_ROWS = b"a,b\n" + b"".join(f"{i % 10},{i * 7 % 10}\n".encode() for i in range(100)) * 10_000
SMALL = b"t,v\n" + b"".join(f"{i},{i % 7}\n".encode() for i in range(40))
PHASES = ["waiting", "reading", "checking", "storing", "done"]  # in order


def token() -> str:
    return uuid.uuid4().hex


def post(content: bytes, progress: str | None = None, **fields):
    form = {"file": SimpleUploadedFile("data.csv", content), "kind": "series", **fields}
    if progress:
        form["progress"] = progress
    return Client().post("/api/datasets", form)


def in_background(content: bytes, progress: str | None = None) -> dict:
    """Upload in a thread; the answer lands in the returned dict under "answer" (join its
    "thread" first)."""
    box: dict = {}

    def upload() -> None:
        try:
            box["answer"] = post(content, progress)
        finally:
            # The view's queries opened this thread's own connection: left open, PostgreSQL's
            # is collected later, in whichever test runs then, as an unclosed-connection error.
            connections.close_all()

    thread = threading.Thread(target=upload)
    thread.start()
    box["thread"] = thread
    return box


def progress_of(progress: str) -> tuple[int, dict]:
    answer = Client().get(f"/api/uploads/{progress}/progress")
    return answer.status_code, answer.json()


def wait_for_phase(progress: str, phases: set[str], timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status, state = progress_of(progress)
        if status == 200 and state["phase"] in phases:
            return state
        assert time.monotonic() < deadline, f"the upload never reached {phases}: {state}"
        time.sleep(0.02)
