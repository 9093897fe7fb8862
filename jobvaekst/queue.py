"""Sending tasks to the broker without ever making a request depend on it."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger("jobvaekst.queue")


def publish(task_name: str, *args: Any) -> bool:
    """Send the task registered as ``task_name``; if the broker is down or slow, log it and
    return False at once.

    By name, so a service that asks for work does not import the tasks module that calls
    it back. An unknown name is a programming error and raises. Callers arrange for a
    catch-up (stale marks and beat's sweep, the daily reminder run), so a failed publish
    loses nothing.
    """
    from celery import current_app

    task = current_app.tasks[task_name]
    try:
        task.apply_async(args=args, retry=False)
    except Exception:  # any broker failure: the request must still succeed
        logger.warning("kunne ikke sende %s; det indhentes senere", task_name, exc_info=True)
        return False
    return True
