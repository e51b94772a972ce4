"""Helpers for the security tests: raw requests (any body, any client address) against the
live stack, and counts of what the stack has stored."""

import http.client
import json
import random
import time
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest

from playground.datasets.models import Dataset
from playground.runs.models import Run
from playground.workshops.models import Participant, Workshop


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes

    def json(self):
        assert self.content_type.startswith("application/json"), (self.status, self.body[:300])
        return json.loads(self.body)


def send(
    base_url: str,
    method: str,
    path: str,
    body: bytes | None = None,
    content_type: str = "application/json",
    source: str | None = None,
    headers: dict | None = None,
) -> Answer:
    """One HTTP request with the body exactly as given, from `source` (a loopback address:
    the server sees it as the client's) when given."""
    where = urlparse(base_url)
    connection = http.client.HTTPConnection(
        where.hostname, where.port, timeout=60, source_address=(source, 0) if source else None
    )
    try:
        connection.request(
            method, path, body=body, headers={"Content-Type": content_type, **(headers or {})}
        )
        response = connection.getresponse()
        return Answer(response.status, response.getheader("Content-Type", ""), response.read())
    finally:
        connection.close()


@pytest.fixture
def raw(stack):
    return lambda *args, **kwargs: send(stack.url, *args, **kwargs)


@pytest.fixture
def address():
    """A loopback address of this test's own, so per-address limits it trips touch no other
    test (every other client comes from 127.0.0.1)."""
    return f"127.{random.randrange(100, 250)}.{random.randrange(1, 250)}.{random.randrange(2, 250)}"


@pytest.fixture
def stored(django_db_blocker):
    """How many runs, datasets, workshops and participants the stack has stored (read in
    autocommit, so what the server processes wrote is seen)."""

    def counts() -> dict:
        with django_db_blocker.unblock():
            return {
                "runs": Run.objects.count(),
                "datasets": Dataset.objects.count(),
                "workshops": Workshop.objects.count(),
                "participants": Participant.objects.count(),
            }

    return counts


def early_in_a_minute(margin: float = 10) -> None:
    """Wait until at least `margin` seconds of the current minute are left: a fixed-window
    limit starts over at each minute, which must not fall inside a test of it."""
    left = 60 - time.time() % 60
    if left < margin:
        time.sleep(left + 0.1)
