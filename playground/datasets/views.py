"""The datasets JSON API (see /api/openapi.json): built-ins, uploads, previews."""

import redis
from django.http import JsonResponse

from playground import work_pool
from playground.api import NUL, ApiError, endpoint, holds_nul, read_form
from playground.datasets import checking, progress
from playground.datasets.catalog import describe, describe_builtin, forget
from playground.datasets.models import Dataset
from playground.datasets.quotas import admit_upload
from playground.datasets.samples import sample_preview
from playground.datasets.upload_form import CHOICE_FIELDS
from playground.heartbeat import connection
from playground.runs.models import ACTIVE, Run
from playground.runs.ownership import owner_id
from sequences.datasets import CATALOG
from sequences.uploads import KINDS, UploadError
from sequences.uploads.prepare import MAX_BYTES


@endpoint("GET", "POST")
def datasets(request):
    if request.method == "POST":
        return upload(request)
    builtins = [describe_builtin(info) for info in CATALOG.values()]
    mine = Dataset.objects.filter(owner=request.session.get("owner", "")).defer("data")
    return JsonResponse({"datasets": builtins + [describe(row) for row in mine[:50]]})


@endpoint("GET", "DELETE")
def dataset_detail(request, dataset_id):
    if request.method == "DELETE":
        return delete_upload(request, dataset_id)
    if dataset_id in CATALOG:
        info = CATALOG[dataset_id]
        body = describe_builtin(info)
        if info.preview is None:  # generated in code: a few examples with their targets
            return JsonResponse({**body, "preview": sample_preview(info)})
        prepared = info.preview()
        body["summary"] = {**prepared.summary, **info.summary}
        return JsonResponse({**body, "preview": prepared.preview})
    row = Dataset.objects.filter(id=dataset_id).defer("data").first()
    if row is None:
        raise ApiError(404, f"There is no dataset '{dataset_id}'. Check the link.")
    return JsonResponse(describe(row, preview=True))


def upload(request):
    """Check the file and the person's choices; store it prepared, or store nothing."""
    length = str(request.META.get("CONTENT_LENGTH") or "0").strip()
    if length.isdigit() and (len(length) > 12 or int(length) > MAX_BYTES + 64 * 1024):
        raise ApiError(413, too_large())
    file = read_form(request).get("file")
    if file is None:
        raise ApiError(400, "Attach the file as the multipart form field 'file'.", where="file")
    kind = request.POST.get("kind", "")
    if kind not in KINDS:
        raise ApiError(
            400, f"kind: choose text, labelled-text or series (not '{kind}')", where="kind"
        )
    if file.size > MAX_BYTES:
        raise ApiError(413, too_large())
    if holds_nul([file.name or "", *request.POST.values()]):
        raise ApiError(400, NUL)
    token = request.POST.get("progress") or None
    if token is not None and not progress.valid(token):
        raise ApiError(400, BAD_TOKEN, where="progress")
    owner = owner_id(request)
    admit_upload(owner, file.size)
    name = (request.POST.get("name") or file.name or "my data").strip()[:100]
    choices = {k: request.POST[k] for k in CHOICE_FIELDS if request.POST.get(k, "").strip()}
    if request.POST.get("columns", "").strip():
        choices["columns"] = [c.strip() for c in request.POST["columns"].split(",") if c.strip()]
    try:
        checked = checking.check(file.read(), kind, choices, token)
    except UploadError as error:
        return JsonResponse(error.as_json(), status=error.status)
    except work_pool.Busy:
        return try_again("Every file checker is busy; try again in a moment.")
    except work_pool.WorkerDied:
        return try_again(
            "The process checking the file stopped before it finished (nothing was stored); "
            "try again in a moment."
        )
    row = Dataset.objects.create(
        name=name,
        kind=kind,
        owner=owner,
        filename=file.name[:255],
        size=file.size,
        choices=choices,
        summary=checked.summary,
        preview=checked.preview,
        data=checked.data,
    )
    if token:
        progress.UploadProgress(connection(), token)(progress.DONE)
    return JsonResponse(describe(row, preview=True), status=201)


BAD_TOKEN = (
    "progress: send 16 to 64 letters, digits, '-' or '_' (a random token the page makes), "
    "or leave it out."
)


def try_again(message: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=503)
    response["Retry-After"] = "2"
    return response


@endpoint("GET")
def upload_progress(request, token):
    """How far the check of the upload sent with this progress token has come."""
    if not progress.valid(token):
        raise ApiError(
            400,
            "The token must be 16 to 64 letters, digits, '-' or '_': the one the upload "
            "sent as its 'progress' field.",
        )
    try:
        state = progress.read(connection(), token)
    except redis.RedisError:
        raise ApiError(503, "Redis is not answering, so upload progress cannot be read.") from None
    if state is None:
        raise ApiError(
            404,
            "No upload has reported progress under this token (or it ended over "
            f"{progress.LIFETIME // 60} minutes ago).",
        )
    return JsonResponse({"token": token, **state})


def too_large() -> str:
    return f"The file is larger than {MAX_BYTES // 2**20} MB, the upload limit."


def delete_upload(request, dataset_id):
    """The uploading browser removes its upload (not while a run trains on it)."""
    row = Dataset.objects.filter(id=dataset_id).defer("data").first()
    if row is None:
        raise ApiError(404, f"There is no uploaded dataset '{dataset_id}'.")
    if row.owner != request.session.get("owner"):
        raise ApiError(403, "Only the browser that uploaded this dataset can delete it.")
    if Run.objects.filter(spec__dataset=dataset_id, status__in=ACTIVE).exists():
        raise ApiError(409, "A run is training on this dataset; wait for it or cancel it first.")
    row.delete()
    forget(dataset_id)
    return JsonResponse({"id": dataset_id, "deleted": True})
