"""Celery tasks for reporting: thin wrappers around notifications.py, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from . import notifications
from .models import StatusReport

RETRY = {
    "autoretry_for": (DatabaseError, OSError),
    "retry_backoff": 5,
    "max_retries": 5,
    "acks_late": True,
}


@shared_task(name="initiatives.send_reminders", soft_time_limit=300, **RETRY)
def send_reminders() -> int:
    return notifications.reminders_send(today=timezone.localdate())


@shared_task(name="initiatives.notify_report", soft_time_limit=60, **RETRY)
def notify_report(report_id: int) -> int:
    report = StatusReport.objects.select_related("initiative__programme", "round").get(pk=report_id)
    if report.state == StatusReport.State.SUBMITTED:
        return notifications.report_submitted_notify(report=report)
    if report.state == StatusReport.State.RETURNED:
        return notifications.report_returned_notify(report=report)
    return 0


@shared_task(name="initiatives.open_current_rounds", soft_time_limit=60, **RETRY)
def open_current_rounds() -> list[str]:
    from . import services

    return [r.code for r in services.rounds_open_current(today=timezone.localdate())]
