"""Programme indicators: their series, the gap to the national level, and attainment.

Reads for pages (the overview's "Formål og kontekst" band, the printed summary, the
export, the API). :func:`programme_indicators` runs a fixed number of queries (two)
whatever the number of indicators, areas and observations; everything else here works
on what it returns.

The attainment of an indicator (for the programme's own area) comes from the same pure
engine as the targets' (:func:`evaluations.attainment.attainment`): the indicator is
turned into a :class:`~evaluations.attainment.TargetSpec` and its latest figure into an
:class:`~evaluations.attainment.Observation`. It is computed here, on read, and not
snapshotted: a programme has a handful of indicators and the scalar path takes
microseconds per indicator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import cast

import pandas as pd
from django.db.models import Prefetch
from django.utils import timezone

from initiatives.models import Area, Indicator, IndicatorObservation, Programme
from initiatives.models import indicator_value_text as value_text
from jobvaekst.numbers import format_number

from . import attainment as engine
from .thresholds import thresholds

NATIONAL_WORD = "landsgennemsnittet"


@dataclass(frozen=True)
class Point:
    """One figure of a series, as shown: ``text`` is "ca. 35 %" or the source's words."""

    area: str
    period: str
    period_start: date | None
    period_end: date | None
    value: Decimal | None
    qualifier: str  # "eksakt" | "ca" | "mindst" | "hoejst"
    text: str
    stated_gap: str
    source_note: str


@dataclass(frozen=True)
class Series:
    """One area's figures for an indicator, in time order."""

    area: str
    kind: str  # Area.Kind: "kommune" | "gruppe" | "hele_landet"
    is_home: bool
    points: tuple[Point, ...]

    @property
    def is_national(self) -> bool:
        return self.kind == Area.Kind.COUNTRY

    def at(self, period: str) -> Point | None:
        return next((p for p in self.points if p.period == period), None)


@dataclass(frozen=True)
class Gap:
    """The programme's area against the national level in one period.

    ``difference`` is home − national in the gap's unit (procentpoint for a percentage),
    None when the source states the gap only in words (``computed`` is then False).
    ``favourable`` says whether the difference is on the good side for the indicator's
    direction (None when it cannot be said).
    """

    period: str
    difference: Decimal | None
    unit: str
    text: str  # "5,2 procentpoint under landsgennemsnittet"
    computed: bool
    favourable: bool | None
    formula: str  # "40,3 % − 45,5 % = −5,2 procentpoint"; "" when stated


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    purpose: str  # "Vækstrettet", "Jobrettet" or "Kontekst"
    series: tuple[Series, ...]  # the home area first, then the others in Area order
    home: Series | None
    national: Series | None
    latest: Point | None  # the home area's latest point with a value
    change_text: str  # "fra ca. 35 % til 80 %", "" with fewer than two values
    gap: Gap | None
    comparison: tuple[Point, ...]  # every area's point in the latest period of the home area
    attainment: engine.Result
    source_text: str  # "Statistik (udgiver), udtrukket 01.12.2026"

    @property
    def has_target(self) -> bool:
        return self.indicator.target_value is not None


# --- Formatting ---------------------------------------------------------------------------


def gap_unit(unit: str) -> str:
    """The unit of a difference: percentages differ in procentpoint."""
    return "procentpoint" if unit.strip() in ("%", "procent", "procentpoint") else unit.strip()


def gap_text(difference: Decimal, unit: str, *, approximate: bool = False) -> str:
    """ "1,5 procentpoint over landsgennemsnittet", "5,2 … under …", "på landsgennemsnittet"."""
    if difference == 0:
        return f"på {NATIONAL_WORD}"
    side = "over" if difference > 0 else "under"
    prefix = "ca. " if approximate else ""
    return f"{prefix}{format_number(abs(difference))} {gap_unit(unit)} {side} {NATIONAL_WORD}"


# --- The gap to the national level -----------------------------------------------------------


def national_gap(
    home: Series | None, national: Series | None, *, unit: str, direction: str
) -> Gap | None:
    """The latest period in which both the home area and the country have a figure.

    difference = home − national (both as given; "ca." on either makes the gap "ca.").
    A bound ("mindst", "højst") on either side gives no computed gap: the difference of a
    bound and a figure is itself only a bound. Without a computed gap, the home area's
    latest ``stated_gap`` (the source's own words) is returned as stated.
    """
    if home is None:
        return None
    if national is not None:
        for point in reversed(home.points):
            other = national.at(point.period)
            if point.value is None or other is None or other.value is None:
                continue
            if {point.qualifier, other.qualifier} & {"mindst", "hoejst"}:
                continue
            difference = point.value - other.value
            approximate = "ca" in (point.qualifier, other.qualifier)
            better_when_higher = direction != "faldende"
            favourable = None if difference == 0 else (difference > 0) == better_when_higher
            formula = (
                f"{value_text(point.value, point.qualifier, unit)} − "
                f"{value_text(other.value, other.qualifier, unit)} = "
                f"{format_number(difference).replace('-', '−')} {gap_unit(unit)}"
            )
            return Gap(
                period=point.period,
                difference=difference,
                unit=gap_unit(unit),
                text=gap_text(difference, unit, approximate=approximate),
                computed=True,
                favourable=favourable,
                formula=formula,
            )
    stated = next((p for p in reversed(home.points) if p.stated_gap), None)
    if stated is None:
        return None
    return Gap(
        period=stated.period,
        difference=None,
        unit=gap_unit(unit),
        text=stated.stated_gap,
        computed=False,
        favourable=None,
        formula="",
    )


# --- Attainment ----------------------------------------------------------------------------


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def indicator_spec(indicator: Indicator) -> engine.TargetSpec:
    """The indicator as the engine's target: a level from baseline B to target T.

    No baseline is B = 0 and no target is "Intet måltal", exactly as for targets.
    """
    return engine.TargetSpec(
        target_id=indicator.pk,
        direction=indicator.direction,
        qualitative=False,
        measurable=True,
        basis="niveau",
        baseline_low=_f(indicator.baseline_value),
        baseline_high=None,
        target_low=_f(indicator.target_value),
        target_high=None,
        phases=(),
        start_date=indicator.baseline_date,
        target_date=indicator.target_date,
        cumulative=False,
    )


def indicator_observation(point: Point, *, as_of: date) -> engine.Observation:
    """A point as the engine's status; a period without dates counts as of ``as_of``."""
    return engine.Observation(
        as_of=point.period_end or point.period_start or as_of,
        value=_f(point.value),
        assessment="",
        not_measurable=False,
        status_text=point.text,
        stated_low=None,
        stated_high=None,
        stated_text="",
        stated_is_estimate=False,
    )


def indicator_attainment(
    indicator: Indicator, home: Series | None, *, as_of: date
) -> engine.Result:
    """Attainment of the home area's latest figure against the indicator's target."""
    points = home.points if home else ()
    with_value = [p for p in points if p.value is not None]
    latest = with_value[-1] if with_value else (points[-1] if points else None)
    history = [
        (d, float(cast(Decimal, p.value)))  # with_value: not None
        for p in with_value
        if (d := p.period_end or p.period_start)
    ]
    return engine.attainment(
        indicator_spec(indicator),
        None if latest is None else indicator_observation(latest, as_of=as_of),
        as_of=as_of,
        history=history,
        thresholds=thresholds(),
    )


# --- The selector ---------------------------------------------------------------------------


def _point(obs: IndicatorObservation, unit: str) -> Point:
    text = value_text(obs.value, obs.qualifier, unit) or obs.stated_text or obs.stated_gap
    return Point(
        area=obs.area.name,
        period=obs.period_label,
        period_start=obs.period_start,
        period_end=obs.period_end,
        value=obs.value,
        qualifier=obs.qualifier,
        text=text,
        stated_gap=obs.stated_gap,
        source_note=obs.source_note,
    )


def _point_key(obs: IndicatorObservation) -> tuple:
    # Dated periods in time order; undated ones by their given order.
    return (obs.order, obs.period_start or date.min, obs.pk)


def _source_text(indicator: Indicator) -> str:
    text = indicator.source_name
    if indicator.source_publisher:
        text += f" ({indicator.source_publisher})"
    if indicator.extracted_on:
        text += f", udtrukket {indicator.extracted_on:%d.%m.%Y}"
    return text


def indicator_row(indicator: Indicator, *, as_of: date | None = None) -> IndicatorRow:
    """One indicator read into a row; expects ``observations`` (with areas) prefetched."""
    as_of = as_of or timezone.localdate()
    unit = indicator.unit
    by_area: dict[int, tuple[Area, list[IndicatorObservation]]] = {}
    for obs in indicator.observations.all():
        by_area.setdefault(obs.area_id, (obs.area, []))[1].append(obs)
    areas = sorted(
        (area for area, _ in by_area.values()),
        key=lambda a: (a.pk != indicator.home_area_id, a.order, a.name),
    )
    series = tuple(
        Series(
            area=area.name,
            kind=area.kind,
            is_home=area.pk == indicator.home_area_id,
            points=tuple(_point(o, unit) for o in sorted(by_area[area.pk][1], key=_point_key)),
        )
        for area in areas
    )
    home = next((s for s in series if s.is_home), None)
    national = next((s for s in series if s.is_national and not s.is_home), None)
    valued = [p for p in (home.points if home else ()) if p.value is not None]
    latest = valued[-1] if valued else None
    change = f"fra {valued[0].text} til {valued[-1].text}" if len(valued) >= 2 else ""
    comparison: tuple[Point, ...] = ()
    if latest is not None:
        comparison = tuple(p for s in series if (p := s.at(latest.period)) is not None)
    return IndicatorRow(
        indicator=indicator,
        purpose=indicator.get_purpose_display() if indicator.purpose else "Kontekst",
        series=series,
        home=home,
        national=national,
        latest=latest,
        change_text=change,
        gap=national_gap(home, national, unit=unit, direction=indicator.direction),
        comparison=comparison,
        attainment=indicator_attainment(indicator, home, as_of=as_of),
        source_text=_source_text(indicator),
    )


def programme_indicators(
    programme: Programme | int, *, as_of: date | None = None
) -> list[IndicatorRow]:
    """Every indicator of a programme with its series, gap and attainment: two queries."""
    programme_id = programme if isinstance(programme, int) else programme.pk
    observations = Prefetch(
        "observations", queryset=IndicatorObservation.objects.select_related("area")
    )
    indicators = (
        Indicator.objects.filter(programme_id=programme_id)
        .select_related("home_area", "programme")
        .prefetch_related(observations)
        .order_by("order", "name")
    )
    return [indicator_row(i, as_of=as_of) for i in indicators]


# --- For charts, tables and the export ---------------------------------------------------------


@dataclass(frozen=True)
class BenchmarkTable:
    """Periods down, areas across: the table beside a chart, and the export's sheet."""

    areas: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]  # (period, one text per area; "–" if none)


def benchmark_table(row: IndicatorRow) -> BenchmarkTable:
    """Every area's figure per period, periods in the home area's order first."""
    periods: list[str] = []
    for s in row.series:
        periods += [p.period for p in s.points if p.period not in periods]
    return BenchmarkTable(
        areas=tuple(s.area for s in row.series),
        rows=tuple(
            (period, tuple((p.text if (p := s.at(period)) else "–") for s in row.series))
            for period in periods
        ),
    )


def indicator_frame(row: IndicatorRow) -> pd.DataFrame:
    """One line per area × period with a value, for a plotly figure (pandas at the edge).

    Columns: area, kind, is_home, period, period_start, order (position in the series),
    value (float), qualifier, text. Points given only in words are left out: a chart
    shows numbers, the table beside it shows the words.
    """
    records = [
        {
            "area": s.area,
            "kind": s.kind,
            "is_home": s.is_home,
            "period": p.period,
            "period_start": p.period_start,
            "order": i,
            "value": float(p.value),
            "qualifier": p.qualifier,
            "text": p.text,
        }
        for s in row.series
        for i, p in enumerate(s.points)
        if p.value is not None
    ]
    columns = ["area", "kind", "is_home", "period", "period_start", "order", "value"]
    return pd.DataFrame.from_records(records, columns=[*columns, "qualifier", "text"])


def ordered_observations(
    row: IndicatorRow,
) -> list[tuple[Series, Point, IndicatorObservation]]:
    """Each observation of a row with its series and point, in the read side's order.

    Uses the row's prefetched observations (no query); area and period name one
    observation (a database constraint).
    """
    by_key = {(o.area.name, o.period_label): o for o in row.indicator.observations.all()}
    return [(s, p, by_key[(s.area, p.period)]) for s in row.series for p in s.points]
