"""The figures follow their inputs: a change announced by ``initiatives`` (see
``initiatives.signals``) or to an assessment's scores asks for a recomputation."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from initiatives.signals import targets_changed

from . import services
from .models import Assessment, ParameterScore


@receiver(targets_changed)
def _targets_changed(sender: object, target_ids: list[int], **kwargs: Any) -> None:
    services.recompute_request(target_ids=target_ids)


@receiver([post_save, post_delete], sender=ParameterScore)
def _score_changed(
    sender: type[ParameterScore], instance: ParameterScore, raw: bool = False, **kwargs: Any
) -> None:
    if not raw:
        services.scores_recompute_request(assessment_id=instance.assessment_id)


@receiver(post_save, sender=Assessment)
def _assessment_changed(
    sender: type[Assessment], instance: Assessment, raw: bool = False, **kwargs: Any
) -> None:
    if not raw:
        services.scores_recompute_request(assessment_id=instance.pk)
