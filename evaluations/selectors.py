"""Reads that feed the pages, the API and the exports: the recorded targets with their
computed figures. Each selector runs a fixed number of queries, whatever the data size.

``initiatives`` records (its own selectors serve the recording forms); this module is
where the figures computed here meet what was recorded there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from initiatives.models import (
    EffectChainItem,
    Indicator,
    IndicatorObservation,
    Initiative,
    Level,
    Membership,
    Programme,
    ReportingRound,
    StatusReport,
    StatusUpdate,
    Target,
    TargetPhase,
)

from .models import Assessment, AttainmentSnapshot, Edition, ParameterScore, ScoreSnapshot

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

_PerRound = TypeVar("_PerRound", StatusUpdate, AttainmentSnapshot)


@dataclass(frozen=True)
class TargetRow:
    """One target as the targets table shows it."""

    target: Target
    in_words: str
    latest: StatusUpdate | None
    latest_in_words: str
    round_code: str
    stated: str
    snapshot: AttainmentSnapshot | None = None

    @property
    def level_rank(self) -> int:
        """Activities before outputs before effects, for sorting the table."""
        return Level.values.index(self.target.level)

    @property
    def orientation_label(self) -> str:
        return self.target.get_orientation_display() or "Ikke angivet"

    @property
    def horizon_label(self) -> str:
        return self.target.get_horizon_display() or "Ikke angivet"

    @property
    def category(self) -> str:
        snap = self.snapshot
        return snap.category if snap else str(AttainmentSnapshot.Category.NO_STATUS)

    @property
    def category_label(self) -> str:
        """The category as shown: one that follows a stated figure says so."""
        return self.snapshot.category_label if self.snapshot else self.category

    @property
    def category_rank(self) -> int:
        """Best first: Opnået, På sporet, Bagud, Kritisk, then those without a figure."""
        return AttainmentSnapshot.Category.values.index(self.category)


@dataclass
class ChainColumn:
    stage: str
    label: StrOrPromise
    items: list[EffectChainItem] = field(default_factory=list)


def initiative_list(*, programmes: QuerySet[Programme]) -> list[Initiative]:
    """The initiatives of the given programmes, with their target counts per level (1 query)."""
    return list(
        Initiative.objects.filter(programme__in=programmes)
        .select_related("programme")
        .annotate(
            # distinct: the join with the sub-initiatives repeats each target once per
            # sub-initiative.
            n_targets=Count("targets", distinct=True),
            n_activity=Count("targets", filter=Q(targets__level=Level.ACTIVITY), distinct=True),
            n_output=Count("targets", filter=Q(targets__level=Level.OUTPUT), distinct=True),
            n_effect=Count("targets", filter=Q(targets__level=Level.EFFECT), distinct=True),
            n_sub=Count("sub_initiatives", distinct=True),
        )
        .order_by("programme__name", "number")
    )


def effect_chain(*, initiative: Initiative) -> list[ChainColumn]:
    """The effect chain as three columns: activities → outputs → effects (1 query)."""
    columns = {stage: ChainColumn(stage=stage, label=label) for stage, label in Level.choices}
    items = (
        EffectChainItem.objects.filter(initiative=initiative)
        .select_related("sub_initiative")
        .order_by("order", "pk")
    )
    for item in items:
        columns[item.stage].items.append(item)
    return list(columns.values())


def target_rows(
    *,
    initiative: Initiative | None = None,
    round_: ReportingRound | None = None,
    targets: QuerySet[Target] | None = None,
    approved_only: bool = True,
) -> list[TargetRow]:
    """The targets (an initiative's, or ``targets``) with their latest status and, for
    ``round_``, their computed attainment (4 queries, whatever the data size).

    With a round, the latest status is the latest up to that round, so a past round
    shows what was known then. Rows are ordered by initiative, level and order. The
    latest status is the latest *approved* one unless ``approved_only`` is False, for
    those who may read drafts (``initiatives.read_unapproved``).
    """
    if targets is None:
        targets = Target.objects.filter(initiative=initiative)
    # Only each target's latest update is shown: the database picks it, so a page loads
    # one update per target, not one per round (a page must not grow with the history).
    updates = StatusUpdate.objects.filter(target__in=targets.values("pk"))
    if approved_only:
        updates = updates.filter(
            Exists(
                StatusReport.objects.filter(
                    initiative_id=OuterRef("target__initiative_id"),
                    round_id=OuterRef("round_id"),
                    state=StatusReport.State.APPROVED,
                )
            )
        )
    if round_ is not None:
        updates = updates.filter(
            Q(round__year__lt=round_.year)
            | Q(round__year=round_.year, round__number__lte=round_.number)
        )
    latest_updates = {u.target_id: u for u in newest_per_target(updates.select_related("round"))}
    snapshots = (
        {
            s.target_id: s
            for s in AttainmentSnapshot.objects.filter(
                target__in=targets.values("pk"), round=round_
            ).order_by()
        }
        if round_ is not None
        else {}
    )
    rows = []
    for target in targets.select_related("sub_initiative").prefetch_related("phases"):
        latest = latest_updates.get(target.pk)
        if latest is not None:
            latest.target = target  # describe() reads the unit; avoid a query per row
        rows.append(
            TargetRow(
                target=target,
                in_words=target.describe(phases=list(target.phases.all())),
                latest=latest,
                latest_in_words=latest.describe() if latest else "Ingen status",
                round_code=latest.round.code if latest else "",
                stated=latest.stated_in_words() if latest else "–",
                snapshot=snapshots.get(target.pk),
            )
        )
    level_order = {value: i for i, value in enumerate(Level.values)}
    rows.sort(
        key=lambda r: (
            r.target.initiative_id,
            level_order[r.target.level],
            r.target.order,
            r.target.pk,
        )
    )
    return rows


def targets_with_category(
    queryset: QuerySet[Target], round_: ReportingRound | None
) -> QuerySet[Target]:
    """Annotate each target with its category in ``round_`` ("Ingen status" without one)."""
    snapshot = AttainmentSnapshot.objects.filter(target=OuterRef("pk"), round=round_).values(
        "category"
    )[:1]
    return queryset.annotate(
        category=Coalesce(Subquery(snapshot), Value(str(AttainmentSnapshot.Category.NO_STATUS)))
    )


def newest_per_target(queryset: QuerySet[_PerRound]) -> QuerySet[_PerRound]:
    """Each target's row of the newest round in ``queryset``, picked by the database: a
    target has one per round, and a page wants only the newest."""
    newest_first = [F("round__year").desc(), F("round__number").desc()]
    return (
        queryset.annotate(
            recency=Window(RowNumber(), partition_by=[F("target_id")], order_by=newest_first)
        )
        .filter(recency=1)
        .order_by()
    )


def targets_with_latest_figure(*, programmes: QuerySet[Programme]) -> QuerySet[Target]:
    """The programmes' targets, each with its phases and, as ``shown_snapshots``, the
    figure of its newest round that is not merely planned (3 queries per page)."""
    # Only the programmes' rounds: the window then ranks their snapshots, not everyone's.
    shown = AttainmentSnapshot.objects.filter(round__programme__in=programmes).exclude(
        round__state=ReportingRound.State.PLANNED
    )
    return (
        Target.objects.filter(initiative__programme__in=programmes)
        .select_related("initiative", "sub_initiative")
        .prefetch_related(
            Prefetch("phases", TargetPhase.objects.order_by("target_id", "year")),
            Prefetch(
                "snapshots",
                newest_per_target(shown.select_related("round")),
                to_attr="shown_snapshots",
            ),
        )
        .order_by("initiative__programme__name", "initiative__number", "order", "pk")
    )


def assessments_with_scores(*, programmes: QuerySet[Programme]) -> QuerySet[Assessment]:
    """The programmes' assessments with their scores and computed summaries (3 queries)."""
    scores = ParameterScore.objects.select_related("parameter", "initiative").order_by(
        "initiative__number", "parameter__order"
    )
    return (
        Assessment.objects.filter(programme__in=programmes)
        .select_related("programme")
        .prefetch_related(
            Prefetch("scores", scores),
            Prefetch("snapshots", ScoreSnapshot.objects.select_related("initiative")),
        )
        .order_by("date", "pk")
    )


def indicators_with_observations(*, programmes: QuerySet[Programme]) -> QuerySet[Indicator]:
    """The programmes' indicators with every observation and its area (2 queries)."""
    return (
        Indicator.objects.filter(programme__in=programmes)
        .select_related("programme", "home_area")
        .prefetch_related(
            Prefetch("observations", IndicatorObservation.objects.select_related("area"))
        )
        .order_by("programme__name", "order", "name", "pk")
    )


@dataclass
class ReportTask:
    """A report someone has to write or review, in an open round."""

    initiative: Initiative
    round: ReportingRound
    report: StatusReport | None
    overdue: bool

    @property
    def state_label(self) -> str:
        return self.report.get_state_display() if self.report else "Ikke påbegyndt"


@dataclass
class Tasks:
    """What "Mine opgaver" shows one user (``tasks_for``)."""

    to_write: list[ReportTask] = field(default_factory=list)
    to_review: list[ReportTask] = field(default_factory=list)
    missing: list[ReportTask] = field(default_factory=list)
    rounds_to_open: list[tuple[Programme, str]] = field(default_factory=list)
    editions: list[Edition] = field(default_factory=list)

    @property
    def count(self) -> int:
        """What needs doing: reports to write or fix, to review, and rounds to open."""
        return len(self.to_write) + len(self.to_review) + len(self.rounds_to_open)


def tasks_for(*, user: User, programmes: QuerySet[Programme], today: dt.date) -> Tasks:
    """The user's tasks in ``programmes`` (the ones they have a role in) as of ``today``.

    A tovholder writes their initiatives' reports in open rounds (a returned one first);
    a programleder reviews the submitted ones, sees which are missing or overdue, and
    which programmes' current round is not open yet; everyone sees the newest committee
    editions. A fixed number of queries, whatever the data.
    """
    tasks = Tasks()
    memberships = list(Membership.objects.filter(user=user, programme__in=programmes))
    led = {m.initiative_id for m in memberships if m.role == Membership.Role.TOVHOLDER}
    managed = {m.programme_id for m in memberships if m.role == Membership.Role.PROGRAMLEDER} | (
        {p.pk for p in programmes} if user.is_superuser else set()
    )
    open_rounds = list(
        ReportingRound.objects.filter(
            programme__in=programmes, state=ReportingRound.State.OPEN
        ).select_related("programme")
    )
    initiatives = list(
        Initiative.objects.filter(programme__in=programmes).order_by("programme_id", "number")
    )
    reports = {
        (r.initiative_id, r.round_id): r
        for r in StatusReport.objects.filter(round__in=open_rounds).select_related("reviewed_by")
    }
    done = {StatusReport.State.SUBMITTED, StatusReport.State.APPROVED}
    for round_ in sorted(open_rounds, key=lambda r: (r.programme_id, r.year, r.number)):
        for initiative in initiatives:
            if initiative.programme_id != round_.programme_id:
                continue
            report = reports.get((initiative.pk, round_.pk))
            state = report.state if report else None
            task = ReportTask(
                initiative=initiative,
                round=round_,
                report=report,
                overdue=state not in done and today > round_.deadline,
            )
            if initiative.pk in led and state not in done:
                tasks.to_write.append(task)
            if round_.programme_id in managed:
                if state == StatusReport.State.SUBMITTED:
                    tasks.to_review.append(task)
                elif state not in done:
                    tasks.missing.append(task)
    tasks.to_write.sort(key=lambda t: t.report is None or t.report.state != "returneret")
    number = (today.month + 1) // 2
    opened = {(r.programme_id, r.year, r.number) for r in open_rounds}
    for programme in programmes:
        running = programme.start_date <= today <= programme.end_date
        if programme.pk in managed and running and (programme.pk, today.year, number) not in opened:
            tasks.rounds_to_open.append((programme, f"{today.year}-{number}"))
    tasks.editions = list(
        Edition.objects.filter(programme__in=programmes)
        .select_related("programme", "round", "initiative")
        .defer("pdf")
        .order_by("-published_at")[:3]
    )
    return tasks
