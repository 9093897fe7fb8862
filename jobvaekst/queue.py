"""Sending tasks to the broker without ever making a request depend on it."""

from __future__ import annotations

import logging

logger = logging.getLogger("jobvaekst.queue")


def publish(task, *args) -> bool:
    """Send a task; if the broker is down or slow, log it and return False at once.

    Callers arrange for a catch-up (stale marks and beat's sweep, the daily reminder run),
    so a failed publish loses nothing.
    """
    try:
        task.apply_async(args=args, retry=False)
    except Exception:  # any broker failure: the request must still succeed
        logger.warning("kunne ikke sende %s; det indhentes senere", task.name, exc_info=True)
        return False
    return True
