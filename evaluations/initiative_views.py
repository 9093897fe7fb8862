"""The pages that show an initiative with its computed figures, and the programme export.

They read through ``selectors`` and ``dashboards``; the recording side's views
(targets, reports, imports) are in ``initiatives``.
"""

from __future__ import annotations

from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig
from django_tables2.export import TableExport

from initiatives.access import initiative_for_user, programme_for_user, programmes_for_user
from initiatives.importing import XLSX
from initiatives.models import Level, ReportingRound, Target

from . import charts, dashboards, selectors
from .exporting import programme_workbook
from .filters import TargetFilter
from .tables import TargetTable


@require_safe
def initiative_list(request: HttpRequest) -> HttpResponse:
    initiatives = selectors.initiative_list(programmes=programmes_for_user(request.user))
    ctx = {"initiatives": initiatives}
    return render(request, "initiatives/initiative_list.html", ctx)


@require_safe
def initiative_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The initiative page, as of the chosen round (``?runde=2018-2``; the newest by default).

    The targets table sorts (``?sort=``), filters (django-filter) and exports
    (``?_export=csv`` or ``xlsx``) the rows it shows.
    """
    initiative = initiative_for_user(request, slug)
    rounds = dashboards.shown_rounds(programme=initiative.programme)
    round_ = dashboards.chosen_round(rounds, request.GET.get("runde"))
    rows = selectors.target_rows(
        initiative=initiative,
        round_=round_,
        approved_only=not request.user.has_perm("initiatives.read_unapproved", initiative),
    )
    target_filter = TargetFilter(
        request.GET or None,
        queryset=selectors.targets_with_category(
            Target.objects.filter(initiative=initiative), round_
        ),
    )
    shown = set(target_filter.qs.values_list("pk", flat=True))
    table = TargetTable([row for row in rows if row.target.pk in shown])
    RequestConfig(request, paginate=False).configure(table)
    export_format = request.GET.get("_export")
    if export_format in ("csv", "xlsx"):
        name = f"{initiative.slug}-maal-{round_.code if round_ else 'uden-runde'}.{export_format}"
        return TableExport(export_format, table).response(filename=name)

    series = dashboards.target_series(initiative=initiative, round_=round_)
    may_manage = request.user.has_perm("initiatives.manage_targets", initiative)
    details = [
        _target_detail(row, series.get(row.target.pk, []), round_=round_, may_manage=may_manage)
        for row in rows
    ]
    ctx = {
        "initiative": initiative,
        "chain": selectors.effect_chain(initiative=initiative),
        "chain_targets": _targets_by_level(rows),
        "sub_initiatives": list(initiative.sub_initiatives.all()),
        "table": table,
        "filter": target_filter,
        "n_shown": len(table.rows),
        "rows": rows,
        "levels": dashboards.level_figures(
            dashboards.level_input(r.target.level, r.snapshot) for r in rows
        ),
        "categories": dashboards.category_counts([r.category for r in rows]),
        "n_pending": sum(1 for r in rows if r.snapshot and r.snapshot.pending_approval),
        "details": details,
        "round": round_,
        "rounds": rounds,
        "is_history": bool(rounds) and round_ != rounds[-1],
        "keep": [("runde", round_.code)] if round_ and round_ != rounds[-1] else [],
        "may_manage": may_manage,
    }
    return render(request, "initiatives/initiative_detail.html", ctx)


def _targets_by_level(rows: list[selectors.TargetRow]) -> dict[str, list[selectors.TargetRow]]:
    by_level: dict[str, list[selectors.TargetRow]] = {value: [] for value in Level.values}
    for row in rows:
        by_level[row.target.level].append(row)
    return by_level


def _target_detail(
    row: selectors.TargetRow,
    points: list[charts.SeriesPoint],
    *,
    round_: ReportingRound | None,
    may_manage: bool,
) -> dict:
    """One target's chart, its summary in words and the numbers behind it.

    ``version`` keys the template's fragment cache for the block (see ``_detail_version``).
    """
    snap = row.snapshot
    chart = None
    if snap is not None:
        chart = charts.target_chart(
            points,
            unit=row.target.unit,
            baseline=snap.baseline,
            target_low=snap.target_value,
            target_high=snap.target_high,
            forecast_year=snap.forecast_year,
            forecast_text=snap.forecast_text,
            start=row.target.start_date,
            end=row.target.target_date,
        )
    return {
        "row": row,
        "snap": snap,
        "points": points,
        "chart": chart,
        "chart_id": f"target-chart-{row.target.pk}",
        "summary": charts.describe_target(row, points),
        "version": _detail_version(row, points, round_=round_, may_manage=may_manage),
    }


def _detail_version(
    row: selectors.TargetRow,
    points: list[charts.SeriesPoint],
    *,
    round_: ReportingRound | None,
    may_manage: bool,
) -> str:
    """Everything a target's details block shows, as one string: its fragment cache key.

    The block is the page's costliest part to render (a table of every round), and it
    changes only when a recompute, an edit or a new round changes what goes into it. The
    key is that content itself, not a timestamp, so a cached block can never show a
    figure that has changed, whatever wrote the change: a recompute, a form, or a bulk
    ``update()`` that leaves ``updated_at`` alone (decisions §25).
    """
    return repr(
        (
            _field_values(row.target),
            _field_values(row.snapshot),
            row.in_words,
            row.latest_in_words,
            row.round_code,
            row.stated,
            points,
            round_.code if round_ else None,
            may_manage,
            translation.get_language(),
            timezone.get_current_timezone_name(),
        )
    )


def _field_values(obj: Model | None) -> tuple | None:
    if obj is None:
        return None
    return tuple(field.value_from_object(obj) for field in obj._meta.concrete_fields)


@require_safe
def programme_export(request: HttpRequest, programme: str) -> HttpResponse:
    prog = programme_for_user(request, programme)
    response = HttpResponse(programme_workbook(prog), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{prog.slug}-eksport.xlsx"'
    return response
