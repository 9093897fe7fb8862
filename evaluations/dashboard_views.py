"""The Baggrundsgruppe's programme overview (/oversigt/)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from initiatives.access import programme_for_user, programmes_for_user
from initiatives.models import Programme
from jobvaekst.numbers import format_number

from . import charts
from .dashboards import programme_overview, radar_rows
from .indicators import IndicatorRow, benchmark_table


@require_safe
def overview_index(request: HttpRequest) -> HttpResponse:
    """The user's programme overview; a choice when they follow several programmes."""
    programmes = list(programmes_for_user(request.user).order_by("name"))
    if len(programmes) == 1:
        return _render_overview(request, programmes[0])
    return render(request, "evaluations/overview_choice.html", {"programmes": programmes})


@require_safe
def overview(request: HttpRequest, programme: str) -> HttpResponse:
    return _render_overview(request, programme_for_user(request, programme))


def _indicator_item(row: IndicatorRow) -> dict:
    """One indicator of the "Formål og kontekst" band: its row, chart and table."""
    bars = [
        charts.BenchmarkBar(
            area=p.area,
            value=float(p.value),
            text=p.text,
            is_home=p.area == row.home.area if row.home else False,
            is_national=row.national is not None and p.area == row.national.area,
            is_bound=p.qualifier in ("mindst", "hoejst"),
        )
        for p in row.comparison
        if p.value is not None
    ]
    period = row.latest.period if row.latest else ""
    slug = row.indicator.slug
    return {
        "row": row,
        "chart": charts.benchmark_bars(bars, unit=row.indicator.unit, period=period),
        "chart_id": f"indikator-graf-{slug}",
        "table": benchmark_table(row),
        "period": period,
    }


def _render_overview(request: HttpRequest, programme: Programme) -> HttpResponse:
    data = programme_overview(programme=programme, round_code=request.GET.get("runde"))
    cards = [
        {
            "card": card,
            "chart_id": f"trend-{card.initiative.slug}",
            "trend_chart": charts.sparkline([(p.code, p.mean) for p in card.trend]),
            "trend_text": charts.describe_trend([(p.code, p.mean, p.n) for p in card.trend]),
        }
        for card in data.cards
    ]
    split = {
        dimension: [row for row in data.split if row.dimension == dimension]
        for dimension in ("Orientering", "Sigt")
    }
    budget_rows = [
        (f"{row.initiative.name} {row.year}", row.allocated, row.spent) for row in data.budget
    ]
    ctx = {
        "programme": programme,
        "overview": data,
        "cards": cards,
        "radar_chart": charts.radar(data.parameters, [(s.title, s.scores) for s in data.radar]),
        "radar_rows": radar_rows(data),
        "split_charts": [
            (
                dimension,
                charts.count_bars([(r.label, r.n_targets) for r in rows], title=dimension),
                f"split-{i}",
            )
            for i, (dimension, rows) in enumerate(split.items())
        ],
        "budget_chart": charts.budget_bars(
            [
                (label, None if a is None else float(a), None if s is None else float(s))
                for label, a, s in budget_rows
            ]
        ),
        "programme_budget": format_number(programme.budget_per_year)
        if programme.budget_per_year is not None
        else None,
        "indicators": [_indicator_item(row) for row in data.indicators],
        "is_history": data.round is not None and data.rounds and data.round != data.rounds[-1],
    }
    return render(request, "evaluations/overview.html", ctx)
