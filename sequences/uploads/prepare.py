"""An upload, checked and made ready: the one entry point for the web app."""

from typing import Any

from pydantic import ValidationError

from sequences.uploads.errors import UploadError
from sequences.uploads.labelled import prepare_labelled
from sequences.uploads.prepared import Choices, Prepared
from sequences.uploads.progress import Progress, unwatched
from sequences.uploads.series import prepare_series
from sequences.uploads.text import prepare_text

KINDS = ("text", "labelled-text", "series")
MAX_BYTES = 5 * 1024 * 1024  # an upload's size limit (refused while it streams in)


def prepare(
    raw: bytes, kind: str, choices: dict[str, Any] | None = None, progress: Progress = unwatched
) -> Prepared:
    """Check an upload of `kind` and prepare it, or raise UploadError naming the problem;
    `progress` hears how far the check has come."""
    if kind not in KINDS:
        raise UploadError(
            f"kind: '{kind}' is not a kind of upload; choose text, labelled-text or series",
            status=400,
            where="kind",
        )
    try:
        chosen = Choices.model_validate(choices or {})
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "choices"
        raise UploadError(f"{field}: {first['msg']}", status=400, where=field) from None
    if len(raw) > MAX_BYTES:
        raise UploadError(
            f"the file is {len(raw) / 1e6:.1f} MB; at most {MAX_BYTES // 2**20} MB", status=413
        )
    make = {"text": prepare_text, "labelled-text": prepare_labelled, "series": prepare_series}
    return make[kind](raw, chosen, progress)
