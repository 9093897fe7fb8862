"""Every change to an input of the figures asks for a recomputation of what it affects.

Signals rather than calls in each service, because the admin, the import and the
services all write these models, and a figure that silently stops following its inputs
is the worst failure this application can have. Bulk ``update()`` bypasses signals:
code that uses it must call ``services.recompute_request`` itself.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from initiatives.models import (
    ReportingRound,
    StatusReport,
    StatusUpdate,
    Target,
    TargetPhase,
)

from . import services
from .models import Assessment, ParameterScore


@receiver([post_save, post_delete], sender=StatusUpdate)
@receiver([post_save, post_delete], sender=TargetPhase)
def _update_or_phase_changed(sender, instance, raw=False, **kwargs) -> None:
    if raw:  # loaddata: the caller recomputes once at the end
        return
    services.recompute_request(target_ids=[instance.target_id])


@receiver(post_save, sender=Target)
def _target_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        services.recompute_request(target_ids=[instance.pk])


@receiver(post_save, sender=StatusReport)
def _report_changed(sender, instance, raw=False, **kwargs) -> None:
    # Approval decides which updates count, so a state change affects every target.
    if not raw:
        ids = Target.objects.filter(initiative_id=instance.initiative_id).values_list(
            "pk", flat=True
        )
        services.recompute_request(target_ids=list(ids))


@receiver(post_save, sender=ReportingRound)
def _round_changed(sender, instance, created, raw=False, **kwargs) -> None:
    if not raw:
        ids = Target.objects.filter(initiative__programme_id=instance.programme_id).values_list(
            "pk", flat=True
        )
        services.recompute_request(target_ids=list(ids))


@receiver([post_save, post_delete], sender=ParameterScore)
def _score_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        services.scores_recompute_request(assessment_id=instance.assessment_id)


@receiver(post_save, sender=Assessment)
def _assessment_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        services.scores_recompute_request(assessment_id=instance.pk)
