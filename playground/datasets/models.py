"""Uploaded datasets: checked once on upload, stored prepared, immutable afterwards."""

import secrets

from django.db import models


def new_dataset_id() -> str:
    return "u-" + secrets.token_urlsafe(16)  # 128 random bits, like run links


class Dataset(models.Model):
    KINDS = [(k, k) for k in ("text", "labelled-text", "series")]

    id = models.CharField(primary_key=True, max_length=32, default=new_dataset_id, editable=False)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=KINDS)
    owner = models.CharField(max_length=64, db_index=True)  # the uploading browser
    filename = models.CharField(max_length=255, blank=True)
    size = models.IntegerField()  # bytes uploaded
    choices = models.JSONField(default=dict)  # what the person chose on the upload form
    summary = models.JSONField()
    preview = models.JSONField()
    data = models.BinaryField()  # the prepared data, compressed JSON (see sequences.uploads)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.kind})"
