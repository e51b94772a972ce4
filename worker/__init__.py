"""The Celery app and its process setup. Tasks live in their Django apps; training logic
lives in `sequences`."""

from worker.celery import app

__all__ = ["app"]
