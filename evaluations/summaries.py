"""The printed committee summaries: what they say, the PDF, and frozen editions.

A summary is the dashboard's figures for one round, in plain Danish, on A4. The same
HTML is printed from the browser and rendered to PDF by WeasyPrint; its charts are
static SVG (``print_charts``). Publishing stores the PDF's bytes as an immutable
:class:`~evaluations.models.Edition`, so later corrections never alter what a committee
saw.

Building and rendering a summary allocates a great many short-lived objects (model rows,
then WeasyPrint's styles and boxes); both run with the cyclic garbage collector paused
(``jobvaekst.memory.collector_paused``), see docs/decisions.md, "The summary PDF and the garbage
collector".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from initiatives.models import Initiative, Programme, ReportingRound, StatusReport, Target
from jobvaekst.memory import collector_paused

from . import print_charts
from .dashboards import (
    CategoryCount,
    Overview,
    category_counts,
    programme_overview,
    radar_rows,
)
from .indicators import IndicatorRow, Point, indicator_attainment, national_gap
from .scoring import snapshot_headline
from .selectors import TargetRow, target_rows

logger = logging.getLogger("jobvaekst.summaries")


@dataclass
class Narrative:
    initiative: Initiative
    progress: str
    challenges: str


@dataclass(frozen=True)
class IndicatorSection:
    """One indicator in "Formål og kontekst": the row, its words and its comparison.

    ``figures`` are the home area's points in order ("ved iværksættelsen: ca. 35 %");
    ``statements`` the points the source gives in words only. ``comparison`` is every
    area's figure in the home area's latest period, drawn by ``chart`` (None with fewer
    than two figures) and always listed as a table beside it.
    """

    row: IndicatorRow
    figures: tuple[Point, ...]
    statements: tuple[Point, ...]
    comparison: tuple[Point, ...]
    chart: str | None

    @property
    def list_figures(self) -> bool:
        """A short series is listed point by point; a long one reads as its change."""
        return 1 < len(self.figures) <= 6

    @property
    def comparison_period(self) -> str:
        return self.comparison[0].period if self.comparison else ""


@dataclass
class Summary:
    programme: Programme
    initiative: Initiative | None
    overview: Overview
    rows: list[TargetRow]
    narratives: list[Narrative]
    printed_at: datetime
    charts: dict[str, str | None] = field(default_factory=dict)
    plain: list[str] = field(default_factory=list)  # the short summary in sentences
    indicators: list[IndicatorSection] = field(default_factory=list)  # programme only

    @property
    def title(self) -> str:
        where = self.initiative.name if self.initiative else self.programme.name
        code = self.overview.round.code if self.overview.round else "uden runde"
        return f"{where} – statusopsamling, runde {code}"

    @property
    def round(self) -> ReportingRound | None:
        return self.overview.round

    @property
    def radar_rows(self) -> list[tuple[str, list[int | None]]]:
        """Parameter × assessment, for the table beside the radar."""
        return radar_rows(self.overview)

    @property
    def categories(self) -> list[CategoryCount]:
        return category_counts([r.category for r in self.rows])

    @property
    def filename(self) -> str:
        slug = self.initiative.slug if self.initiative else self.programme.slug
        code = self.round.code if self.round else "uden-runde"
        return f"{slug}-statusopsamling-{code}.pdf"


def _count(categories: list[CategoryCount], *names: str) -> int:
    return sum(c.count for c in categories if c.category in names)


def plain_language(rows: list[TargetRow], overview: Overview, n_initiatives: int) -> list[str]:
    """Three or four sentences a politician reads first."""
    cats = category_counts([r.category for r in rows])
    total = len(rows)
    achieved = _count(cats, "Opnået")
    # A category that follows a figure the report only stated says so (DOMAIN.md).
    achieved_stated = sum(
        1 for r in rows if r.category == "Opnået" and r.snapshot and r.snapshot.basis == "angivet"
    )
    on_track = _count(cats, "På sporet")
    behind = _count(cats, "Bagud", "Kritisk")
    not_achieved = _count(cats, "Ikke opnået")
    partly = _count(cats, "Delvist opnået")
    without = total - achieved - on_track - behind - not_achieved - partly
    stated_note = (
        f" ({achieved_stated} af dem efter rapportens angivelse)" if achieved_stated else ""
    )
    first = (
        f"Af {total} mål er {achieved} nået{stated_note}, og {on_track} er på sporet. "
        f"{behind} er bagud eller kritisk."
    )
    if not_achieved or partly:
        first += f" {not_achieved} er ikke opnået og {partly} delvist opnået efter det angivne."
    if without:
        first += (
            f" De sidste {without} kan ikke opgøres endnu: de er ikke målbare, har intet "
            "måltal eller mangler status."
        )
    sentences = [first]
    latest = overview.latest_score
    if latest is not None:
        # The headline rule (scoring.score_headline): the stated overall, else a mean of all
        # parameters; a partial mean is told with its count, never as the score.
        sentences.append(snapshot_headline(latest).sentence)
    if n_initiatives > 1:
        sentences.append(
            f"{overview.n_approved} af {overview.n_initiatives} indsatsområder har en godkendt "
            "statusrapport for runden."
        )
    return sentences


def _known_by(point: Point, as_of: date) -> bool:
    # The overview's rule: a period that had not ended by then was not known; a point
    # without dates ("ved iværksættelsen af Jobvækstpakken") always counts.
    return point.period_end is None or point.period_end <= as_of


def indicator_rows_as_of(rows: list[IndicatorRow], as_of: date | None) -> list[IndicatorRow]:
    """The rows as they could be read at ``as_of``: later dated points left out.

    Works on the rows :func:`evaluations.dashboards.programme_overview` has read (no
    query): each series keeps its points up to ``as_of``, and the latest figure, the
    change, the comparison, the gap and the attainment are read again from them by the
    same rules as :func:`evaluations.indicators.indicator_row`. ``as_of=None`` keeps the
    rows as they are.
    """
    if as_of is None:
        return rows
    shown = []
    for row in rows:
        series = tuple(
            replace(s, points=tuple(p for p in s.points if _known_by(p, as_of))) for s in row.series
        )
        home = next((s for s in series if s.is_home), None)
        national = next((s for s in series if s.is_national and not s.is_home), None)
        valued = [p for p in (home.points if home else ()) if p.value is not None]
        latest = valued[-1] if valued else None
        comparison: tuple[Point, ...] = ()
        if latest is not None:
            comparison = tuple(p for s in series if (p := s.at(latest.period)) is not None)
        indicator = row.indicator
        shown.append(
            replace(
                row,
                series=series,
                home=home,
                national=national,
                latest=latest,
                change_text=f"fra {valued[0].text} til {valued[-1].text}"
                if len(valued) >= 2
                else "",
                gap=national_gap(
                    home, national, unit=indicator.unit, direction=indicator.direction
                ),
                comparison=comparison,
                attainment=indicator_attainment(indicator, home, as_of=as_of),
            )
        )
    return shown


def indicator_sections(rows: list[IndicatorRow]) -> list[IndicatorSection]:
    """The "Formål og kontekst" section: per indicator its figures, words and comparison."""
    sections = []
    for row in rows:
        points = row.home.points if row.home else ()
        stated = row.gap is not None and not row.gap.computed
        gap_text = row.gap.text if row.gap is not None else ""
        comparison = row.comparison if len(row.comparison) > 1 else ()
        bars = [
            (
                p.area,
                float(p.value),
                p.text,
                p.area == (row.home.area if row.home else ""),
                p.qualifier in ("mindst", "hoejst"),
            )
            for p in comparison
            if p.value is not None
        ]
        sections.append(
            IndicatorSection(
                row=row,
                figures=tuple(p for p in points if p.value is not None),
                # A gap the source states in words is shown once, as the gap.
                statements=tuple(
                    p
                    for p in points
                    if p.value is None and p.text and not (stated and p.text == gap_text)
                ),
                comparison=comparison,
                chart=print_charts.comparison_bars(bars, row.indicator.unit)
                if len(bars) > 1
                else None,
            )
        )
    return sections


def build(
    *, programme: Programme, initiative: Initiative | None = None, round_code: str | None = None
) -> Summary:
    """The summary of the programme (or one initiative) as of the chosen round."""
    with collector_paused():
        return _build(programme=programme, initiative=initiative, round_code=round_code)


def _build(
    *, programme: Programme, initiative: Initiative | None, round_code: str | None
) -> Summary:
    overview = programme_overview(programme=programme, round_code=round_code)
    round_ = overview.round
    targets = Target.objects.filter(initiative__programme=programme)
    if initiative is not None:
        targets = targets.filter(initiative=initiative)
        overview.cards = [c for c in overview.cards if c.initiative.pk == initiative.pk]
        overview.budget = [b for b in overview.budget if b.initiative.pk == initiative.pk]
    rows = target_rows(round_=round_, targets=targets.select_related("initiative"))
    reports = (
        StatusReport.objects.filter(round=round_, state=StatusReport.State.APPROVED)
        .filter(initiative__in=[c.initiative for c in overview.cards])
        .select_related("initiative")
        .order_by("initiative__number")
        if round_
        else []
    )
    narratives = [
        Narrative(r.initiative, r.progress.strip(), r.challenges.strip())
        for r in reports
        if r.progress.strip() or r.challenges.strip()
    ]
    summary = Summary(
        programme=programme,
        initiative=initiative,
        overview=overview,
        rows=rows,
        narratives=narratives,
        printed_at=timezone.localtime(),
    )
    summary.plain = plain_language(rows, overview, len(overview.cards))
    if initiative is None:
        # The programme's goals and context; a printed round shows them as of its end.
        as_of = round_.period_end if round_ else None
        summary.indicators = indicator_sections(indicator_rows_as_of(overview.indicators, as_of))
    summary.charts = {
        "levels": print_charts.level_bars(
            [
                (
                    card.initiative.name,
                    [(f.label, f.mean, f.n_with_percent, f.n_targets) for f in card.levels],
                )
                for card in overview.cards
            ]
        ),
        "radar": print_charts.radar(
            overview.parameters, [(s.title, s.scores) for s in overview.radar]
        ),
        "budget": print_charts.budget_bars(
            [
                (
                    f"{b.initiative.name} {b.year}",
                    None if b.allocated is None else float(b.allocated),
                    None if b.spent is None else float(b.spent),
                )
                for b in overview.budget
            ]
        ),
    }
    return summary


def render_html(summary: Summary) -> str:
    """The standalone document WeasyPrint renders (no navigation, print.css only)."""
    return render_to_string("evaluations/summary_pdf.html", {"summary": summary})


def _static_file(name: str) -> str | None:
    """A static file on disk: from the finders, or collected (hashed names in production)."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    found = finders.find(name)
    if found:
        return found
    try:
        path = staticfiles_storage.path(name)
    except NotImplementedError:
        return None
    return path if Path(path).is_file() else None


def _static_fetcher() -> Any:  # a weasyprint URLFetcher (weasyprint ships no types)
    """WeasyPrint may read our static files and data: URIs, nothing from the network."""
    import mimetypes

    from django.conf import settings
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = unquote(urlparse(url).path)
            if path.startswith(settings.STATIC_URL):
                found = _static_file(path[len(settings.STATIC_URL) :])
                if found:
                    mime = mimetypes.guess_type(found)[0] or "application/octet-stream"
                    body = Path(found).read_bytes()
                    return URLFetcherResponse(url, body, {"Content-Type": mime})
            raise ValueError(f"Udskriften må ikke hente {url}")

    # A missing stylesheet or chart stops the rendering rather than print it unstyled.
    return StaticOnly(allowed_protocols={"data", "http"}, fail_on_errors=True)


def _pdf_bytes(html: str) -> bytes:
    from weasyprint import HTML

    document = HTML(
        string=html, base_url="http://jobvaekst.invalid/", url_fetcher=_static_fetcher()
    )
    return document.write_pdf(pdf_variant="pdf/ua-1")


def render_pdf(summary: Summary) -> bytes:
    """The summary as a tagged PDF (PDF/UA-1), in Danish, with the title set."""
    with collector_paused():
        # The document is released before the collector resumes: its cycles die young.
        return _pdf_bytes(render_html(summary))
