"""What the compare page says about its runs: their names, whether they saw the same data,
the loss of guessing, the line a curve has to leave to have learned anything, and, for a
cell that trains by a parallel scan, how far that scan lies from the step-by-step loop."""

import math
import re
from collections import Counter

from playground.runs.models import CELL_NAMES, Run, RunEvent
from playground.runs.presets import PRESETS
from sequences.datasets import CATALOG
from sequences.models import PARALLEL
from sequences.tasks import cached_task

GUESSING = "The dashed line is guessing: a validation curve on it has learned nothing yet."
SCAN = (
    "minGRU, minLSTM and the SSM train by a parallel scan over all steps at once. Each look "
    "inside also runs them step by step, as a GRU runs, and compares the two answers on the "
    "probe sequence: the same recurrence in another order, they may differ by float rounding "
    "only."
)


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


def agreement(largest_difference: float) -> str:
    """The largest difference between the scan and the loop, as the page prints it:
    "exactly" when none, else to two figures ("to 2.4e-7", as JavaScript's
    toExponential(1) writes it, so the page's live updates print it alike)."""
    if largest_difference == 0:
        return "exactly"
    # Python pads the exponent to two digits ("2.4e-07"); JavaScript does not.
    return "to " + re.sub(r"e([+-])0(\d)", r"e\1\2", f"{largest_difference:.1e}")


def scan_agreement(run: Run) -> dict | None:
    """The scan agreement of the run's newest look inside that has one, with its step:
    {"step", "largest_difference", "relative", "text"}; None before its first."""
    newest = (
        RunEvent.objects.filter(run=run, type="probe", data__has_key="scan_agreement")
        .order_by("-seq")
        .values_list("data__step", "data__scan_agreement")
        .first()
    )
    if newest is None:
        return None
    step, found = newest
    return {"step": step, **found, "text": agreement(found["largest_difference"])}


def lesson(lesson_id: str) -> dict | None:
    """The lesson these runs were trained for, when the page was opened from one."""
    return next((p for p in PRESETS if p["id"] == lesson_id), None)


def compared(runs: list[Run], lesson_id: str = "") -> dict:
    """The compare page's context for these runs."""
    same = same_data(runs) if runs else False
    guess = baseline(runs[0]) if same else None
    parallel = [run.spec["model"]["cell"] in PARALLEL for run in runs]
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
                # Steps over the seconds the run trained, from its result once it has one.
                "steps_per_second": (run.result or {}).get("steps_per_second"),
                "parallel": scans,
                "scan_agreement": scan_agreement(run) if scans else None,
            }
            for run, label, scans in zip(runs, labels(runs), parallel, strict=True)
        ],
        "same_data": same,
        "baseline": guess,
        "guessing": GUESSING if guess else "",
        "scan": SCAN if any(parallel) else "",
        "lesson": lesson(lesson_id),
    }
