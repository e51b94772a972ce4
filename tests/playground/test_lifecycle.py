"""The run lifecycle in-process: fair rounds across browsers, places that come free, and a
queue that does not answer. (The stack tests run the same code on a real worker.)"""

import ast
from pathlib import Path

import pytest

from playground.runs import lifecycle
from playground.runs.models import Run
from sequences.estimate import run_cost
from sequences.spec import parse_spec

SPEC = parse_spec({"dataset": "adding", "model": {"cell": "gru", "hidden": 8}})
ROOT = Path(__file__).resolve().parents[2]


def create(owner: str):
    """A small run (its cost is what the view would estimate for SPEC)."""
    return lifecycle.create(SPEC, owner, cost=run_cost(SPEC))


def dispatched() -> list[str]:
    return list(
        Run.objects.filter(dispatched=True).order_by("created_at").values_list("owner", "id")
    )


@pytest.fixture
def one_ahead(settings):
    settings.RUN_QUEUE_AHEAD = 1


@pytest.mark.django_db
def test_each_browsers_first_run_goes_before_anyones_second(one_ahead):
    greedy = [create("greedy") for _ in range(3)]
    modest = create("modest")
    assert [r.round for r in greedy] == [0, 1, 2] and modest.round == 0
    # Only the first run is in the task queue; the rest wait in the database.
    assert [r.dispatched for r in greedy] == [True, False, False] and not modest.dispatched

    lifecycle.take(greedy[0].id)
    # First come, first served would hand over greedy's second run here.
    assert Run.objects.get(id=modest.id).dispatched
    assert not Run.objects.get(id=greedy[1].id).dispatched
    lifecycle.take(modest.id)
    assert Run.objects.get(id=greedy[1].id).dispatched


@pytest.mark.django_db
def test_a_browser_whose_runs_ended_starts_again_at_round_zero(one_ahead):
    first = create("returning")
    lifecycle.cancel(first.id, "Cancelled before it started.")
    assert create("returning").round == 0


@pytest.mark.django_db
def test_cancelling_a_handed_over_run_frees_its_place(one_ahead):
    first, second = create("a"), create("b")
    assert not second.dispatched
    cancelled = lifecycle.cancel(first.id, "Cancelled before it started.")
    assert cancelled.status == "cancelled" and cancelled.cancel_requested
    assert Run.objects.get(id=second.id).dispatched


@pytest.mark.django_db
def test_a_run_moves_once_and_each_move_is_one_status_event(one_ahead):
    run = create("a")
    assert lifecycle.take(run.id) is not None
    assert lifecycle.take(run.id) is None  # a redelivered task finds nothing to do
    lifecycle.fail(run.id, "Training failed: boom")
    lifecycle.fail(run.id, "Training failed: again")  # already failed: the first word stands
    statuses = [e.data["status"] for e in Run.objects.get(id=run.id).events.filter(type="status")]
    assert statuses == ["queued", "running", "failed"]
    assert Run.objects.get(id=run.id).error == "Training failed: boom"


@pytest.mark.django_db
def test_when_the_queue_is_down_the_run_fails_saying_so_and_the_rest_wait(
    one_ahead, monkeypatch, django_capture_on_commit_callbacks
):
    first, second, third = (create(owner) for owner in "abc")
    # The broker is the network edge: from here on it answers nothing.
    monkeypatch.setattr(lifecycle, "send", lambda run_id, kind: False)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.take(first.id)
    second.refresh_from_db()
    assert second.status == "failed" and second.error == lifecycle.QUEUE_DOWN
    # One failure is enough to know: the next run waits for the sweeper, not failed too.
    third.refresh_from_db()
    assert third.status == "queued" and not third.dispatched


def test_only_the_lifecycle_changes_a_runs_status():
    """Every `.update(status=...)` and `status.move` lives in playground/runs/lifecycle.py."""
    found = []
    for path in (ROOT / "playground").rglob("*.py"):
        if "migrations" in path.parts or path.name == "lifecycle.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                sets_status = node.func.attr in ("update", "create") and any(
                    k.arg == "status" for k in node.keywords
                )
                if sets_status and "Run" in ast.unparse(node.func.value):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
