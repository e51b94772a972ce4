"""A run's exports that take seconds to build, built in a work pool process
(playground.work_pool): its standalone script (data sampled and compressed) and its HTML
report (charts drawn by plotly). Plain data in, text out; no Django."""

from dataclasses import dataclass
from typing import Any

from playground.runs.report import page
from sequences.datasets import CATALOG
from sequences.export.script import script
from sequences.spec import parse_spec
from sequences.tasks import make_task
from sequences.uploads.prepared import Prepared
from sequences.uploads.tasks import uploaded_dataset


@dataclass
class StoredUpload:
    """An uploaded dataset as stored (its data compressed), for a run that trains on it."""

    id: str
    name: str
    kind: str
    data: bytes
    summary: dict[str, Any]


def build_script(spec: dict, title: str, upload: StoredUpload | None) -> str:
    """Raises SpecError when the run's settings no longer validate (or its upload is gone)."""
    catalog = CATALOG
    if upload is not None:
        data = Prepared.data_from_bytes(upload.data)
        info = uploaded_dataset(upload.id, upload.name, upload.kind, data, upload.summary)
        catalog = {**CATALOG, upload.id: info}
    parsed = parse_spec(spec, catalog)
    return script(parsed, make_task(parsed, catalog), title)


def build_report(facts: dict, points: list[dict]) -> str:
    return page(facts, points)
