"""Schemathesis against the live stack: requests generated from /api/openapi.json, ones that
fit the document and ones that break it, never get a 5xx, and every answer is one the
document describes (its status code, its content type and its body's schema).

Every operation is tried with 12 examples that fit and 12 that do not, then again aimed at
a real finished run, upload and workshop (with its instructor key), which keeps this under
a minute. POST /api/runs gets 4, and every run it creates is cancelled at once, so the
worker stays free for the tests after this one. The requests come from a loopback address of their own: the
wrong workshop codes they try count against it, not against 127.0.0.1, which every other
test uses. (Each operation is driven through Hypothesis directly: schemathesis's pytest
integration does not run on this pytest.)"""

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.errors import Unsatisfiable
from requests.adapters import HTTPAdapter
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import tiny_spec
from tests.uploads.test_uploads_on_the_stack import upload

pytestmark = pytest.mark.stack

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 12
FEWER = {("POST", "/api/runs"): 4}  # each valid example queues a run


class FromAddress(HTTPAdapter):
    """Connections from one given local address."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def session_from(address: str) -> requests.Session:
    session = requests.Session()
    session.mount("http://", FromAddress(address))
    return session


@pytest.fixture
def hypothesis_home(tmp_path):
    """Hypothesis keeps a cache of constants from the code: here, not in the checkout."""
    set_hypothesis_home_dir(tmp_path)
    yield
    set_hypothesis_home_dir(None)


def call(case, session) -> None:
    response = case.call_and_validate(session=session, checks=CHECKS, timeout=30)
    if (case.method, case.path) == ("POST", "/api/runs") and response.status_code == 201:
        created = response.json()
        token = {"X-Owner-Token": created["owner_token"]}
        base = case.operation.base_url.rstrip("/")
        session.post(f"{base}/api/runs/{created['id']}/cancel", headers=token)


def fuzz(operation, mode: GenerationMode, session, **fixed) -> None:
    examples = FEWER.get((operation.method.upper(), operation.path), EXAMPLES)

    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    @settings(
        max_examples=examples,
        # The same examples every run: a suite that cannot be lucky or unlucky. (Run it with
        # more examples and derandomize off by hand to explore further.)
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failure as it is
        suppress_health_check=list(HealthCheck),
    )
    def one(case):
        call(case, session)

    one()


@pytest.fixture
def real(live):
    """A finished run, an upload and a workshop with its instructor key: fuzzing aimed at
    them reaches past the 404 that a made-up id gets."""
    code, run = live.post("/api/runs", tiny_spec(steps=20))
    assert code == 201, run
    live.wait_for_status(run["id"], {"completed"})
    series = "t,v\n" + "".join(f"{i},{i % 7}\n" for i in range(40))
    answer = upload(live, "series.csv", series.encode(), kind="series")
    assert answer[0] == 201, answer
    code, workshop = live.post("/api/workshops", {"title": "Fuzzed"})
    assert code == 201, workshop
    return {
        "path_parameters": {
            "run_id": run["id"],
            "dataset_id": answer[1]["id"],
            "code": workshop["code"],
        },
        "headers": {"X-Instructor-Key": workshop["instructor_url"].split("key=")[1]},
    }


def nothing_can_be_invalid(operation) -> bool:
    """No body, and every parameter a string of any kind: no request breaks the document
    (a path always has its parameters), so schemathesis makes no negative example."""
    plain = (p.definition.get("schema") == {"type": "string"} for p in operation.iter_parameters())
    return not operation.body and all(plain)


def test_every_operation_answers_fuzzed_requests_as_documented(stack, real, hypothesis_home):
    schema = schemathesis.openapi.from_url(f"{stack.url}/api/openapi.json")
    failures, tried = [], 0
    for n, result in enumerate(schema.get_all_operations()):
        operation = result.ok()
        names = {p.name for p in operation.path_parameters}
        aims = [{}]
        if names:  # and once more at the real things
            pinned = {k: v for k, v in real["path_parameters"].items() if k in names}
            aims.append({"path_parameters": pinned, "headers": real["headers"]})
        for m, (mode, fixed) in enumerate(
            (mode, fixed)
            for mode in [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
            for fixed in aims
        ):
            if mode == GenerationMode.NEGATIVE and nothing_can_be_invalid(operation):
                continue  # Hypothesis would spend a second finding that out (Unsatisfiable)
            # A fresh address for each: its wrong workshop codes reach the limit only late.
            with session_from(f"127.31.{n}.{2 + m}") as session:
                try:
                    fuzz(operation, mode, session, **fixed)
                    tried += 1
                except Unsatisfiable:
                    pass  # nothing in it can be invalid (a path of plain strings, no body)
                except (Exception, BaseExceptionGroup) as failure:  # schemathesis's FailureGroup
                    aim = " at real things" if fixed else ""
                    failures.append(f"{operation.label} ({mode}{aim}): {failure}")
    assert tried >= 50, (
        tried,
        failures,
    )  # every operation, in both modes, and again at real things
    assert not failures, "\n\n".join(failures)
