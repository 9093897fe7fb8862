"""Celery tasks: thin, idempotent, safe to run twice. Each loads ids and calls a service."""

from __future__ import annotations

import logging

from celery import group, shared_task
from django.db import DatabaseError, InterfaceError

from . import services

logger = logging.getLogger("jobvaekst.tasks")

# Database hiccups are retried with backoff; anything else is a bug and is not retried.
RETRY = {
    "autoretry_for": (DatabaseError, InterfaceError),
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 5,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


@shared_task(name="evaluations.recompute_targets", soft_time_limit=120, time_limit=180, **RETRY)
def recompute_targets(target_ids: list[int]) -> dict:
    summary = services.snapshots_recompute(target_ids=target_ids)
    return {"computed": summary.computed, "written": summary.written}


def recompute_everything() -> group:
    """Every target's snapshots, as one task per chunk of targets.

    The worker's processes take the chunks side by side, so a full recomputation uses
    every core the worker has; each chunk is written in its own transaction.
    """
    return group(recompute_targets.si(chunk) for chunk in services.target_chunks())


@shared_task(name="evaluations.recompute_all", soft_time_limit=300, time_limit=400, **RETRY)
def recompute_all() -> dict:
    """The nightly full recomputation: the chunks are sent on, the scores done here."""
    chunks = recompute_everything()
    chunks.apply_async()
    scores = services.scores_recompute()
    return {"chunks": len(chunks.tasks), "scores": scores}


@shared_task(name="evaluations.sweep_stale", soft_time_limit=300, time_limit=400, **RETRY)
def sweep_stale() -> dict:
    """Catch up on whatever a lost or unsent task left stale."""
    ids = services.stale_target_ids()
    if not ids:
        return {"computed": 0, "written": 0}
    summary = services.snapshots_recompute(target_ids=ids)
    logger.info("sweep: %d stale targets recomputed", len(ids))
    return {"computed": summary.computed, "written": summary.written}


@shared_task(name="evaluations.recompute_scores", soft_time_limit=60, time_limit=90, **RETRY)
def recompute_scores(assessment_id: int) -> int:
    return services.scores_recompute(assessment_ids=[assessment_id])
