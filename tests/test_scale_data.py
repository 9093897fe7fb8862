"""Synthetic data for benchmarks: the promised size, every shape, reproducible."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from evaluations import services
from initiatives.management.commands import generate_scale_data
from initiatives.models import (
    Initiative,
    Programme,
    ReportingRound,
    StatusReport,
    StatusUpdate,
    Target,
    TargetPhase,
)

pytestmark = pytest.mark.django_db


def _signature(prefix: str) -> list:
    """Every status update of the programmes whose slug starts with ``prefix``, in order."""
    updates = StatusUpdate.objects.filter(target__initiative__programme__slug__startswith=prefix)
    ordered = updates.order_by(
        "target__initiative__programme__name",
        "target__initiative__number",
        "target__order",
        "round__year",
        "round__number",
    )
    return list(
        ordered.values_list(
            "target__initiative__programme__name",
            "target__title",
            "target__target_low",
            "round__state",
            "value",
            "assessment",
            "not_measurable",
            "stated_low",
            "stated_text",
        )
    )


def _others(prefix: str) -> list:
    """The reports' states and the phases, in order."""
    reports = StatusReport.objects.filter(initiative__programme__slug__startswith=prefix)
    phases = TargetPhase.objects.filter(target__initiative__programme__slug__startswith=prefix)
    return [
        *reports.order_by("initiative__slug", "round__year", "round__number").values_list(
            "initiative__number", "state"
        ),
        *phases.order_by("target__initiative__slug", "target__order", "year").values_list(
            "target__title", "year", "value"
        ),
    ]


def _targets(prefix: str):
    return Target.objects.filter(initiative__programme__slug__startswith=prefix)


def _shapes(prefix: str) -> Counter:
    titles = _targets(prefix).values_list("title", flat=True)
    return Counter(title.split("(")[1].rstrip(")") for title in titles)


def test_factor_1_is_5_initiatives_20_targets_24_rounds():
    # The session's reference programme may be there too: count only the synthetic one.
    call_command("generate_scale_data", factor=1, prefix="a", verbosity=0)
    assert Programme.objects.filter(slug__startswith="a-").count() == 1
    assert Initiative.objects.filter(programme__slug="a-0").count() == 5
    targets = _targets("a-")
    assert targets.count() == 100
    assert ReportingRound.objects.filter(programme__slug="a-0").count() == 24
    assert StatusReport.objects.filter(initiative__programme__slug="a-0").count() == 5 * 24
    updates = StatusUpdate.objects.filter(target__in=targets)
    assert updates.count() == 2400
    assert set(_shapes("a-")) == set(generate_scale_data.SHAPES)
    assert set(targets.values_list("kind", flat=True)) == {"antal", "beloeb", "kvalitativ"}
    assert targets.filter(direction="faldende").exists()
    assert targets.filter(target_high__isnull=False).exists()
    assert targets.filter(phases__isnull=False).exists()
    assert updates.filter(not_measurable=True).exists()
    assert updates.exclude(assessment="").exists()
    assert updates.filter(stated_low__isnull=False).exists()
    summary = services.snapshots_recompute(target_ids=list(targets.values_list("pk", flat=True)))
    assert summary.computed == 2400


def test_factor_n_is_n_programmes_of_the_same_shape(monkeypatch):
    """×N is N programmes; programme 0 is the same at any N and in any batch size."""
    monkeypatch.setattr(generate_scale_data, "BATCH", 2)
    call_command("generate_scale_data", factor=3, prefix="n", verbosity=0)
    assert Programme.objects.filter(slug__startswith="n-").count() == 3
    targets = _targets("n-")
    assert targets.count() == 300
    assert StatusUpdate.objects.filter(target__in=targets).count() == 3 * 2400
    assert TargetPhase.objects.filter(target__in=targets).count() == 4 * _shapes("n-")["phases"]
    call_command("generate_scale_data", factor=1, prefix="one", verbosity=0)
    assert _signature("one-") == _signature("n-0")
    assert _others("one-") == _others("n-0")
    # Each programme draws its own figures.
    assert [row[1:] for row in _signature("n-1")] != [row[1:] for row in _signature("n-2")]


def test_the_same_seed_gives_the_same_data():
    call_command("generate_scale_data", factor=1, prefix="a", seed=7, verbosity=0)
    call_command("generate_scale_data", factor=1, prefix="b", seed=7, verbosity=0)
    call_command("generate_scale_data", factor=1, prefix="c", seed=8, verbosity=0)
    assert len(_signature("a-")) == 2400
    assert _signature("a-") == _signature("b-")
    assert _others("a-") == _others("b-")
    assert _signature("a-") != _signature("c-")


@pytest.mark.postgres
def test_copy_and_bulk_create_write_the_same_rows():
    call_command("generate_scale_data", factor=1, prefix="copy", verbosity=0)
    call_command("generate_scale_data", factor=1, prefix="orm", no_copy=True, verbosity=0)
    assert _signature("copy-") == _signature("orm-")
    assert _others("copy-") == _others("orm-")
    fields = [
        f.attname
        for f in StatusUpdate._meta.concrete_fields
        if f.attname not in ("id", "target_id", "round_id", "created_at", "updated_at")
    ]
    by_copy = StatusUpdate.objects.filter(target__initiative__programme__slug="copy-0")
    by_orm = StatusUpdate.objects.filter(target__initiative__programme__slug="orm-0")
    assert list(by_copy.order_by("pk").values_list(*fields)) == list(
        by_orm.order_by("pk").values_list(*fields)
    )
    assert not by_copy.filter(created_at__isnull=True).exists()


def test_a_bad_factor_is_refused():
    with pytest.raises(CommandError, match="mellem 1 og 1000"):
        call_command("generate_scale_data", factor=0)
    with pytest.raises(CommandError, match="mellem 1 og 1000"):
        call_command("generate_scale_data", factor=1001)


def _bench_result(updates: int, p95: dict[str, float], queries: dict[str, int]) -> dict:
    pages = {
        name: {"p50": ms / 1000, "p95": ms / 1000, "cpu_p95": ms / 1000, "queries": queries[name]}
        for name, ms in p95.items()
    }
    for page in pages.values():
        page.update(samples=[page["p95"]], cpu_samples=[page["p95"]], runs=1)
        page["queries_seen"] = [page["queries"]]
    return {"targets": updates // 24, "updates": updates, "pages": pages, "worker": None}


def test_the_benchmark_scale_table_flags_growth_and_changed_query_counts():
    """bench/scale.py: the ratio of the largest factor's p95 to the smallest's, against
    1,5, and query counts that must not change; passes count by their median."""
    from bench.scale import merge_pages, scale_rows, scale_table

    queries = {"floor": 2, "overview": 12, "API targets": 6}
    results = {
        1: _bench_result(2400, {"floor": 1, "overview": 20, "API targets": 10}, queries),
        1000: _bench_result(
            2_400_000, {"floor": 1, "overview": 29, "API targets": 16}, queries | {"overview": 13}
        ),
    }
    rows = {row["page"]: row for row in scale_rows(results)}
    assert rows["overview"]["within_budget"] and not rows["overview"]["queries_equal"]
    assert not rows["API targets"]["within_budget"] and rows["API targets"]["queries_equal"]
    text = scale_table(results)
    assert "Over the ratio budget: API targets." in text
    assert "Query counts differ across factors: overview." in text

    # Two more passes at ×1000 within budget: the median of the three passes decides.
    for _ in range(2):
        merge_pages(results[1000], _bench_result(2_400_000, {"API targets": 12}, queries))
    assert results[1000]["pages"]["API targets"]["p95"] == 0.012
    rows = {row["page"]: row for row in scale_rows(results)}
    assert rows["API targets"]["within_budget"]
