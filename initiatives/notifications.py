"""E-mail reminders and notifications, each sent exactly once per report and kind.

The `Notification` row is inserted first, in a transaction, and the mail is sent only
if this call inserted it; if sending fails the row is rolled back, so a retry sends it.
A task that runs twice therefore sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from .models import Initiative, Membership, Notification, ReportingRound, StatusReport

logger = logging.getLogger("jobvaekst.notifications")

DONE = {StatusReport.State.SUBMITTED, StatusReport.State.APPROVED}


def _send_once(
    *,
    round_: ReportingRound,
    initiative: Initiative,
    user: User,
    kind: str,
    subject: str,
    body: str,
    version: int = 0,
) -> bool:
    if not user.email:
        logger.info("no e-mail address: user=%s kind=%s", user.pk, kind)
        return False
    try:
        with transaction.atomic():
            Notification.objects.create(
                round=round_,
                initiative=initiative,
                recipient=user,
                kind=kind,
                report_version=version,
            )
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except IntegrityError:  # already sent
        return False
    return True


def _report_url(round_: ReportingRound, initiative: Initiative) -> str:
    path = reverse(
        "reporting:report",
        kwargs={"programme": round_.programme.slug, "code": round_.code, "slug": initiative.slug},
    )
    return f"{settings.SITE_URL}{path}"


def reminders_send(*, today: dt.date) -> int:
    """Remind each tovholder whose report is not in, some days before and on the deadline."""
    sent = 0
    before = today + dt.timedelta(days=settings.REMINDER_DAYS_BEFORE)
    rounds = ReportingRound.objects.filter(
        state=ReportingRound.State.OPEN, deadline__in=[today, before]
    ).select_related("programme")
    for round_ in rounds:
        kind = (
            Notification.Kind.REMINDER_DEADLINE
            if round_.deadline == today
            else Notification.Kind.REMINDER_BEFORE
        )
        done = set(
            StatusReport.objects.filter(round=round_, state__in=DONE).values_list(
                "initiative_id", flat=True
            )
        )
        leads = Membership.objects.filter(
            programme=round_.programme, role=Membership.Role.TOVHOLDER
        ).select_related("user", "initiative")
        for m in leads:
            if m.initiative_id in done:
                continue
            # A tovholder's membership always names its initiative (the check constraint
            # membership_tovholder_has_initiative); the field itself is nullable.
            initiative = cast(Initiative, m.initiative)
            when = (
                "i dag"
                if kind == Notification.Kind.REMINDER_DEADLINE
                else (f"den {round_.deadline:%d.%m.%Y}")
            )
            sent += _send_once(
                round_=round_,
                initiative=initiative,
                user=m.user,
                kind=kind,
                subject=f"Påmindelse: status for {initiative.name}, runde {round_.code}",
                body=(
                    f"Kære {m.user.get_full_name() or m.user.username}\n\n"
                    f"Statusrapporten for {initiative.name} i runde {round_} skal indsendes "
                    f"senest {when}.\n\nUdfyld den her: {_report_url(round_, initiative)}\n"
                ),
            )
    return sent


def report_submitted_notify(*, report: StatusReport) -> int:
    """Tell the programme's programleder(s) that a report is waiting for review."""
    managers = Membership.objects.filter(
        programme=report.initiative.programme, role=Membership.Role.PROGRAMLEDER
    ).select_related("user")
    return sum(
        _send_once(
            round_=report.round,
            initiative=report.initiative,
            user=m.user,
            kind=Notification.Kind.SUBMITTED,
            version=report.version,
            subject=f"Indsendt: {report.initiative.name}, runde {report.round.code}",
            body=(
                f"Statusrapporten for {report.initiative.name} i runde {report.round} er "
                f"indsendt og venter på din godkendelse.\n\n"
                f"{_report_url(report.round, report.initiative)}\n"
            ),
        )
        for m in managers
    )


def report_returned_notify(*, report: StatusReport) -> int:
    """Tell the initiative's tovholder(s) that their report came back, and why."""
    leads = Membership.objects.filter(
        initiative=report.initiative, role=Membership.Role.TOVHOLDER
    ).select_related("user")
    return sum(
        _send_once(
            round_=report.round,
            initiative=report.initiative,
            user=m.user,
            kind=Notification.Kind.RETURNED,
            version=report.version,
            subject=f"Returneret: {report.initiative.name}, runde {report.round.code}",
            body=(
                f"Programlederen har returneret statusrapporten for {report.initiative.name} "
                f"i runde {report.round}:\n\n{report.review_comment}\n\n"
                f"Ret og indsend den igen her: {_report_url(report.round, report.initiative)}\n"
            ),
        )
        for m in leads
    )
