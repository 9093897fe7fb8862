"""The Celery application. Tasks are discovered in each installed app's tasks.py."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobvaekst.settings")

app = Celery("jobvaekst")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="jobvaekst.ping")
def ping() -> str:
    """A no-op used by health checks and the worker smoke test."""
    return "pong"
