"""What the dashboards show, read from the snapshots (never computed on request).

Every selector here runs a fixed number of queries, whatever the size of the data: the
overview and the initiative page are pinned by tests. Everything is "as of" a chosen
round, so picking a past round shows the figures as the snapshots of that round hold
them (the history view).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.db.models import Prefetch, Q
from django.http import Http404

from initiatives.models import (
    Horizon,
    Indicator,
    IndicatorObservation,
    Initiative,
    Level,
    Orientation,
    Programme,
    ReportingRound,
    StatusReport,
    Target,
)

from .attainment import mean_capped, stated_label
from .charts import SeriesPoint
from .indicators import IndicatorRow, indicator_row
from .models import AttainmentSnapshot, ParameterScore, ScoreSnapshot

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The categories in the order the pages list them; those in OCCASIONAL only show when used.
CATEGORIES = [
    AttainmentSnapshot.Category.ACHIEVED,
    AttainmentSnapshot.Category.ON_TRACK,
    AttainmentSnapshot.Category.BEHIND,
    AttainmentSnapshot.Category.CRITICAL,
    AttainmentSnapshot.Category.PARTLY,
    AttainmentSnapshot.Category.NOT_ACHIEVED,
    AttainmentSnapshot.Category.NOT_MEASURABLE,
    AttainmentSnapshot.Category.TEXT_ONLY,
    AttainmentSnapshot.Category.NO_TARGET,
    AttainmentSnapshot.Category.NO_STATUS,
]
OCCASIONAL = {
    AttainmentSnapshot.Category.PARTLY,
    AttainmentSnapshot.Category.NOT_ACHIEVED,
    AttainmentSnapshot.Category.TEXT_ONLY,
    AttainmentSnapshot.Category.NO_TARGET,
}
NO_TARGET = AttainmentSnapshot.Category.NO_TARGET
NO_STATUS = AttainmentSnapshot.Category.NO_STATUS
# What the overview reads of every snapshot up to the chosen round.
SNAPSHOT_FIELDS = (
    "target_id",
    "round_id",
    "percent",
    "category",
    "pending_approval",
    "stale",
    "basis",
    "stated_low",
    "stated_high",
    "stated_text",
    "stated_is_estimate",
)

# A symbol per category, so colour never carries the meaning alone.
CATEGORY_ICONS = {
    "Opnået": "✔",
    "På sporet": "➜",
    "Bagud": "▼",
    "Kritisk": "✖",
    "Ikke målbart": "–",
    "Delvist opnået": "◐",
    "Ikke opnået": "⊘",
    "Kun statustekst": "¶",
    "Ingen status": "?",
    "Intet måltal": "○",
}


# --- Rounds ------------------------------------------------------------------------------


def shown_rounds(*, programme: Programme) -> list[ReportingRound]:
    """The rounds a user can pick, oldest first: every round that is not merely planned."""
    return list(
        ReportingRound.objects.filter(programme=programme)
        .exclude(state=ReportingRound.State.PLANNED)
        .order_by("year", "number")
    )


def chosen_round(rounds: list[ReportingRound], code: str | None) -> ReportingRound | None:
    """The round named by ``?runde=2018-2``, else the newest; 404 for an unknown code."""
    if not code:
        return rounds[-1] if rounds else None
    for round_ in rounds:
        if round_.code == code:
            return round_
    raise Http404(f"Runden {code} findes ikke for dette program.")


# --- Figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelFigure:
    """A level's average and what it rests on (DOMAIN.md: every headline says so)."""

    level: str
    label: str
    mean: float | None  # capped mean of the targets with a percentage
    n_with_percent: int
    n_targets: int
    n_computed: int = 0  # of n_with_percent: computed from reported values
    n_assessed: int = 0  # of n_with_percent: an assessed status (100 / 50 / 0)
    stated: tuple[str, ...] = ()  # figures a report stated for targets outside the mean

    @property
    def rests_on(self) -> str:
        return rests_on(self.n_computed, self.n_assessed)

    @property
    def single_assessed(self) -> bool:
        """The mean is one assessed status alone: the page must say so."""
        return self.n_with_percent == 1 and self.n_assessed == 1


def rests_on(n_computed: int, n_assessed: int) -> str:
    """E.g. "1 vurderet", "2 beregnede, 1 vurderet": the kinds of figure in a mean."""
    parts = []
    if n_computed:
        parts.append(f"{n_computed} {'beregnet' if n_computed == 1 else 'beregnede'}")
    if n_assessed:
        parts.append(f"{n_assessed} {'vurderet' if n_assessed == 1 else 'vurderede'}")
    return ", ".join(parts)


@dataclass(frozen=True)
class LevelInput:
    """What a level figure reads of one target: its level and its snapshot's figures."""

    level: str
    percent: float | None = None
    basis: str = ""
    stated: str = ""  # stated_label() of a stated figure, "" for none


def level_input(level: str, snap: Any) -> LevelInput:
    """A :class:`LevelInput` from a snapshot, given as a model or a dict (None for none)."""
    if snap is None:
        return LevelInput(level)
    get: Callable[[str], Any] = (
        snap.get if isinstance(snap, dict) else lambda name: getattr(snap, name)
    )
    low = get("stated_low")
    # Only a stated figure stands beside an average: "Ikke målbart p.t." is no figure.
    stated = (
        ""
        if low is None
        else stated_label(low, get("stated_high"), get("stated_text"), get("stated_is_estimate"))
    )
    return LevelInput(level, get("percent"), get("basis"), stated)


@dataclass(frozen=True)
class TrendPoint:
    code: str
    label: str  # e.g. "jan.–feb. 2018"
    mean: float | None
    n: int


@dataclass(frozen=True)
class CategoryCount:
    category: str
    count: int

    @property
    def icon(self) -> str:
        return CATEGORY_ICONS[self.category]


@dataclass
class InitiativeCard:
    initiative: Initiative
    levels: list[LevelFigure]
    categories: list[CategoryCount]
    n_targets: int
    n_pending: int
    n_stale: int
    score: ScoreSnapshot | None
    trend: list[TrendPoint]
    report_state: StrOrPromise  # the initiative's report in the chosen round, "" if none


@dataclass(frozen=True)
class SplitRow:
    dimension: str  # "Orientering" | "Sigt"
    label: str
    n_targets: int
    mean: float | None
    n_with_percent: int
    n_computed: int = 0
    n_assessed: int = 0

    @property
    def rests_on(self) -> str:
        return rests_on(self.n_computed, self.n_assessed)


@dataclass(frozen=True)
class BudgetRow:
    initiative: Initiative
    year: int
    allocated: Decimal | None
    spent: Decimal | None  # sum of "forbrugt i perioden" over the year's approved reports


@dataclass(frozen=True)
class RadarSeries:
    title: str
    date: date
    scores: list[int | None]  # one per parameter, None = ikke scoret
    score: ScoreSnapshot | None


@dataclass
class Overview:
    programme: Programme
    round: ReportingRound | None
    rounds: list[ReportingRound]
    cards: list[InitiativeCard]
    levels: list[LevelFigure]  # for the programme as a whole
    categories: list[CategoryCount]
    parameters: list[str]
    radar: list[RadarSeries]
    split: list[SplitRow]
    budget: list[BudgetRow]
    completeness: list[tuple[str, int]]  # report state label → number of initiatives
    n_initiatives: int
    n_pending: int = 0
    latest_score: ScoreSnapshot | None = None
    indicators: list[IndicatorRow] = field(default_factory=list)  # "Formål og kontekst"
    indicators_as_of: date | None = None  # later dated points are left out (a past round)
    extra: dict = field(default_factory=dict)

    @property
    def n_approved(self) -> int:
        return dict(self.completeness).get(str(StatusReport.State.APPROVED.label), 0)


def radar_rows(overview: Overview) -> list[tuple[str, list[int | None]]]:
    """Parameter × assessment, for the table beside the radar."""
    return [
        (name, [s.scores[i] if i < len(s.scores) else None for s in overview.radar])
        for i, name in enumerate(overview.parameters)
    ]


def level_figures(rows: Iterable[LevelInput]) -> list[LevelFigure]:
    """Capped means per level, one row per target, with what each mean rests on.

    The mean counts computed and assessed percentages; a figure a report only stated
    stands beside it (``stated``), never in it.
    """
    by_level: dict[str, list[LevelInput]] = defaultdict(list)
    for row in rows:
        by_level[row.level].append(row)
    figures = []
    for level, label in Level.choices:
        own = by_level.get(level, [])
        mean, n = mean_capped(r.percent for r in own)
        with_percent = [r for r in own if r.percent is not None]
        figures.append(
            LevelFigure(
                level,
                str(label),
                mean,
                n,
                len(own),
                n_computed=sum(1 for r in with_percent if r.basis == "beregnet"),
                n_assessed=sum(1 for r in with_percent if r.basis == "vurderet"),
                stated=tuple(r.stated for r in own if r.percent is None and r.stated),
            )
        )
    return figures


def category_counts(categories: list[str]) -> list[CategoryCount]:
    counts = Counter(categories)
    return [
        CategoryCount(str(c), counts.get(str(c), 0))
        for c in CATEGORIES
        if c not in OCCASIONAL or counts.get(str(c))
    ]


def overview_indicators(*, programme: Programme, until: date | None) -> list[IndicatorRow]:
    """The programme's indicators with only the points known by ``until`` (2 queries).

    A point whose period ends after ``until`` is left out before the series, the latest
    figure, the change and the gap are read, so a past round's page shows the indicators
    as they could be read then; a point without dates ("ved iværksættelsen") always
    counts. ``until=None`` keeps every point. The rows are built by
    :func:`evaluations.indicators.indicator_row`, exactly as ``programme_indicators``
    builds them, from observations filtered in the prefetch.
    """
    observations = IndicatorObservation.objects.select_related("area")
    if until is not None:
        observations = observations.filter(Q(period_end__isnull=True) | Q(period_end__lte=until))
    indicators = (
        Indicator.objects.filter(programme=programme)
        .select_related("home_area", "programme")
        .prefetch_related(Prefetch("observations", queryset=observations))
        .order_by("order", "name")
    )
    return [indicator_row(i, as_of=until) for i in indicators]


def programme_overview(*, programme: Programme, round_code: str | None = None) -> Overview:
    """Everything the programme overview shows, as of the chosen round (10 queries)."""
    rounds = shown_rounds(programme=programme)
    round_ = chosen_round(rounds, round_code)
    initiatives = list(
        Initiative.objects.filter(programme=programme)
        .prefetch_related("budgets")
        .order_by("number", "name")
    )
    # Plain dicts to mypy: below, rows are also read by a key chosen at run time.
    targets = cast(
        "list[dict[str, Any]]",
        list(
            Target.objects.filter(initiative__programme=programme).values(
                "id", "initiative_id", "level", "orientation", "horizon"
            )
        ),
    )
    until = round_.and_earlier() if round_ else Q(pk__in=[])
    snapshots = list(
        AttainmentSnapshot.objects.filter(until, target__initiative__programme=programme)
        .order_by()  # keyed by target and round below: the default ordering's sort is waste
        .values_list(*SNAPSHOT_FIELDS)
    )
    reports = list(
        StatusReport.objects.filter(until, initiative__programme=programme)
        .order_by()  # one per initiative and round, summed exactly (Decimal): order is moot
        .values("initiative_id", "round_id", "round__year", "state", "budget_spent")
    )
    # An assessment counts from the round's deadline: the 2018 mid-term evaluation (15.05.2018)
    # belongs to round 2018-2, whose deadline it is.
    as_of = round_.deadline if round_ else None
    score_snapshots = (
        list(
            ScoreSnapshot.objects.filter(
                assessment__programme=programme, assessment__date__lte=as_of
            )
            .select_related("assessment")
            .order_by("assessment__date", "assessment_id")
        )
        if as_of
        else []
    )
    parameter_scores = (
        list(
            ParameterScore.objects.filter(
                assessment__programme=programme,
                assessment__date__lte=as_of,
                initiative__isnull=True,
            )
            .select_related("parameter", "assessment")
            .order_by("assessment__date", "assessment_id", "parameter__order")
        )
        if as_of
        else []
    )

    # The chosen round's snapshot per target, and every round's percentages for the trends
    # (tuples, not dicts: at scale there are a hundred thousand of them).
    current = {
        s[0]: dict(zip(SNAPSHOT_FIELDS, s, strict=True))
        for s in snapshots
        if round_ and s[1] == round_.pk
    }
    percents_in: dict[int, dict[int, float | None]] = defaultdict(dict)
    for target_id, round_id, percent_, *_ in snapshots:
        percents_in[round_id][target_id] = percent_
    past_rounds = [
        (r.code, r.period_label, percents_in.get(r.pk, {}))
        for r in rounds
        if round_ and r.code_key <= round_.code_key
    ]

    targets_of: dict[int, list[dict]] = defaultdict(list)
    for t in targets:
        targets_of[t["initiative_id"]].append(t)

    def percent(target_id: int, snaps: dict[int, dict]) -> float | None:
        snap = snaps.get(target_id)
        return snap["percent"] if snap else None

    def category(target_id: int) -> str:
        snap = current.get(target_id)
        return snap["category"] if snap else str(NO_STATUS)

    latest_score: dict[int | None, ScoreSnapshot] = {}
    for s in score_snapshots:
        latest_score[s.initiative_id] = s  # ordered by date: the last one wins
    state_label = dict(StatusReport.State.choices)
    report_in_round = {
        r["initiative_id"]: r["state"] for r in reports if round_ and r["round_id"] == round_.pk
    }

    cards = []
    for initiative in initiatives:
        own = targets_of.get(initiative.pk, [])
        own_ids = [t["id"] for t in own]
        trend = [
            TrendPoint(code, label, *mean_capped(percents.get(t) for t in own_ids))
            for code, label, percents in past_rounds
        ]
        cards.append(
            InitiativeCard(
                initiative=initiative,
                levels=level_figures(level_input(t["level"], current.get(t["id"])) for t in own),
                categories=category_counts([category(t["id"]) for t in own]),
                n_targets=len(own),
                n_pending=sum(1 for t in own if current.get(t["id"], {}).get("pending_approval")),
                n_stale=sum(1 for t in own if current.get(t["id"], {}).get("stale")),
                score=latest_score.get(initiative.pk),
                trend=trend,
                report_state=state_label.get(report_in_round.get(initiative.pk, ""), ""),
            )
        )

    split = []
    for dimension, choices, key in (
        ("Orientering", Orientation.choices, "orientation"),
        ("Sigt", Horizon.choices, "horizon"),
    ):
        for value, label in [*choices, ("", "Ikke angivet")]:
            group = [t for t in targets if t[key] == value]
            if not group and value == "":
                continue
            mean, n = mean_capped(percent(t["id"], current) for t in group)
            bases = [
                current[t["id"]]["basis"]
                for t in group
                if t["id"] in current and current[t["id"]]["percent"] is not None
            ]
            split.append(
                SplitRow(
                    dimension,
                    str(label),
                    len(group),
                    mean,
                    n,
                    n_computed=bases.count("beregnet"),
                    n_assessed=bases.count("vurderet"),
                )
            )

    spent: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for r in reports:
        if r["state"] == StatusReport.State.APPROVED and r["budget_spent"] is not None:
            spent[r["initiative_id"], r["round__year"]] += r["budget_spent"]
    budget = []
    for initiative in initiatives:
        allocated = {b.year: b.allocated for b in initiative.budgets.all()}
        years = sorted(set(allocated) | {y for (i, y) in spent if i == initiative.pk})
        for year in years:
            budget.append(
                BudgetRow(initiative, year, allocated.get(year), spent.get((initiative.pk, year)))
            )

    parameters: list[str] = []
    radar: dict[int, RadarSeries] = {}
    for ps in parameter_scores:
        if ps.parameter.name not in parameters:
            parameters.append(ps.parameter.name)
        series = radar.setdefault(
            ps.assessment_id,
            RadarSeries(ps.assessment.title, ps.assessment.date, [], latest_score.get(None)),
        )
        series.scores.append(ps.score)
    programme_scores = {s.assessment_id: s for s in score_snapshots if s.initiative_id is None}
    radar_series = [
        RadarSeries(s.title, s.date, s.scores, programme_scores.get(aid))
        for aid, s in radar.items()
    ]

    completeness = Counter(report_in_round.get(i.pk, "") for i in initiatives)
    completeness_rows = [("Ikke påbegyndt", completeness.get("", 0))] + [
        (str(label), completeness.get(value, 0)) for value, label in StatusReport.State.choices
    ]
    # The newest round shows every figure known today; a past round only the figures whose
    # period had ended by the round's end (the history view).
    indicators_as_of = round_.period_end if round_ and round_ != rounds[-1] else None
    return Overview(
        programme=programme,
        round=round_,
        rounds=rounds,
        cards=cards,
        levels=level_figures(level_input(t["level"], current.get(t["id"])) for t in targets),
        categories=category_counts([category(t["id"]) for t in targets]),
        parameters=parameters,
        radar=radar_series,
        split=split,
        budget=budget,
        completeness=completeness_rows,
        n_initiatives=len(initiatives),
        n_pending=sum(1 for s in current.values() if s["pending_approval"]),
        latest_score=latest_score.get(None),
        indicators=overview_indicators(programme=programme, until=indicators_as_of),
        indicators_as_of=indicators_as_of,
    )


def target_series(
    *, initiative: Initiative, round_: ReportingRound | None
) -> dict[int, list[SeriesPoint]]:
    """Each target's figures per round up to ``round_``, oldest first (1 query)."""
    if round_ is None:
        return {}
    rows = (
        AttainmentSnapshot.objects.filter(round_.and_earlier(), target__initiative=initiative)
        .order_by("round__year", "round__number")
        .values_list(
            "target_id",
            "round__year",
            "round__number",
            "round__period_end",
            "actual",
            "expected_value",
            "percent",
            "category",
            "stated_low",
            "stated_high",
            "stated_text",
        )
    )
    series: dict[int, list[SeriesPoint]] = defaultdict(list)
    for target_id, year, number, end, *values in rows:
        # The columns after the period are SeriesPoint's, in order; the * unpacking loses
        # their types to mypy.
        series[target_id].append(SeriesPoint(f"{year}-{number}", end, *cast("list[Any]", values)))
    return series
