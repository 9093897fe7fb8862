"""What the recording side tells the rest: the inputs of these targets' figures changed.

``initiatives`` records and never imports ``evaluations``: it announces which targets a
change affects, and whoever computes the figures (``evaluations.signals``) listens.

Every write of an input announces itself here, through the model signals below, because
the admin, the import and the services all write these models, and a figure that
silently stops following its inputs is the worst failure this application can have.
Bulk ``update()`` and ``bulk_create()`` send no model signals: code that uses them calls
:func:`targets_changed_announce` itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from .models import ReportingRound, StatusReport, StatusUpdate, Target, TargetPhase

#: Sent with ``target_ids`` (a sorted list) inside the transaction of the change.
targets_changed = Signal()

_batch: ContextVar[set[int] | None] = ContextVar("targets_changed_batch", default=None)


@contextmanager
def changes_collected() -> Iterator[None]:
    """Collect the announcements of a block and send one at the end (an import saves
    many rows, a status report many updates)."""
    ids: set[int] = set()
    token = _batch.set(ids)
    try:
        yield
    finally:
        _batch.reset(token)
    targets_changed_announce(target_ids=ids)


def targets_changed_announce(*, target_ids: Iterable[int]) -> None:
    """Tell the listeners that these targets' inputs changed (or collect it, in a batch)."""
    batch = _batch.get()
    if batch is not None:
        batch.update(target_ids)
        return
    ids = sorted(set(target_ids))
    if ids:
        targets_changed.send(sender=Target, target_ids=ids)


@receiver([post_save, post_delete], sender=StatusUpdate)
@receiver([post_save, post_delete], sender=TargetPhase)
def _update_or_phase_changed(
    sender: type[StatusUpdate | TargetPhase],
    instance: StatusUpdate | TargetPhase,
    raw: bool = False,
    **kwargs: Any,
) -> None:
    if raw:  # loaddata: the caller recomputes once at the end
        return
    targets_changed_announce(target_ids=[instance.target_id])


@receiver(post_save, sender=Target)
def _target_changed(
    sender: type[Target], instance: Target, raw: bool = False, **kwargs: Any
) -> None:
    if not raw:
        targets_changed_announce(target_ids=[instance.pk])


@receiver(post_save, sender=StatusReport)
def _report_changed(
    sender: type[StatusReport], instance: StatusReport, raw: bool = False, **kwargs: Any
) -> None:
    # Approval decides which updates count, so a state change affects every target.
    if not raw:
        ids = Target.objects.filter(initiative_id=instance.initiative_id).values_list(
            "pk", flat=True
        )
        targets_changed_announce(target_ids=ids)


@receiver(post_save, sender=ReportingRound)
def _round_changed(
    sender: type[ReportingRound],
    instance: ReportingRound,
    created: bool,
    raw: bool = False,
    **kwargs: Any,
) -> None:
    if not raw:
        ids = Target.objects.filter(initiative__programme_id=instance.programme_id).values_list(
            "pk", flat=True
        )
        targets_changed_announce(target_ids=ids)
