"""Making a spec's task, and remembering the few that validation builds."""

import json
from functools import lru_cache
from typing import Any

from sequences.datasets import CATALOG, DatasetInfo
from sequences.settings import Recipe
from sequences.task import Task


def make_task(spec: Recipe, catalog: dict[str, DatasetInfo] | None = None) -> Task:
    """The data a spec trains on, generated from its seed."""
    info = (catalog or CATALOG)[spec.dataset]
    paradigm = info.paradigm_for(spec.paradigm)
    return info.make(spec.dataset_options, paradigm, spec.training.seed, spec.training.val_split)


def cached_task(
    info: DatasetInfo, options: dict[str, Any], paradigm: str, val_split: float
) -> Task:
    """A task for validation (its signature and size), built once per distinct setting."""
    return _cached(info, json.dumps(options, sort_keys=True), paradigm, val_split)


@lru_cache(maxsize=64)
def _cached(info: DatasetInfo, options_json: str, paradigm: str, val_split: float) -> Task:
    return info.make(json.loads(options_json), paradigm, 0, val_split)
