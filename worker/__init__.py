"""Celery worker: the app and thin tasks. Training logic lives in `sequences`."""

from worker.celery import app

__all__ = ["app"]
