"""Shared fixtures: the live stack (real web server and Celery worker processes on the
real Redis and the test database) and clients that talk to it as programs would."""

import concurrent.futures
import json
import os
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar

import pytest
from django.conf import settings

from playground import work_pool
from playground.stack.redis_server import free_port
from playground.stack.supervisor import Stack
from tests import parallel

# The lease is short here so that a killed worker's run is reaped within the test.
LEASE_SECONDS = 8
# Every test client is a new browser from 127.0.0.1, and some queue many runs: the
# per-browser quotas and the cap on new identities an address may make are tested on their
# own, with tight limits (tests/security/test_quotas.py), not by every test.
ROOMY_QUOTAS = {
    "NEW_IDENTITIES_PER_MINUTE": 100_000,
    "BROWSER_ACTIVE_RUNS": 1_000,
    "BROWSER_QUEUED_STEPS": 10_000_000,
    "BROWSER_UPLOADS": 1_000,
    "BROWSER_UPLOAD_BYTES": 2**30,
}


def pytest_configure(config):
    """Settings for this process and every process the tests start (set here, not at
    import: benchmarks import this module's clients without Django set up)."""
    if worker := os.environ.get("PYTEST_XDIST_WORKER"):
        parallel.use_redis(parallel.redis_for_worker(settings.REDIS_URL, worker))
    for name, value in ROOMY_QUOTAS.items():
        os.environ[name] = str(value)
        setattr(settings, name, value)
    # This session's key (random: see settings), for the stack, manage.py and the launcher:
    # a session cookie a test signs is then one the server reads.
    os.environ["SECRET_KEY"] = settings.SECRET_KEY
    # The suite trains small models in this process beside the live stack on two cores:
    # one intra-op thread is many times faster for them than two spinning against the
    # worker (see sequences/threads.py; workers choose their own per model).
    import torch  # noqa: PLC0415

    torch.set_num_threads(1)


def pytest_collection_modifyitems(config, items):
    """Each test on a live stack is in a module marked `stack` as a whole, as the parallel
    scheduler (tests/parallel.py) reads it."""
    wrong = parallel.stack_tests_outside_stack_modules(config.rootpath, items)
    if wrong:
        raise pytest.UsageError(
            f"Mark the whole module with pytestmark = pytest.mark.stack: {', '.join(wrong)}"
        )


def pytest_xdist_make_scheduler(config, log):
    """`make test`: the tests on a live stack together on one worker (tests/parallel.py)."""
    return parallel.StackTogether(config, log)


def database_url(db: dict) -> str:
    """The URL of the test database, for the server and worker processes."""
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_modify_db_settings, django_db_blocker):
    """The test database, whichever tests were collected. pytest-django's own fixture sets up
    only the databases that collected tests mark, but the live stack's processes need it
    for unmarked tests too (a run of the browser tests alone). In parallel, each worker has
    its own (django_db_modify_db_settings names it after the worker)."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        databases = setup_databases(
            verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set()
        )
    yield
    with django_db_blocker.unblock():
        teardown_databases(databases, verbosity=0)


@pytest.fixture(scope="session")
def stack(django_db_setup, django_db_blocker):
    from django.db import connection

    env = {
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": settings.REDIS_URL,
        "RUN_LEASE_SECONDS": str(LEASE_SECONDS),
        "RUN_REAP_INTERVAL_SECONDS": "2",
        "DEBUG": "False",
        "SECRET_KEY": settings.SECRET_KEY,
        # One CPU worker slot and no GPU worker, whatever the machine: runs train one after
        # another, as these tests expect (the scale-out test starts a stack of its own).
        "WORKER_CONCURRENCY": "1",
        "GPU_DEVICES": "",
    }
    live = Stack(port=free_port(), env=env)
    with live.serving("worker", "web", "sweeper"):
        yield live


class SameOriginHeaders(urllib.request.BaseHandler):
    """What the pages' scripts add to a request that changes state: the page's Origin, and
    the csrftoken cookie sent back as X-CSRFToken (frontend/static/js/api.js)."""

    handler_order = 600  # after the cookie processor (500) has read the jar

    def __init__(self, base_url: str, cookies: CookieJar):
        self.base_url, self.cookies = base_url, cookies

    def http_request(self, request):
        if request.get_method() not in ("GET", "HEAD", "OPTIONS"):
            request.add_unredirected_header("Origin", self.base_url)
            token = next((c.value for c in self.cookies if c.name == "csrftoken"), None)
            if token is not None:
                request.add_unredirected_header("X-CSRFToken", token)
        return request


class Browserless:
    """An HTTP client with its own cookie jar: one 'browser' as far as the server knows,
    sending what its pages send (SameOriginHeaders)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies),
            SameOriginHeaders(base_url, self.cookies),
        )

    def request(self, method: str, path: str, body=None) -> tuple[int, dict]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body=None):
        return self.request("POST", path, body)

    def wait_for_status(self, run_id: str, wanted: set, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            _, run = self.get(f"/api/runs/{run_id}")
            if run["status"] in wanted:
                return run
            assert time.monotonic() < deadline, f"run {run_id} stayed {run['status']}"
            time.sleep(0.2)


@pytest.fixture
def client_of(stack):
    """Make a fresh 'browser' for the live stack."""
    return lambda: Browserless(stack.url)


@pytest.fixture
def live(client_of):
    return client_of()


@pytest.fixture
def work_pool_of(settings):
    """Make this process's work pool (playground.work_pool) with so many processes and
    queue places."""

    def make(processes: int, queue: int):
        settings.WORK_PROCESSES, settings.WORK_QUEUE = processes, queue
        work_pool.shutdown()

    yield make
    work_pool.shutdown()  # the next test's pool has the settings of its time


def tiny_spec(**training) -> dict:
    return {
        "dataset": "adding",
        "dataset_options": {"length": 10},
        "model": {"cell": "gru", "layers": 1, "hidden": 8},
        "training": {"steps": 60, "batch_size": 8, **training},
    }


def slow_spec(steps: int = 4000) -> dict:
    """Long enough on any machine to be watched, joined and cancelled mid-run."""
    spec = tiny_spec(steps=steps)
    spec["dataset_options"]["length"] = 30
    return spec


@pytest.fixture(autouse=True)
def no_runs_left_behind(request):
    """After a test on a live stack, cancel the runs it started and left queued or
    training, so that the next test's runs find the worker free (a lesson's long runs
    would otherwise keep it busy for the tests after: a stack that stops hands its runs
    back, and the session stack's sweeper sends them on to its own worker)."""
    if request.node.get_closest_marker("stack") is None:
        yield
        return
    from django.utils import timezone  # noqa: PLC0415

    # The database to look in, even for a test that starts its own stack (run alone, no
    # other test would have made it).
    request.getfixturevalue("django_db_setup")
    started = timezone.now()
    yield
    with request.getfixturevalue("django_db_blocker").unblock():
        # In a thread of its own: a browser test's event loop runs in this one, and Django
        # refuses database calls from a thread with a running loop.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(cancel_unfinished, started).result()


def cancel_unfinished(since) -> None:
    from django.db import connection  # noqa: PLC0415

    from playground.runs import lifecycle  # noqa: PLC0415
    from playground.runs.models import ACTIVE, Run  # noqa: PLC0415

    try:
        unfinished = Run.objects.filter(created_at__gte=since, status__in=ACTIVE)
        for run_id in unfinished.values_list("id", flat=True):
            lifecycle.cancel(run_id, "Cancelled: the test that started it ended.")
    finally:
        connection.close()
