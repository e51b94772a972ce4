"""Uploads are checked in a bounded pool of checker processes: the page can follow the
check by a token, a full pool refuses at once with a 503 and stores nothing, and a
checker that dies mid-check gets a 503 while the next upload is checked afresh."""

import os
import signal
import time

import pytest
from django.test import Client

from playground.datasets.models import Dataset
from tests.processes import descendants
from tests.uploading import (
    MILLION_ROWS,
    PHASES,
    SMALL,
    in_background,
    post,
    progress_of,
    token,
    wait_for_phase,
)

pytestmark = pytest.mark.django_db(transaction=True)


def checkers() -> list[int]:
    """The pool's checkers: this process's grandchildren (children of its fork server)."""
    return [pid for pid, depth in descendants(os.getpid()).items() if depth == 2]


def test_the_page_follows_the_check_by_its_token_from_reading_to_done(work_pool_of):
    work_pool_of(processes=1, queue=2)
    mine = token()
    upload = in_background(MILLION_ROWS, mine)
    seen = []
    while upload["thread"].is_alive():
        status, state = progress_of(mine)
        if status == 200 and (not seen or seen[-1] != state):
            seen.append(state)
        time.sleep(0.02)
    upload["thread"].join()
    assert upload["answer"].status_code == 201, upload["answer"].json()
    assert upload["answer"].json()["summary"]["rows"] == 1_000_000
    assert progress_of(mine) == (200, {"token": mine, "phase": "done"})
    phases = [state["phase"] for state in seen]
    print(seen)
    # In order, never back; and the rows were counted while the checker read them.
    assert phases == sorted(phases, key=PHASES.index)
    assert {"token": mine, "phase": "checking", "rows": 1_000_000} in seen


def test_uploads_past_the_checkers_and_the_queue_are_refused_busy_and_not_stored(work_pool_of):
    work_pool_of(processes=1, queue=1)
    first, second = token(), token()
    checked = in_background(MILLION_ROWS, first)
    wait_for_phase(first, {"reading", "checking"})  # the one checker is at work
    waiting = in_background(SMALL, second)
    wait_for_phase(second, {"waiting"})  # the one place in the queue is taken
    refused = post(SMALL, token())
    assert refused.status_code == 503
    assert refused.json() == {"error": "Every file checker is busy; try again in a moment."}
    assert refused["Retry-After"] == "2"
    for upload in (checked, waiting):
        upload["thread"].join()
        assert upload["answer"].status_code == 201, upload["answer"].json()
    assert Dataset.objects.count() == 2  # the refused one stored nothing
    assert post(SMALL).status_code == 201  # with the pool free again, it is taken


def test_a_checker_that_dies_mid_check_answers_503_and_the_next_upload_is_checked(work_pool_of):
    work_pool_of(processes=1, queue=2)
    mine = token()
    upload = in_background(MILLION_ROWS, mine)
    wait_for_phase(mine, {"reading", "checking"})
    killed = checkers()
    assert killed, "no checker process to kill"
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    upload["thread"].join()
    answer = upload["answer"]
    assert answer.status_code == 503, answer.json()
    assert answer.json()["error"].startswith("The process checking the file stopped before")
    assert progress_of(mine)[1]["phase"] == "failed"
    assert Dataset.objects.count() == 0
    again = post(SMALL)
    assert again.status_code == 201, again.json()
    assert not set(checkers()) & set(killed)  # checked by a new checker


def test_a_bad_file_is_refused_from_the_checker_with_its_status_and_place():
    answer = post(b"t,v\n" + b"".join(f"{i},{i}\n".encode() for i in range(30)) + b"30,abc\n")
    assert answer.status_code == 422
    assert answer.json() == {
        "error": "line 32, column 'v': 'abc' is not a number",
        "where": "line 32, column 'v'",
    }


@pytest.mark.parametrize("bad", ["short", "has spaces in it ok", "x" * 65, "../../etc/passwd00"])
def test_a_malformed_progress_token_is_a_400_and_nothing_is_checked_or_stored(bad):
    answer = post(SMALL, bad)
    assert answer.status_code == 400 and answer.json()["where"] == "progress"
    assert "16 to 64 letters" in answer.json()["error"]
    assert Dataset.objects.count() == 0


def test_progress_under_a_token_nobody_sent_is_a_404_with_a_sentence():
    status, body = progress_of(token())
    assert status == 404 and body["error"].startswith("No upload has reported progress")
    assert Client().get("/api/uploads/short/progress").status_code == 400
