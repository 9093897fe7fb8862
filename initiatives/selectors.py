"""Reads that feed the pages. Each selector runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from evaluations.models import AttainmentSnapshot

from .models import (
    EffectChainItem,
    Initiative,
    Level,
    Programme,
    ReportingRound,
    StatusReport,
    StatusUpdate,
    Target,
)


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
    label: str
    items: list[EffectChainItem] = field(default_factory=list)


def initiative_list(*, programmes: QuerySet[Programme]) -> list[Initiative]:
    """The initiatives of the given programmes, with their target counts per level (1 query)."""
    return list(
        Initiative.objects.filter(programme__in=programmes)
        .select_related("programme")
        .annotate(
            n_targets=Count("targets"),
            n_activity=Count("targets", filter=Q(targets__level=Level.ACTIVITY)),
            n_output=Count("targets", filter=Q(targets__level=Level.OUTPUT)),
            n_effect=Count("targets", filter=Q(targets__level=Level.EFFECT)),
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


def current_round(*, programme: Programme) -> ReportingRound | None:
    """The round the pages show by default: the newest that is not merely planned (1 query)."""
    rounds = ReportingRound.objects.filter(programme=programme).order_by("-year", "-number")
    return rounds.exclude(state=ReportingRound.State.PLANNED).first() or rounds.first()


def target_rows(
    *,
    initiative: Initiative | None = None,
    round_: ReportingRound | None = None,
    targets: QuerySet[Target] | None = None,
) -> list[TargetRow]:
    """The targets (an initiative's, or ``targets``) with their latest status and, for
    ``round_``, their computed attainment (4 queries, whatever the data size).

    With a round, the latest status is the latest up to that round, so a past round
    shows what was known then. Rows are ordered by initiative, level and order.
    """
    if targets is None:
        targets = Target.objects.filter(initiative=initiative)
    # Only each target's latest update is shown: the database picks it, so a page loads
    # one update per target, not one per round (at scale that was most of the time here).
    updates = StatusUpdate.objects.filter(target__in=targets.values("pk"))
    if round_ is not None:
        updates = updates.filter(
            Q(round__year__lt=round_.year)
            | Q(round__year=round_.year, round__number__lte=round_.number)
        )
    latest_updates = {
        u.target_id: u
        for u in updates.select_related("round")
        .annotate(
            recency=Window(
                RowNumber(),
                partition_by=[F("target_id")],
                order_by=[F("round__year").desc(), F("round__number").desc()],
            )
        )
        .filter(recency=1)
        .order_by()
    }
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


@dataclass(frozen=True)
class RoundRow:
    round: ReportingRound
    n_initiatives: int
    n_submitted: int
    n_approved: int


def reporting_rounds(*, programmes: QuerySet[Programme]) -> list[RoundRow]:
    """Every round of the user's programmes with how far its reports are (2 queries)."""
    rounds = (
        ReportingRound.objects.filter(programme__in=programmes)
        .select_related("programme")
        .annotate(
            n_submitted=Count("reports", filter=Q(reports__state="indsendt")),
            n_approved=Count("reports", filter=Q(reports__state="godkendt")),
        )
        .order_by("programme__name", "-year", "-number")
    )
    n_initiatives = dict(
        Initiative.objects.filter(programme__in=programmes)
        .values_list("programme_id")
        .annotate(n=Count("pk"))
    )
    return [
        RoundRow(
            round=r,
            n_initiatives=n_initiatives.get(r.programme_id, 0),
            n_submitted=r.n_submitted,
            n_approved=r.n_approved,
        )
        for r in rounds
    ]


REPORT_STATE_NOT_STARTED = "Ikke påbegyndt"


def round_reports(*, round_: ReportingRound) -> list[tuple[Initiative, StatusReport | None]]:
    """Each initiative of the round's programme with its report, if any (2 queries)."""
    reports = {
        r.initiative_id: r
        for r in StatusReport.objects.filter(round=round_).select_related("submitted_by")
    }
    initiatives = Initiative.objects.filter(programme=round_.programme).order_by("number")
    return [(i, reports.get(i.pk)) for i in initiatives]


def form_targets(
    *, initiative: Initiative, round_: ReportingRound
) -> list[tuple[Target, StatusUpdate | None, Decimal | None]]:
    """Each target with this round's update and the value of the latest earlier round."""
    previous = previous_values(initiative=initiative, round_=round_)
    current = {
        u.target_id: u
        for u in StatusUpdate.objects.filter(target__initiative=initiative, round=round_)
    }
    targets = Target.objects.filter(initiative=initiative).prefetch_related("phases")
    level_order = {value: i for i, value in enumerate(Level.values)}
    rows = [(t, current.get(t.pk), previous.get(t.pk)) for t in targets]
    rows.sort(key=lambda r: (level_order[r[0].level], r[0].order, r[0].pk))
    return rows


def previous_values(*, initiative: Initiative, round_: ReportingRound) -> dict[int, Decimal]:
    """Each target's value in the latest earlier round that has one (for 'goes down')."""
    earlier = (
        StatusUpdate.objects.filter(target__initiative=initiative, value__isnull=False)
        .filter(round__programme=round_.programme)
        .exclude(round=round_)
        .filter(round__year__lte=round_.year)
        .order_by("round__year", "round__number")
        .values_list("target_id", "round__year", "round__number", "value")
    )
    values: dict[int, Decimal] = {}
    for target_id, year, number, value in earlier:
        if (year, number) < (round_.year, round_.number):
            values[target_id] = value
    return values


@dataclass(frozen=True)
class HistoryEntry:
    when: object
    who: str
    what: str
    changes: list[tuple[str, str, str]]


def _entries(records, label) -> list[HistoryEntry]:
    """Turn simple-history records (newest first) into who-changed-what rows."""
    records = list(records)
    entries = []
    kinds = {"+": "oprettet", "~": "ændret", "-": "slettet"}
    for i, record in enumerate(records):
        older = records[i + 1] if i + 1 < len(records) else None
        changes = []
        if older is not None:
            delta = record.diff_against(older)
            for change in delta.changes:
                field_name = record._meta.get_field(change.field).verbose_name
                changes.append((str(field_name), _shown(change.old), _shown(change.new)))
        user = record.history_user
        who = (user.get_full_name() or user.username) if user else "system/import"
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=who,
                what=f"{label(record)} {kinds.get(record.history_type, '')}",
                changes=changes,
            )
        )
    return entries


def _shown(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, Decimal):
        from jobvaekst.numbers import format_number

        return format_number(value)
    return str(value)


def report_history(*, report: StatusReport) -> list[HistoryEntry]:
    """Every change to a report and its status updates, newest first, with the author."""
    if report.pk is None:
        return []
    entries = _entries(
        report.history.select_related("history_user").order_by("-history_date"),
        lambda r: "Rapporten",
    )
    updates = (
        StatusUpdate.history.filter(
            target__initiative_id=report.initiative_id, round_id=report.round_id
        )
        .select_related("history_user", "target")
        .order_by("target_id", "-history_date")
    )
    by_target: dict[int, list] = {}
    for record in updates:
        by_target.setdefault(record.target_id, []).append(record)
    for records in by_target.values():
        entries += _entries(records, lambda r: f"Status for »{r.target.title}«")
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def target_history(*, target: Target) -> list[HistoryEntry]:
    """Every change to a target, newest first, with author and reason."""
    records = target.history.select_related("history_user").order_by("-history_date")
    entries = _entries(records, lambda r: "Målet")
    reasons = [r.history_change_reason or "" for r in records]
    return [
        HistoryEntry(
            when=e.when,
            who=e.who,
            what=f"{e.what}" + (f" – begrundelse: {reason}" if reason else ""),
            changes=e.changes,
        )
        for e, reason in zip(entries, reasons, strict=True)
    ]
