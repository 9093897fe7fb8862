"""Writes of what we record: the bimonthly status report and its workflow.

Every write goes through a function here: it checks the permission, validates with
Danish messages, runs in one transaction, and refuses to overwrite a newer version
(optimistic locking on ``StatusReport.version``). Saves go through ``Model.save()`` so the
audit trail (django-simple-history) and the recompute signals always see them; the one
exception is a report's status updates, written in bulk (see ``_updates_save``), which
write their own history rows and ask for their own recomputation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from jobvaekst.numbers import format_decimal, parse_number, parse_phases
from jobvaekst.queue import publish

from . import selectors
from .importing import ProgrammeIn
from .indicator_import import ImportResult as IndicatorImportResult
from .indicator_import import ObservationsIn
from .models import (
    TARGET_FIELDS,
    Area,
    Indicator,
    IndicatorObservation,
    Initiative,
    Membership,
    ReportingRound,
    StatusReport,
    StatusUpdate,
    Target,
    TargetPhase,
)
from .signals import changes_collected, targets_changed_announce

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from .models import Programme


class ConflictError(Exception):
    """Someone else saved the report since this user loaded it; nothing was written."""

    def __init__(self, *, current: StatusReport, changes: list[str]) -> None:
        self.current = current
        self.changes = changes
        who = current.history.first().history_user if current.history.exists() else None
        by = f" af {who.get_full_name() or who.username}" if who else ""
        super().__init__(
            f"Rapporten er ændret{by}, siden du åbnede den (version {current.version}). "
            "Intet er gemt. Genindlæs siden, se ændringerne og indtast dine igen."
        )


@dataclass(frozen=True)
class UpdateInput:
    """What a user entered for one target."""

    target_id: int
    value: Decimal | None = None
    assessment: str = ""
    not_measurable: bool = False
    comment: str = ""
    confirm_unchanged: bool = False


@dataclass(frozen=True)
class ReportInput:
    progress: str = ""
    challenges: str = ""
    next_steps: str = ""
    budget_spent: Decimal | None = None
    updates: Sequence[UpdateInput] = field(default_factory=tuple)


EDITABLE = {StatusReport.State.DRAFT, StatusReport.State.RETURNED}


def update_errors(*, target: Target, data: UpdateInput, previous: Decimal | None) -> dict[str, str]:
    """Danish messages for what is wrong with one target's input ({} when nothing is).

    Shared by the form and the service, so a request that skips the form meets the same
    rules.
    """
    errors: dict[str, str] = {}
    qualitative = target.kind == Target.Kind.QUALITATIVE or target.target_low is None
    if data.not_measurable:
        if data.value is not None:
            errors["value"] = "Et mål markeret »ikke målbart p.t.« kan ikke have en værdi."
        if not data.comment.strip():
            errors["comment"] = "Skriv en kommentar om, hvorfor målet ikke kan måles p.t."
        return errors
    if data.assessment and not qualitative:
        errors["assessment"] = (
            "En vurdering kan kun gives for kvalitative mål; indtast en værdi i stedet."
        )
    if data.value is not None:
        if data.value < 0 and target.kind in (Target.Kind.COUNT, Target.Kind.AMOUNT):
            errors["value"] = "Værdien kan ikke være negativ for et antal eller et beløb."
        if target.kind == Target.Kind.PERCENT and not 0 <= data.value <= 100:
            errors["value"] = "En procentsats skal ligge mellem 0 og 100."
        if (
            target.cumulative
            and previous is not None
            and data.value < previous
            and not data.comment.strip()
        ):
            errors["comment"] = (
                f"Tallet er faldet fra {format_decimal(previous)} til "
                f"{format_decimal(data.value)}, "
                "men målet tæller kumulativt. Skriv en kommentar om hvorfor."
            )
    return errors


def _check(user: User, perm: str, obj: Model) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied("Du har ikke adgang til at gøre dette.")


def status_report_for(*, initiative: Initiative, round_: ReportingRound) -> StatusReport:
    """The report of an initiative for a round; an unsaved draft if none exists yet."""
    report = (
        StatusReport.objects.filter(initiative=initiative, round=round_)
        .select_related("reviewed_by")  # the page names who returned or approved it
        .first()
    )
    if report is None:
        return StatusReport(initiative=initiative, round=round_, version=0)
    # The caller's instances (with their programme loaded) rather than lazy loads: the
    # permission rules and the page read report.initiative.programme and
    # report.round.programme, and would otherwise cost four queries once the report exists.
    report.initiative, report.round = initiative, round_
    return report


@transaction.atomic
def status_report_save(
    *, report: StatusReport, user: User, version: int, data: ReportInput, submit: bool = False
) -> StatusReport:
    """Save a draft (or submit it) if nobody has saved a newer version meanwhile.

    ``version`` is the version the user loaded (0 for a report that did not exist). The
    check and the increment are one conditional UPDATE, so of two concurrent saves of
    the same version exactly one wins and the other gets :class:`ConflictError`.

    The number of queries does not depend on the number of targets: the updates are read
    in one query and written in bulk, and all the recomputation is one request.
    """
    with changes_collected():
        return _report_save(report=report, user=user, version=version, data=data, submit=submit)


def _report_save(
    *, report: StatusReport, user: User, version: int, data: ReportInput, submit: bool
) -> StatusReport:
    _check(user, "initiatives.edit_report", report)
    if report.round.state != ReportingRound.State.OPEN:
        raise ValidationError("Runden er ikke åben for indberetning.")
    if report.pk is None:
        # Version 0 is "not saved yet": the first save, like every other, makes it +1.
        # Created through save() so the audit trail records who created it.
        new = StatusReport(initiative=report.initiative, round=report.round, version=0)
        new._history_user = user
        try:
            with transaction.atomic():
                new.save()
        except IntegrityError:  # created by a concurrent first save: the version decides
            new = StatusReport.objects.get(initiative=report.initiative, round=report.round)
        report = new
    if report.state not in EDITABLE:
        raise ValidationError(
            f"Rapporten er {report.get_state_display().lower()} og kan ikke ændres."
        )
    targets = {t.pk: t for t in report.initiative.targets.all()}
    previous = selectors.previous_values(initiative=report.initiative, round_=report.round)
    errors: dict[str, str] = {}
    for item in data.updates:
        target = targets.get(item.target_id)
        if target is None:
            raise ValidationError("Et af målene hører ikke til denne indsats.")
        for key, message in update_errors(
            target=target, data=item, previous=previous.get(target.pk)
        ).items():
            errors[f"{target.pk}-{key}"] = message
    if data.budget_spent is not None and data.budget_spent < 0:
        errors["budget_spent"] = "Forbrugt budget kan ikke være negativt."
    if errors:
        raise ValidationError(errors)

    won = StatusReport.objects.filter(pk=report.pk, version=version).update(
        version=F("version") + 1
    )
    if not won:
        current = StatusReport.objects.get(pk=report.pk)
        raise ConflictError(current=current, changes=_changes(current, data))
    report.refresh_from_db()
    report.progress = data.progress
    report.challenges = data.challenges
    report.next_steps = data.next_steps
    report.budget_spent = data.budget_spent
    if submit:
        report.state = StatusReport.State.SUBMITTED
        report.submitted_by = user
        report.submitted_at = timezone.now()
    report.full_clean()
    report._history_user = user
    report.save()
    if submit:
        _notify(report)
    _updates_save(report=report, user=user, updates=data.updates)
    return report


_UPDATE_FIELDS = ("value", "assessment", "not_measurable", "comment", "unchanged_confirmed")


def _updates_save(*, report: StatusReport, user: User, updates: Sequence[UpdateInput]) -> None:
    """Write the updates that changed, with their history, in a fixed number of queries.

    Bulk writes send no ``post_save``, so this does by hand what ``Model.save()`` and the
    signals do for one row: ``updated_at``, a history row per write (with the user; no
    change reason, as before), and the recomputation of the targets whose update changed.
    An update that is exactly as stored is not written (no history row, no recompute).
    A target without an update gets one even when it is empty: an empty status in this
    round is what the figures show, not the previous round's.
    """
    wanted = {item.target_id: item for item in updates}  # as before, the last entry wins
    existing = {
        u.target_id: u
        for u in StatusUpdate.objects.filter(round_id=report.round_id, target_id__in=list(wanted))
    }
    now = timezone.now()
    created: list[StatusUpdate] = []
    changed: list[StatusUpdate] = []
    for target_id, item in wanted.items():
        update = existing.get(target_id)
        values = {
            "value": None if item.not_measurable else item.value,
            "assessment": item.assessment,
            "not_measurable": item.not_measurable,
            "comment": item.comment,
            "unchanged_confirmed": item.confirm_unchanged,
        }
        if update is not None and all(getattr(update, k) == v for k, v in values.items()):
            continue
        if update is None:
            update = StatusUpdate(target_id=target_id, round_id=report.round_id)
            created.append(update)
        else:
            update.updated_at = now
            changed.append(update)
        for name, value in values.items():
            setattr(update, name, value)
        # full_clean() without its queries (several per row): the target belongs to this
        # initiative (checked above) and the round is the report's; one update per round
        # holds as the existing ones were read above; of the check constraints, two are
        # about the stated range, which this does not write, and »ikke målbart« has no
        # value by the line above. The database enforces them all when the rows are written.
        update.full_clean(exclude=["target", "round"], validate_constraints=False)
    if created:
        bulk_create_with_history(created, StatusUpdate, default_user=user, default_date=now)
    if changed:
        bulk_update_with_history(
            changed,
            StatusUpdate,
            [*_UPDATE_FIELDS, "updated_at"],
            default_user=user,
            default_date=now,
        )
    targets_changed_announce(target_ids=[u.target_id for u in [*created, *changed]])


def _changes(current: StatusReport, mine: ReportInput) -> list[str]:
    """What the other person's version says that differs from what this user typed."""
    labels = {"progress": "Fremdrift", "challenges": "Udfordringer", "next_steps": "Næste skridt"}
    return [
        f"{label}: »{getattr(current, name)}«"
        for name, label in labels.items()
        if getattr(current, name) != getattr(mine, name)
    ]


# Four eyes: whoever submitted a report does not approve it.
SELF_APPROVAL = (
    "Du har selv indsendt rapporten, så en anden programleder skal godkende den. "
    "Du kan returnere den."
)


@transaction.atomic
def status_report_review(
    *, report: StatusReport, user: User, version: int, approve: bool, comment: str = ""
) -> StatusReport:
    """Approve a submitted report, or return it to the tovholder with a comment."""
    _check(user, "initiatives.review_report", report)
    if not approve and not comment.strip():
        raise ValidationError({"comment": "Skriv, hvad tovholderen skal rette."})
    if approve and report.submitted_by_id == user.pk:
        raise ValidationError(SELF_APPROVAL)
    won = StatusReport.objects.filter(
        pk=report.pk, version=version, state=StatusReport.State.SUBMITTED
    ).update(version=F("version") + 1)
    if not won:
        current = StatusReport.objects.get(pk=report.pk)
        if current.state != StatusReport.State.SUBMITTED:
            raise ValidationError("Kun en indsendt rapport kan godkendes eller returneres.")
        raise ConflictError(current=current, changes=[])
    report.refresh_from_db()
    report.state = StatusReport.State.APPROVED if approve else StatusReport.State.RETURNED
    report.review_comment = comment.strip()  # kept on approval too
    report.reviewed_by = user
    report.reviewed_at = timezone.now()
    report._history_user = user
    report.save()
    if not approve:
        _notify(report)
    return report


@transaction.atomic
def status_report_withdraw(*, report: StatusReport, user: User, version: int) -> StatusReport:
    """Take a submitted report back to a draft, as long as nobody has reviewed it."""
    _check(user, "initiatives.edit_report", report)
    won = StatusReport.objects.filter(
        pk=report.pk, version=version, state=StatusReport.State.SUBMITTED
    ).update(version=F("version") + 1)
    if not won:
        current = StatusReport.objects.get(pk=report.pk)
        if current.state != StatusReport.State.SUBMITTED:
            raise ValidationError(
                f"Rapporten er {current.get_state_display().lower()} og kan ikke trækkes tilbage."
            )
        raise ConflictError(current=current, changes=[])
    report.refresh_from_db()
    report.state = StatusReport.State.DRAFT
    report._history_user = user
    report.save()  # its post_save asks for the recompute: no longer "afventer godkendelse"
    return report


def _notify(report: StatusReport) -> None:
    """Send the e-mail after the commit, through the worker; never fail the save for it."""
    transaction.on_commit(lambda: publish("initiatives.notify_report", report.pk))


TARGET_NUMBER_FIELDS = ("baseline_low", "baseline_high", "target_low", "target_high")


def _target_numbers_parse(target: Target) -> dict[str, list[str]]:
    """Numbers given as text are read by the one Danish parser, as the form reads them;
    a model field would take "12.5" as 12,5 and "1.750" as an error."""
    errors: dict[str, list[str]] = {}
    for name in TARGET_NUMBER_FIELDS:
        value = getattr(target, name)
        if isinstance(value, str):
            try:
                setattr(target, name, parse_number(value) if value.strip() else None)
            except ValidationError as exc:
                errors[name] = exc.messages
    return errors


def _phases_parse(phases: str | Sequence[tuple[int, Decimal | str]]) -> list[tuple[int, Decimal]]:
    if isinstance(phases, str):
        try:
            return parse_phases(phases)
        except ValidationError as exc:
            raise ValidationError({NON_FIELD_ERRORS: exc.messages}) from None
    parsed = []
    for year, value in phases:
        if isinstance(value, str):
            try:
                value = parse_number(value)
            except ValidationError as exc:
                raise ValidationError(
                    {NON_FIELD_ERRORS: [f"Fasen for {year}: {exc.messages[0]}"]}
                ) from None
        parsed.append((int(year), Decimal(value)))
    if len({year for year, _ in parsed}) != len(parsed):
        # as parse_phases: saving would otherwise keep the last one silently
        raise ValidationError({NON_FIELD_ERRORS: ["Hvert år må kun have én fase."]})
    return sorted(parsed)


def target_rules_check(*, target: Target, phases: Sequence[tuple[int, Decimal]]) -> None:
    """``full_clean()`` plus the rules about the phases being entered (see
    :func:`~initiatives.models.target_phase_errors`); raises one ValidationError with
    every message. Errors about the phases are not tied to a field (the model has none
    for them)."""
    errors: dict[str, list[str]] = {}
    try:
        target.full_clean()
    except ValidationError as exc:
        errors = dict(exc.message_dict)
    for key, messages in target.phase_errors(phases).items():
        errors.setdefault(NON_FIELD_ERRORS if key == "phases" else key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _target_unchanged(target: Target, phases: Sequence[tuple[int, Decimal]]) -> bool:
    if target.pk is None:
        return False
    stored = Target.objects.filter(pk=target.pk).first()
    if stored is None:
        return False
    fields = [
        f.attname
        for f in Target._meta.concrete_fields
        if f.name not in ("created_at", "updated_at")
    ]
    if any(getattr(target, name) != getattr(stored, name) for name in fields):
        return False
    return [(p.year, p.value) for p in stored.phases.order_by("year")] == sorted(phases)


@transaction.atomic
def target_save(
    *,
    target: Target,
    user: User,
    phases: str | Sequence[tuple[int, Decimal | str]],
    reason: str = "",
) -> Target:
    """Create or change a target; a change to a target with statuses needs a reason.

    ``phases`` are ``[(year, value), …]`` or text as typed ("2017: 30; 2018: 12,5");
    number fields of ``target`` given as text ("1.750") are read the Danish way. A total
    given with phases must equal basis + the phases (both are stored).
    """
    _check(user, "initiatives.manage_targets", target.initiative)
    errors = _target_numbers_parse(target)
    if errors:
        raise ValidationError(errors)
    phases = _phases_parse(phases)
    target_rules_check(target=target, phases=phases)
    if _target_unchanged(target, phases):
        # Saved as it was shown: nothing to write, so no history row, no recompute and no
        # reason needed.
        return target
    has_updates = target.pk is not None and target.updates.exists()
    if has_updates and not reason.strip():
        raise ValidationError(
            {"reason": "Målet har allerede statusopdateringer. Skriv, hvorfor det ændres."}
        )
    target._history_user = user
    target._change_reason = reason.strip() or ("Oprettet" if target.pk is None else "")
    target.save()
    existing = {p.year: p for p in target.phases.all()}
    wanted = dict(phases)
    for year, phase in existing.items():
        if year not in wanted:
            phase.delete()
    for year, value in wanted.items():
        phase = existing.get(year) or TargetPhase(target=target, year=year)
        if phase.pk is None or phase.value != value:
            phase.value = value
            phase.full_clean()
            phase.save()
    return target


def round_period(year: int, number: int) -> tuple[dt.date, dt.date]:
    """Round 1 is January–February, round 6 November–December."""
    start = dt.date(year, 2 * number - 1, 1)
    end = (dt.date(year + 1, 1, 1) if number == 6 else dt.date(year, 2 * number + 1, 1)) - (
        dt.timedelta(days=1)
    )
    return start, end


@transaction.atomic
def round_open(
    *, programme: Programme, year: int, number: int, user: User | None = None
) -> ReportingRound:
    """Create the round if needed and open it; its deadline is 15 days after the period.

    ``user`` is None when beat opens it; otherwise only a programleder may.
    """
    if user is not None:
        _check(user, "initiatives.open_round", programme)
    if not 1 <= number <= 6:
        raise ValidationError("Runden skal have et nummer fra 1 til 6.")
    first, last = programme.start_date.year - 1, programme.end_date.year + 1
    if not first <= year <= last:
        raise ValidationError(
            f"Runde {year}-{number} ligger uden for programmets periode "
            f"({programme.start_date.year}–{programme.end_date.year}). "
            f"Vælg et år fra {first} til {last}."
        )
    start, end = round_period(year, number)
    round_, _ = ReportingRound.objects.get_or_create(
        programme=programme,
        year=year,
        number=number,
        defaults={
            "period_start": start,
            "period_end": end,
            "deadline": end + dt.timedelta(days=settings.ROUND_DEADLINE_DAYS),
        },
    )
    if round_.state != ReportingRound.State.OPEN:
        round_.state = ReportingRound.State.OPEN
        round_.full_clean()
        round_.save()
    return round_


def rounds_open_current(*, today: dt.date) -> list[ReportingRound]:
    """Open, for every programme running today, the round whose period contains today."""
    from .models import Programme

    number = (today.month + 1) // 2
    return [
        round_open(programme=p, year=today.year, number=number)
        for p in Programme.objects.filter(start_date__lte=today, end_date__gte=today)
    ]


# --- Import ------------------------------------------------------------------------------


@dataclass
class ImportResult:
    programme: Programme
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        parts = []
        for key, label in (
            ("initiatives", "indsatsområder"),
            ("targets", "mål"),
            ("statuses", "statusser"),
            ("rounds", "runder"),
        ):
            parts.append(
                f"{label}: {self.created.get(key, 0)} nye, {self.updated.get(key, 0)} opdateret"
            )
        return f"{self.programme.name}: " + "; ".join(parts) + "."


def _unique_slug(
    model: type[Initiative], wanted: str, *, prefix: str, exclude_pk: int | None = None
) -> str:
    from django.utils.text import slugify

    slug = slugify(wanted)[:50] or "indsats"
    # exclude(pk=None) is valid Django (pk IS NULL, so nothing is excluded); the Django
    # plugin's lookup type leaves None out.
    taken = model.objects.exclude(pk=exclude_pk).filter(slug=slug).exists()  # type: ignore[misc]
    if taken:
        slug = slugify(f"{prefix}-{wanted}")[:50]
    base, n = slug, 2
    while model.objects.exclude(pk=exclude_pk).filter(slug=slug).exists():  # type: ignore[misc]
        slug = f"{base[:46]}-{n}"
        n += 1
    return slug


def may_import_any(user: User) -> bool:
    """A programleder of some programme (or the administrator) may import."""
    return (
        user.is_superuser
        or Membership.objects.filter(user=user, role=Membership.Role.PROGRAMLEDER).exists()
    )


def programme_import_check(*, user: User, data: ProgrammeIn) -> None:
    """Into an existing programme only its programleder imports; a new programme takes a
    programleder of some programme. Raises PermissionDenied otherwise."""
    from .models import Programme

    existing = (
        Programme.objects.filter(name=data.name).first()
        or Programme.objects.filter(slug=data.slug).first()
    )
    if existing is not None:
        if not user.has_perm("initiatives.manage_targets", existing):
            raise PermissionDenied("Kun programlederen for programmet kan importere til det.")
    elif not may_import_any(user):
        raise PermissionDenied("Kun en programleder kan oprette et program ved import.")


@transaction.atomic
def programme_import(*, data: ProgrammeIn, user: User | None) -> ImportResult:
    """Create or update a programme from validated import data (``importing.parse``).

    Targets are matched by initiative and title, statuses by target and round; imported
    statuses are approved (the spreadsheet is the approved record). Everything happens
    in one transaction, and the figures are recomputed once, after the commit. ``user``
    is None for the management command, run by the operator on the server.
    """
    if user is not None:
        programme_import_check(user=user, data=data)
    from .models import Programme, SubInitiative

    created: dict[str, int] = {}
    updated: dict[str, int] = {}

    def count(kind: str, was_created: bool) -> None:
        bucket = created if was_created else updated
        bucket[kind] = bucket.get(kind, 0) + 1

    with changes_collected():
        programme = (
            Programme.objects.filter(name=data.name).first()
            or Programme.objects.filter(slug=data.slug).first()
        )
        is_new = programme is None
        if programme is None:
            programme = Programme(slug=data.slug, name=data.name)
        programme.start_date = programme.start_date or data.start_date
        programme.end_date = programme.end_date or data.end_date
        if data.budget_per_year is not None:
            programme.budget_per_year = data.budget_per_year
        if data.description:
            programme.description = data.description
        programme.save()
        result = ImportResult(programme=programme)
        if is_new and user is not None and not user.is_superuser:
            # Whoever creates a programme by import leads it (and may import into it again).
            Membership.objects.get_or_create(
                user=user, programme=programme, role=Membership.Role.PROGRAMLEDER
            )

        initiatives = {}
        existing = {i.name.lower(): i for i in Initiative.objects.filter(programme=programme)}
        next_number = max([i.number for i in existing.values()] or [0]) + 1
        for name in data.initiatives:
            initiative = existing.get(name.lower())
            count("initiatives", initiative is None)
            if initiative is None:
                initiative = Initiative.objects.create(
                    programme=programme,
                    name=name,
                    number=next_number,
                    slug=_unique_slug(Initiative, name, prefix=programme.slug),
                )
                next_number += 1
            initiatives[name.lower()] = initiative

        subs = {}
        for initiative_name, names in data.sub_initiatives.items():
            initiative = initiatives[initiative_name.lower()]
            for order, name in enumerate(names):
                sub, _ = SubInitiative.objects.get_or_create(
                    initiative=initiative, name=name, defaults={"order": order}
                )
                subs[initiative_name.lower(), name.lower()] = sub

        targets = {}
        existing_targets = {
            (t.initiative_id, t.title.lower()): t
            for t in Target.objects.filter(initiative__programme=programme)
        }
        for order, t in enumerate(data.targets):
            initiative = initiatives[t.initiative.lower()]
            target = existing_targets.get((initiative.pk, t.title.lower()))
            count("targets", target is None)
            if target is None:
                target = Target(initiative=initiative, title=t.title)
            target.sub_initiative = subs.get((t.initiative.lower(), t.sub_initiative.lower()))
            for attr in TARGET_FIELDS:
                setattr(target, attr, getattr(t, attr))
            target.order = order
            target._change_reason = "Importeret fra regneark"
            target.full_clean(exclude=["initiative", "sub_initiative", "responsible"])
            # importing.validate() has checked these with the row and column; data that
            # skipped it meets the same rules here.
            phase_errors = target.phase_errors(t.phases)
            if phase_errors:
                raise ValidationError(
                    [f"{t.title}: {m}" for messages in phase_errors.values() for m in messages]
                )
            target.save()
            if [(p.year, p.value) for p in target.phases.order_by("year")] != t.phases:
                target.phases.all().delete()
                for year, value in t.phases:
                    TargetPhase.objects.create(target=target, year=year, value=value)
            targets[t.initiative.lower(), t.title.lower()] = target

        rounds = {}
        for year, number in data.rounds:
            start, end = round_period(year, number)
            round_, was_created = ReportingRound.objects.get_or_create(
                programme=programme,
                year=year,
                number=number,
                defaults={
                    "period_start": start,
                    "period_end": end,
                    "deadline": end + dt.timedelta(days=settings.ROUND_DEADLINE_DAYS),
                    "state": ReportingRound.State.CLOSED,
                },
            )
            count("rounds", was_created)
            rounds[year, number] = round_

        reports = {}
        for s in data.statuses:
            target = targets[s.initiative.lower(), s.title.lower()]
            round_ = rounds[s.year, s.number]
            key = (target.initiative_id, round_.pk)
            if key not in reports:
                StatusReport.objects.get_or_create(initiative_id=target.initiative_id, round=round_)
                report = StatusReport.objects.select_for_update().get(
                    initiative_id=target.initiative_id, round=round_
                )
                if report.state != StatusReport.State.APPROVED:
                    report.state = StatusReport.State.APPROVED
                    report.reviewed_by = user
                    report.reviewed_at = timezone.now()
                    report.version += 1  # the row is locked: a concurrent save must reload
                    report._change_reason = "Godkendt ved import fra regneark"
                    report.save()
                reports[key] = report
            update, was_created = StatusUpdate.objects.get_or_create(target=target, round=round_)
            count("statuses", was_created)
            update.value = s.value
            update.assessment = s.assessment
            update.not_measurable = s.not_measurable
            update.comment = s.comment
            update.observed_on = s.observed_on
            update.status_text = s.status_text
            update.stated_low = s.stated_low
            update.stated_high = s.stated_high
            update.stated_text = s.stated_text
            update.stated_is_estimate = s.stated_is_estimate
            update.source = s.source
            update._change_reason = "Importeret fra regneark"
            update.save()

    result.created, result.updated = created, updated
    return result


def indicator_observations_import(
    *,
    indicator: Indicator,
    data: ObservationsIn,
    user: User | None,
    extracted_on: date | None = None,
    source_note: str = "",
) -> IndicatorImportResult:
    """Write checked observations in one transaction: new ones created, existing updated.

    An observation is the same when indicator, area and period are (the portals revise
    figures, so a newer extraction replaces the older value). ``user`` is None for the
    management command, run by the operator on the server; otherwise a programleder.
    """
    if user is not None:
        _check(user, "initiatives.manage_targets", indicator.programme)
    note = source_note or f"Importeret fra {data.filename}"
    with transaction.atomic():
        for name in data.new_areas:
            Area.objects.get_or_create(name=name, defaults={"kind": Area.Kind.MUNICIPALITY})
        areas = {a.name: a for a in Area.objects.filter(name__in={r.area for r in data.rows})}
        existing = {
            (o.area.name, o.period_label): o
            for o in indicator.observations.select_related("area").select_for_update()
        }
        created = updated = 0
        for item in data.rows:
            obs = existing.get((item.area, item.period_label))
            if obs is None:
                obs = IndicatorObservation(
                    indicator=indicator, area=areas[item.area], period_label=item.period_label
                )
                created += 1
            else:
                updated += 1
            obs.period_start, obs.period_end = item.period_start, item.period_end
            obs.value, obs.qualifier = item.value, IndicatorObservation.Qualifier.EXACT
            obs.stated_text, obs.stated_gap, obs.source_note = "", "", note[:300]
            # Checked row by row above; the constraints are the database's to enforce.
            obs.full_clean(validate_unique=False, validate_constraints=False)
            obs.save()
        if extracted_on is not None:
            indicator.extracted_on = extracted_on
            indicator.full_clean()
            indicator.save(update_fields=["extracted_on", "updated_at"])
    return IndicatorImportResult(created, updated, len(data.skipped), tuple(data.new_areas))
