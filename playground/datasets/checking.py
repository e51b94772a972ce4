"""An upload checked in the work pool (playground.work_pool), its progress kept under the
page's token from the moment it has a place until it fails (done is said by the view,
once the upload is stored)."""

from typing import Any

from django.conf import settings

from playground import work_pool
from playground.datasets.check_upload import Checked, check_upload
from playground.datasets.progress import FAILED, WAITING, UploadProgress
from playground.heartbeat import connection


def check(raw: bytes, kind: str, choices: dict[str, Any], token: str | None) -> Checked:
    """Raises UploadError for a file with a problem, work_pool.Busy and WorkerDied."""
    progress = UploadProgress(connection(), token) if token else None
    try:
        return work_pool.pool().run(
            check_upload,
            raw,
            kind,
            choices,
            settings.REDIS_URL,
            token,
            admitted=lambda: progress(WAITING) if progress else None,
        )
    except BaseException:
        if progress:
            progress(FAILED)
        raise
