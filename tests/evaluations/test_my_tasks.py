"""Mine opgaver: where every role lands, with what it has to do (issue 18)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.selectors import tasks_for
from initiatives.models import Programme, ReportingRound, StatusReport
from initiatives.services import round_open

from ..base import open_round_2018_3
from ..initiatives.test_reporting_pages import form_data, url

pytestmark = pytest.mark.django_db

TASKS = reverse("tasks")


def test_everyone_lands_on_mine_opgaver(client, users):
    response = client.post(
        "/login/", {"username": "ulla", "password": "test-password-1234"}, follow=True
    )
    assert response.request["PATH_INFO"] == TASKS
    page = response.content.decode()
    assert "<h1>Mine opgaver</h1>" in page
    assert "Du har ingen opgaver lige nu." in page  # the committee writes nothing
    assert 'href="/oversigt/jobvaekstpakken/"' in page  # the latest approved figures


def test_a_tovholder_sees_the_report_to_write_then_the_one_that_came_back(client, users):
    open_round_2018_3(Programme.objects.get(slug="jobvaekstpakken"))
    client.force_login(users.tovholder)
    page = client.get(TASKS).content.decode()
    assert "Du har 1 opgave." in page
    section = page.split('id="write-heading"')[1].split("</section>")[0]
    assert f'<a href="{url()}">Småjobs, runde 2018-3 (maj.–jun. 2018)</a>' in section
    assert "ikke påbegyndt, frist 15.07.2018" in section
    assert "Fristen er overskredet" in section  # 2018 is long past
    assert "Kongresturisme" not in section  # only their own initiative

    client.post(url(), form_data(action="indsend"))
    assert "Du har ingen opgaver lige nu." in client.get(TASKS).content.decode()

    client.force_login(users.programleder)
    page = client.get(TASKS).content.decode()
    review = page.split('id="review-heading"')[1].split("</section>")[0]
    assert f'<a href="{url()}">Småjobs, runde 2018-3' in review
    missing = page.split('id="missing-heading"')[1].split("</section>")[0]
    assert missing.count("<li>") == 4 and "Småjobs" not in missing
    report = StatusReport.objects.get(initiative__slug="smajobs", round__number=3)
    client.post(url(), {"review": "returner", "version": str(report.version), "comment": "Ret 2."})

    client.force_login(users.tovholder)
    section = client.get(TASKS).content.decode().split('id="write-heading"')[1]
    assert "returneret, frist 15.07.2018" in section
    assert "Returneret af per: Ret 2." in section


def test_a_programleder_is_told_which_round_to_open(users):
    programme = Programme.objects.get(slug="jobvaekstpakken")
    programmes = Programme.objects.filter(pk=programme.pk)
    tasks = tasks_for(user=users.programleder, programmes=programmes, today=dt.date(2018, 11, 20))
    assert [(p.slug, code) for p, code in tasks.rounds_to_open] == [("jobvaekstpakken", "2018-6")]
    round_open(programme=programme, year=2018, number=6, user=users.programleder)
    tasks = tasks_for(user=users.programleder, programmes=programmes, today=dt.date(2018, 11, 20))
    assert tasks.rounds_to_open == []
    # A tovholder opens no rounds, and after the programme's end nobody is asked to.
    assert (
        tasks_for(
            user=users.tovholder, programmes=programmes, today=dt.date(2018, 11, 20)
        ).rounds_to_open
        == []
    )
    assert (
        tasks_for(
            user=users.programleder, programmes=programmes, today=dt.date(2021, 3, 1)
        ).rounds_to_open
        == []
    )


def test_the_page_runs_the_same_queries_with_more_rounds_open(client, users, settings):
    settings.SESSION_REFRESH_SECONDS = 3600
    programme = Programme.objects.get(slug="jobvaekstpakken")
    open_round_2018_3(programme)
    client.force_login(users.programleder)
    with CaptureQueriesContext(connection) as one:
        assert client.get(TASKS).status_code == 200
    for number in (4, 5, 6):
        round_open(programme=programme, year=2018, number=number, user=users.programleder)
    assert ReportingRound.objects.filter(state="aaben").count() == 4
    with CaptureQueriesContext(connection) as four:
        page = client.get(TASKS).content.decode()
    assert len(four) == len(one)
    assert page.split('id="missing-heading"')[1].split("</section>")[0].count("<li>") == 20
