"""Making a spec's task, and remembering the few that validation builds."""

import json
from functools import lru_cache

from sequences.datasets import CATALOG


def make_task(spec, catalog=None):
    """The data a spec trains on, generated from its seed."""
    info = (catalog or CATALOG)[spec.dataset]
    return info.make(
        spec.dataset_options, spec.paradigm, spec.training.seed, spec.training.val_split
    )


def cached_task(info, options: dict, paradigm: str, val_split: float):
    """A task for validation (its signature and size), built once per distinct setting."""
    return _cached(info, json.dumps(options, sort_keys=True), paradigm, val_split)


@lru_cache(maxsize=64)
def _cached(info, options_json: str, paradigm: str, val_split: float):
    return info.make(json.loads(options_json), paradigm, 0, val_split)
