"""The room's loss curves on the board: each run's validation points in the snapshot
(thinned, a resumed run's repeated steps replaced), its newest points with each live update,
and the guessing baseline of the tasks that define one."""

import pytest
from django.test import Client

from playground.runs import events
from playground.runs.models import Run
from playground.workshops import curves
from playground.workshops.models import BoardEvent, Participant, Workshop
from tests.workshops.test_workshop_api import PRESET, workshop

pytestmark = pytest.mark.django_db


def room_run(code: str, name: str = "Ada") -> Run:
    shop = Workshop.objects.get(code=code)
    who = Participant.objects.create(workshop=shop, name=name)
    return Run.objects.create(
        spec={**PRESET, "model": {"cell": "lstm", "hidden": 16, "layers": 1}},
        owner="someone",
        total_steps=50,
        workshop=shop,
        participant=who,
        status="running",
    )


def log_metrics(run: Run, points: list[dict]) -> None:
    events.record(run.id, "metrics", {**points[-1], "points": points}, step=points[-1]["step"])


def test_the_snapshot_holds_each_runs_validation_curve_and_the_baseline():
    code = workshop(Client())["code"]
    run = room_run(code)
    log_metrics(run, [{"step": 1, "loss": 0.4}, {"step": 10, "loss": 0.3, "val_loss": 0.25}])
    log_metrics(run, [{"step": 20, "loss": 0.2, "val_loss": 0.2}])
    # Resumed from a checkpoint at step 15: step 20 is validated again, and replaces the first.
    log_metrics(run, [{"step": 20, "loss": 0.2, "val_loss": 0.19}, {"step": 30, "val_loss": 0.1}])
    detail = Client().get(f"/api/workshops/{code}").json()
    assert detail["curves"] == {run.id: [[10, 0.25], [20, 0.19], [30, 0.1]]}
    assert detail["baselines"] == {"adding": 0.167}


def test_a_live_update_carries_the_runs_newest_validation_points():
    code = workshop(Client())["code"]
    run = room_run(code, "Grace")
    log_metrics(run, [{"step": 5, "loss": 0.3}, {"step": 10, "loss": 0.3, "val_loss": 0.22}])
    update = BoardEvent.objects.filter(workshop_id=code, data__type="run").last().data
    assert update["run"]["id"] == run.id and update["points"] == [[10, 0.22]]


def test_a_long_curve_is_thinned_and_keeps_its_newest_point():
    curve = [[step, 1 / step] for step in range(1, 1001)]
    kept = curves.thinned(curve)
    assert len(kept) <= curves.MAX_POINTS + 1 and kept[0] == [1, 1.0] and kept[-1] == curve[-1]
    assert [p[0] for p in kept] == sorted(p[0] for p in kept)
