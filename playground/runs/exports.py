"""GET /api/runs/{id}/export/{what}: a run's configuration, metrics, weights and report as
files to download (see /api/openapi.json)."""

import csv
import io
import json

from django.http import HttpResponse

from playground.api import ApiError, endpoint
from playground.csv_safety import csv_cell
from playground.datasets.models import Dataset
from playground.runs.builds import StoredUpload, build_report, build_script
from playground.runs.built_exports import built
from playground.runs.lookup import get_run
from playground.runs.models import FINISHED, RunWeights
from playground.runs.report import facts, metric_points
from sequences.datasets import CATALOG
from sequences.spec import SpecError

METRIC_COLUMNS = ["step", "loss", "val_loss", "val_accuracy", "grad_norm", "lr"]


def download(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def config(run):
    body = json.dumps(run.spec, indent=2) + "\n"
    return download(body, "application/json", f"run-{run.id}.json")


def metrics(run):
    out = io.StringIO()
    writer = csv.DictWriter(out, METRIC_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: csv_cell(v) for k, v in point.items()} for point in metric_points(run))
    return download(out.getvalue(), "text/csv", f"run-{run.id}-metrics.csv")


def weights(run):
    stored = RunWeights.objects.filter(run_id=run.id).first()
    if stored is None:
        why = (
            f"this run is {run.status}: weights are saved when it finishes"
            if run.status in ("queued", "running")
            else f"this run ended as {run.status}, so no weights were kept"
        )
        raise ApiError(409, f"There are no weights to download: {why}.")
    return download(bytes(stored.data), "application/octet-stream", f"run-{run.id}.pt")


def report(run):
    # A finished run's report never changes: kept. A running one's grows: built afresh.
    key = ("report", run.id) if run.status in FINISHED else None
    body = built(key, build_report, facts(run), metric_points(run))
    return download(body, "text/html", f"run-{run.id}.html")


def script(run):
    """The run's settings and data fix its script: kept from the first download."""
    try:
        body = built(("script", run.id), build_script, run.spec, run.title, upload_of(run))
    except SpecError as exc:
        raise ApiError(
            409, f"This run's settings can no longer be rebuilt: {exc.message}"
        ) from None
    return download(body, "text/x-python", f"run-{run.id}.py")


def upload_of(run) -> StoredUpload | None:
    """The upload the run trains on, as stored (None for a built-in, or one deleted)."""
    dataset = run.spec.get("dataset")
    if not isinstance(dataset, str) or dataset in CATALOG:
        return None
    row = Dataset.objects.filter(id=dataset).first()
    if row is None:
        return None
    return StoredUpload(row.id, row.name, row.kind, bytes(row.data), row.summary)


EXPORTS = {
    "config": config,
    "metrics": metrics,
    "weights": weights,
    "script": script,
    "report": report,
}


@endpoint("GET")
def export(request, run_id, what):
    make = EXPORTS.get(what)
    if make is None:
        raise ApiError(404, f"There is no export '{what}'; choose one of {', '.join(EXPORTS)}.")
    return make(get_run(run_id))
