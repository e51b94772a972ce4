"""How much one browser may keep uploaded: a number of datasets, and their bytes."""

from django.conf import settings
from django.db.models import Sum

from playground.api import ApiError
from playground.datasets.models import Dataset


def admit_upload(owner: str, size: int) -> None:
    """Raise a 429 (too many kept) or 413 (too many bytes) unless `size` more bytes fit."""
    kept = Dataset.objects.filter(owner=owner)
    count = kept.count()
    if count >= settings.BROWSER_UPLOADS:
        raise ApiError(
            429,
            f"You keep {count} uploads; each browser may keep {settings.BROWSER_UPLOADS}. "
            "Delete one you no longer need, then upload again.",
        )
    stored = kept.aggregate(total=Sum("size"))["total"] or 0
    limit = settings.BROWSER_UPLOAD_BYTES
    if stored + size > limit:
        raise ApiError(
            413,
            f"Your uploads take {size_text(stored)}, and this file {size_text(size)} more; "
            f"each browser may keep {size_text(limit)}. Delete an upload you no longer need, "
            "then upload again.",
        )


def size_text(n: int) -> str:
    """Bytes as a person reads them: 2.9 KB, 20.0 MB."""
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n / 2**10:.1f} KB"
