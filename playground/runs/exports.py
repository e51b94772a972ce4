"""GET /api/runs/{id}/export/{what}: a run's configuration, metrics, weights and report as
files to download (see /api/openapi.json)."""

import csv
import io
import json

from django.http import HttpResponse

from playground.api import ApiError, endpoint
from playground.csv_safety import csv_cell
from playground.runs.lookup import get_run
from playground.runs.models import RunWeights
from playground.runs.rebuild import spec_and_task
from playground.runs.report import metric_points, report_html
from sequences.export.script import script as write_script

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
    return download(report_html(run), "text/html", f"run-{run.id}.html")


def script(run):
    body = write_script(*spec_and_task(run), run.title)
    return download(body, "text/x-python", f"run-{run.id}.py")


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
