"""The suite in parallel (`make test`: pytest-xdist on two workers). The tests on a live
stack run one after another on one worker, as they expect: one session stack and one CPU
slot. The other tests share the workers beside them. Each worker has a database of its
own (pytest-django names it after the worker) and a Redis database of its own (below).

xdist's own `--dist loadgroup` renames node ids in a way this pytest no longer reads, so
the grouping is done here: a scheduler that takes every test of a module marked `stack` as
one unit of work. The controller collects nothing, so a module's mark is read from its
source; each collection checks that the marks it sees agree (conftest.py)."""

import ast
import os
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from xdist.scheduler import LoadScopeScheduling

STACK_UNIT = "live stack"
# The suite's Redis (the Makefile's REDIS_URL), before a worker moves off it (read as the
# conftest imports this, before pytest_configure).
SUITE_REDIS_URL = settings.REDIS_URL


def redis_database(url: str, offset: int) -> str:
    """The same Redis server's database `offset` places from the one in `url`."""
    parts = urlsplit(url)
    database = int(parts.path.lstrip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(database + offset) % 16}"))


def redis_for_worker(url: str, worker: str) -> str:
    """With the suite in parallel (pytest-xdist), worker gwN takes the database N below the
    suite's: a run one worker queues is never taken by the other's stack. The one above is
    the strict server's (tests/security/test_quotas.py)."""
    return redis_database(url, -int(worker.removeprefix("gw")))


def use_redis(url: str) -> None:
    """Point this process, and every process it starts, at the Redis at `url`."""
    os.environ["REDIS_URL"] = settings.REDIS_URL = settings.CELERY_BROKER_URL = url
    settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [url]
    from worker.celery import app  # noqa: PLC0415

    # Celery reads its settings when first asked, which must not have happened yet.
    assert app.conf.broker_url == url, "Celery read REDIS_URL before the tests could set it"


def marks_stack(tree: ast.Module) -> bool:
    """Whether a module's top level sets `pytestmark` to include `pytest.mark.stack`."""
    for statement in tree.body:
        if not isinstance(statement, ast.Assign):
            continue
        if not any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in statement.targets):
            continue
        for node in ast.walk(statement.value):
            if isinstance(node, ast.Attribute) and node.attr == "stack":
                return True
    return False


@cache
def stack_modules(root: Path) -> frozenset[str]:
    """The test modules marked `stack`, as node ids name them (relative to `root`)."""
    found = set()
    for path in (root / "tests").rglob("test_*.py"):
        if marks_stack(ast.parse(path.read_text(), filename=str(path))):
            found.add(path.relative_to(root).as_posix())
    return frozenset(found)


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def stack_tests_outside_stack_modules(root: Path, items) -> list[str]:
    """The collected tests marked `stack` whose module is not marked as a whole: the
    scheduler would send them to any worker."""
    modules = stack_modules(root)
    return [
        item.nodeid
        for item in items
        if item.get_closest_marker("stack") is not None and module_of(item.nodeid) not in modules
    ]


class StackTogether(LoadScopeScheduling):
    """xdist's load scheduling by unit of work, where a unit is one test, or every test on
    a live stack. The largest unit is handed out first, so the stack's tests start at once
    and the rest fill the other worker."""

    def __init__(self, config, log=None):
        super().__init__(config, log)
        self.stack = stack_modules(config.rootpath)

    def _split_scope(self, nodeid: str) -> str:
        return STACK_UNIT if module_of(nodeid) in self.stack else nodeid
