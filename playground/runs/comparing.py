"""What the compare page says about its runs: their names, whether they saw the same data,
and the loss of guessing, the line a curve has to leave to have learned anything."""

import math
from collections import Counter

from playground.runs.models import CELL_NAMES, Run
from playground.runs.presets import PRESETS
from sequences.datasets import CATALOG
from sequences.tasks import cached_task

GUESSING = "The dashed line is guessing: a validation curve on it has learned nothing yet."


def labels(runs: list[Run]) -> list[str]:
    """Each run's name for legends: its title, with its place where two titles are equal
    ("LSTM (run 2)"), so two runs of the same cell can be told apart."""
    counts = Counter(run.title for run in runs)
    return [
        run.title if counts[run.title] == 1 else f"{run.title} (run {i + 1})"
        for i, run in enumerate(runs)
    ]


def same_data(runs: list[Run]) -> bool:
    """The same dataset, options and seed: only the model or training differs."""

    def data(run: Run) -> tuple:
        spec = run.spec
        options = sorted((spec.get("dataset_options") or {}).items())
        return spec["dataset"], repr(options), spec["training"].get("seed", 0)

    return len({data(run) for run in runs}) == 1


def baseline(run: Run) -> dict | None:
    """The validation loss of guessing on a built-in dataset, where one is defined: the MSE
    of always answering the mean where the dataset states it, the log of the number of
    choices (guessing uniformly) where the model picks a class or a token."""
    info = CATALOG.get(run.spec["dataset"])
    if info is None:
        return None
    mse = info.summary.get("baseline_mse")
    if mse is not None:
        return {"loss": mse, "label": f"guessing the mean ({mse} MSE)"}
    spec = run.spec
    task = cached_task(
        info,
        spec.get("dataset_options") or {},
        info.paradigm_for(spec.get("paradigm")),
        spec["training"].get("val_split", 0.2),
    )
    choices = task.signature.output_size
    if task.signature.outputs == "values" or choices < 2:
        return None
    loss = round(math.log(choices), 3)
    return {"loss": loss, "label": f"guessing 1 of {choices} (ln {choices} = {loss})"}


def lesson(lesson_id: str) -> dict | None:
    """The lesson these runs were trained for, when the page was opened from one."""
    return next((p for p in PRESETS if p["id"] == lesson_id), None)


def compared(runs: list[Run], lesson_id: str = "") -> dict:
    """The compare page's context for these runs."""
    same = same_data(runs) if runs else False
    guess = baseline(runs[0]) if same else None
    return {
        "runs": [
            {
                "id": run.id,
                "title": run.title,
                "label": label,
                "cell": run.spec["model"]["cell"],
                "cell_name": CELL_NAMES.get(run.spec["model"]["cell"], run.spec["model"]["cell"]),
                "attention": bool(run.spec["model"].get("attention")),
                "status": run.status,
                "total_steps": run.total_steps,
            }
            for run, label in zip(runs, labels(runs), strict=True)
        ],
        "same_data": same,
        "baseline": guess,
        "guessing": GUESSING if guess else "",
        "lesson": lesson(lesson_id),
    }
