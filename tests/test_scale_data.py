"""Synthetic data for benchmarks: the promised size, every shape, reproducible."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from evaluations import services
from initiatives.models import Initiative, Programme, StatusUpdate, Target

pytestmark = pytest.mark.django_db


def _signature(prefix: str) -> list:
    updates = StatusUpdate.objects.filter(target__initiative__programme__slug__startswith=prefix)
    ordered = updates.order_by(
        "target__initiative__number", "target__order", "round__year", "round__number"
    )
    return list(ordered.values_list("target__title", "value", "assessment", "not_measurable"))


def test_factor_1_is_5_initiatives_20_targets_24_rounds():
    call_command("generate_scale_data", factor=1, prefix="a", verbosity=0)
    assert Programme.objects.count() == 1
    assert Initiative.objects.count() == 5
    assert Target.objects.count() == 100
    assert StatusUpdate.objects.count() == 2400
    kinds = set(Target.objects.values_list("kind", flat=True))
    assert kinds == {"antal", "beloeb", "kvalitativ"}
    assert Target.objects.filter(direction="faldende").exists()
    assert Target.objects.filter(target_high__isnull=False).exists()
    assert Target.objects.filter(phases__isnull=False).exists()
    summary = services.snapshots_recompute()
    assert summary.computed == 2400


def test_the_same_seed_gives_the_same_data():
    call_command("generate_scale_data", factor=1, prefix="a", seed=7, verbosity=0)
    call_command("generate_scale_data", factor=1, prefix="b", seed=7, verbosity=0)
    call_command("generate_scale_data", factor=1, prefix="c", seed=8, verbosity=0)
    assert len(_signature("a-")) == 2400
    assert _signature("a-") == _signature("b-")
    assert _signature("a-") != _signature("c-")


def test_a_bad_factor_is_refused():
    with pytest.raises(CommandError, match="mellem 1 og 1000"):
        call_command("generate_scale_data", factor=0)
