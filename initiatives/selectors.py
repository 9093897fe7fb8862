"""Reads for the recording side: rounds, reports, the status form and the histories.

The pages that show computed figures read through ``evaluations.selectors``. Each
selector runs a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from jobvaekst.numbers import format_number

from .models import (
    Initiative,
    Level,
    Programme,
    ReportingRound,
    StatusReport,
    StatusUpdate,
    Target,
)


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
            # Approved reports were submitted too: "Indsendt 0 af 5, Godkendt 5 af 5" misled.
            n_submitted=Count("reports", filter=Q(reports__state__in=["indsendt", "godkendt"])),
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
            values[target_id] = cast(Decimal, value)  # value__isnull=False above
    return values


@dataclass(frozen=True)
class HistoryEntry:
    when: dt.datetime
    who: str
    what: str
    changes: list[tuple[str, str, str]]


def _entries(records: Iterable[Any], label: Callable[[Any], str]) -> list[HistoryEntry]:
    """Turn simple-history records (newest first) into who-changed-what rows."""
    records = list(records)
    entries = []
    kinds = {"+": "oprettet", "~": "ændret", "-": "slettet"}
    deltas = [
        records[i].diff_against(records[i + 1]) if i + 1 < len(records) else None
        for i in range(len(records))
    ]
    # A change of "indsendt af" holds user ids: their names, in one query for the page.
    user_ids = {
        value
        for delta in deltas
        if delta is not None
        for change in delta.changes
        if records[0]._meta.get_field(change.field).is_relation
        for value in (change.old, change.new)
        if value is not None
    }
    names = (
        {
            user.pk: user.get_full_name() or user.username
            for user in get_user_model().objects.filter(pk__in=user_ids)
        }
        if user_ids
        else {}
    )
    for record, delta in zip(records, deltas, strict=True):
        changes = []
        if delta is not None:
            for change in delta.changes:
                field = record._meta.get_field(change.field)
                changes.append(
                    (
                        str(field.verbose_name),
                        _shown(change.old, field, names),
                        _shown(change.new, field, names),
                    )
                )
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


def _shown(value: object, field: Any, names: dict[int, str]) -> str:
    """A value as the pages show it: Danish dates in local time, names, amounts in full."""
    if value is None or value == "":
        return "–"
    if field.is_relation:
        return names.get(value, f"bruger {value}") if isinstance(value, int) else str(value)
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "d.m.Y H:i")
    if isinstance(value, dt.date):
        return date_format(value, "d.m.Y")
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, Decimal):
        # 125.000,50 in full, not 125.000,5; a whole number without decimals.
        places = field.decimal_places if value != value.to_integral_value() else 0
        return format_number(value, decimals=places)
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
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


def initiatives_of(*, programmes: QuerySet[Programme]) -> QuerySet[Initiative]:
    """The programmes' initiatives, in programme and number order (1 query)."""
    return (
        Initiative.objects.filter(programme__in=programmes)
        .select_related("programme")
        .order_by("programme__name", "number")
    )


def rounds_of(*, programmes: QuerySet[Programme]) -> QuerySet[ReportingRound]:
    """The programmes' reporting rounds, oldest first (1 query)."""
    return (
        ReportingRound.objects.filter(programme__in=programmes)
        .select_related("programme")
        .order_by("programme__name", "year", "number")
    )


def rounds_missing_before(round_: ReportingRound) -> list[str]:
    """The codes of the rounds between the programme's previous round and ``round_``, if
    any are missing: opening 2018-5 after 2018-2 leaves out 2018-3 and 2018-4."""
    earlier = (
        ReportingRound.objects.filter(programme_id=round_.programme_id)
        .exclude(pk=round_.pk)
        .filter(Q(year__lt=round_.year) | Q(year=round_.year, number__lt=round_.number))
        .order_by("-year", "-number")
        .first()
    )
    if earlier is None:
        return []
    missing: list[str] = []
    year, number = earlier.year, earlier.number
    while True:
        year, number = (year + 1, 1) if number == 6 else (year, number + 1)
        if (year, number) == (round_.year, round_.number):
            return missing
        missing.append(f"{year}-{number}")
