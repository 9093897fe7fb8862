"""Reminders and notifications: exactly one e-mail per missing report and kind."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from initiatives import notifications, services
from initiatives.models import Initiative, Membership, ReportingRound, StatusReport, Target
from initiatives.tasks import send_reminders

pytestmark = pytest.mark.django_db

TODAY = dt.date(2018, 7, 12)


@pytest.fixture
def setup(users, reference):
    for user in (users.tovholder, users.programleder, users.udvalg):
        user.email = f"{user.username}@example.dk"
        user.save()
    # A second tovholder, for Kongresturisme, whose report is already submitted.
    users.udvalg.memberships.all().delete()
    Membership.objects.create(
        user=users.udvalg,
        programme=reference,
        role="tovholder",
        initiative=Initiative.objects.get(slug="kongresturisme"),
    )
    round_ = ReportingRound.objects.create(
        programme=reference,
        year=2018,
        number=3,
        period_start=dt.date(2018, 5, 1),
        period_end=dt.date(2018, 6, 30),
        deadline=TODAY + dt.timedelta(days=3),
        state="aaben",
    )
    StatusReport.objects.create(
        initiative=Initiative.objects.get(slug="kongresturisme"),
        round=round_,
        state="indsendt",
    )
    return round_


def test_one_reminder_per_missing_report_before_the_deadline(setup, users):
    assert notifications.reminders_send(today=TODAY) == 1
    assert notifications.reminders_send(today=TODAY) == 0  # the task ran twice
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["tove@example.dk"]
    assert message.subject == "Påmindelse: status for Småjobs, runde 2018-3"
    assert "senest den 15.07.2018" in message.body
    assert "/rapportering/jobvaekstpakken/2018-3/smajobs/" in message.body


def test_a_second_reminder_on_the_deadline_and_none_on_other_days(setup):
    notifications.reminders_send(today=TODAY)
    assert notifications.reminders_send(today=TODAY + dt.timedelta(days=1)) == 0
    assert notifications.reminders_send(today=TODAY + dt.timedelta(days=3)) == 1
    assert "senest i dag" in mail.outbox[-1].body
    assert len(mail.outbox) == 2


def test_no_reminder_once_the_report_is_submitted(setup, users):
    StatusReport.objects.create(
        initiative=Initiative.objects.get(slug="smajobs"), round=setup, state="godkendt"
    )
    assert notifications.reminders_send(today=TODAY) == 0
    assert mail.outbox == []


def test_the_beat_task_runs_the_same_code(setup, settings):
    settings.REMINDER_DAYS_BEFORE = (setup.deadline - timezone.localdate()).days
    assert send_reminders.apply().get() == 1


def test_submit_tells_the_programleder_and_return_tells_the_tovholder_once(
    setup, users, django_capture_on_commit_callbacks
):
    staff = Target.objects.get(
        title="Antal jobcentermedarbejdere, der deltager i kompetenceudvikling"
    )
    report = services.status_report_for(
        initiative=Initiative.objects.get(slug="smajobs"), round_=setup
    )
    data = services.ReportInput(
        updates=[services.UpdateInput(target_id=staff.pk, value=Decimal(70))]
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = services.status_report_save(
            report=report, user=users.tovholder, version=0, data=data, submit=True
        )
    assert [m.to for m in mail.outbox] == [["per@example.dk"]]
    assert mail.outbox[0].subject == "Indsendt: Småjobs, runde 2018-3"
    with django_capture_on_commit_callbacks(execute=True):
        services.status_report_review(
            report=report,
            user=users.programleder,
            version=1,
            approve=False,
            comment="Tallet mangler for maj.",
        )
    assert mail.outbox[-1].to == ["tove@example.dk"]
    assert "Tallet mangler for maj." in mail.outbox[-1].body
    assert len(mail.outbox) == 2
