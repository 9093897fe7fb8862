"""The recomputation's writers: PostgreSQL's COPY + upsert and the ORM's bulk upsert agree.

On PostgreSQL the snapshots are written by COPY into a staging table and one
``INSERT … ON CONFLICT … WHERE … IS DISTINCT FROM``; on any other database by Django's
bulk upsert after comparing content hashes. Both must store the same figures and texts,
write only what changed, and clear the stale mark.
"""

from __future__ import annotations

import gc
from decimal import Decimal

import pytest
from django.core.management import call_command

from evaluations import services
from evaluations.models import AttainmentSnapshot
from initiatives.models import StatusUpdate

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

CONTENT = [*services.SNAPSHOT_FIELDS, "target_id", "round_id", "stale"]


def _content() -> list[tuple]:
    return list(AttainmentSnapshot.objects.order_by("target_id", "round_id").values_list(*CONTENT))


@pytest.fixture
def scale_data() -> list[int]:
    """The generated programmes' ids (the session's reference data is there beside them)."""
    from initiatives.models import Programme

    call_command("generate_scale_data", factor=1, prefix="w", verbosity=0)
    return list(Programme.objects.filter(slug__startswith="w-").values_list("pk", flat=True))


def test_copy_and_orm_writers_store_the_same_snapshots(scale_data, monkeypatch):
    first = services.snapshots_recompute(programme_ids=scale_data)
    assert first.computed == first.written == 2400
    assert gc.isenabled()  # paused per chunk while computing, never left off
    by_copy = _content()
    AttainmentSnapshot.objects.filter(target__initiative__programme__in=scale_data).delete()
    # The embedded default's writer, on the same database.
    monkeypatch.setattr(
        services,
        "_write",
        lambda meta, columns: services._upsert_orm(services._snapshot_rows(meta, columns)),
    )
    again = services.snapshots_recompute(programme_ids=scale_data)
    assert again.written == 2400
    by_orm = _content()
    assert by_orm == by_copy
    # Every snapshot carries its explanation, with the target's version and the round.
    snapshots = AttainmentSnapshot.objects.filter(target__initiative__programme__in=scale_data)
    inputs = snapshots.order_by("pk").first().inputs
    assert {"rule", "B", "T", "A", "as_of", "target_version", "round", "thresholds"} <= set(inputs)


def test_only_changed_and_stale_rows_are_written_and_the_rest_keep_computed_at(scale_data):
    services.snapshots_recompute()
    unchanged = services.snapshots_recompute()
    assert unchanged.written == 0
    before = dict(AttainmentSnapshot.objects.values_list("pk", "computed_at"))

    update = StatusUpdate.objects.filter(value__isnull=False).order_by("pk").first()
    StatusUpdate.objects.filter(pk=update.pk).update(value=update.value + Decimal(1000))
    stale_target = StatusUpdate.objects.exclude(target=update.target).order_by("pk").first().target
    services.snapshots_mark_stale(target_ids=[stale_target.pk])

    summary = services.snapshots_recompute()
    after = AttainmentSnapshot.objects.values_list("pk", "target_id", "computed_at", "stale")
    rewritten = {target for pk, target, at, _ in after if at != before[pk]}
    # The changed target (its rounds from the update on) and the stale one, nothing else.
    assert rewritten == {update.target_id, stale_target.pk}
    assert summary.written == sum(1 for pk, _, at, _ in after if at != before[pk])
    assert not any(stale for *_, stale in after)


def test_a_changed_figure_reaches_the_stored_snapshot(scale_data):
    services.snapshots_recompute()
    update = (
        StatusUpdate.objects.filter(value__isnull=False, target__kind="antal")
        .order_by("pk")
        .first()
    )
    snapshot = AttainmentSnapshot.objects.get(target=update.target, round=update.round)
    StatusUpdate.objects.filter(pk=update.pk).update(value=update.value + Decimal(7))
    services.snapshots_recompute(target_ids=[update.target_id])
    snapshot.refresh_from_db()
    assert snapshot.actual == float(update.value + Decimal(7))
    assert snapshot.inputs["A"] == snapshot.actual


def test_the_sweep_finds_stale_snapshots_and_rounds_without_one(scale_data):
    import datetime as dt

    from initiatives.models import Programme, ReportingRound, Target

    call_command("generate_scale_data", factor=1, prefix="v", verbosity=0)
    services.snapshots_recompute()
    assert services.stale_target_ids() == []

    one = Target.objects.filter(initiative__programme__slug__startswith="v").order_by("pk")[0]
    services.snapshots_mark_stale(target_ids=[one.pk])
    assert services.stale_target_ids() == [one.pk]

    # A new round in the first programme: each of its targets lacks that round's figure.
    programme = Programme.objects.get(slug__startswith="w")
    ReportingRound.objects.create(
        programme=programme,
        year=2030,
        number=1,
        period_start=dt.date(2030, 1, 1),
        period_end=dt.date(2030, 2, 28),
        deadline=dt.date(2030, 3, 15),
    )
    in_programme = set(
        Target.objects.filter(initiative__programme=programme).values_list("pk", flat=True)
    )
    assert set(services.stale_target_ids()) == in_programme | {one.pk}
    services.snapshots_recompute(target_ids=services.stale_target_ids())
    assert services.stale_target_ids() == []
