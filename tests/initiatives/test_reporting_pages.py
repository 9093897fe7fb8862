"""The reporting pages: rounds, a round's reports, and the status form with review."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from initiatives.models import ReportingRound, StatusReport, StatusUpdate, Target

from ..base import open_round_2018_3

pytestmark = pytest.mark.django_db

STAFF = "Antal jobcentermedarbejdere, der deltager i kompetenceudvikling"


@pytest.fixture
def open_round(reference) -> ReportingRound:
    return open_round_2018_3(reference)


def url(slug: str = "smajobs", code: str = "2018-3") -> str:
    return reverse(
        "reporting:report", kwargs={"programme": "jobvaekstpakken", "code": code, "slug": slug}
    )


def form_data(**overrides) -> dict:
    """A complete Småjobs form as the browser would post it (version 0: a new report)."""
    data = {
        "version": "0",
        "progress": "Godt i gang",
        "challenges": "",
        "next_steps": "",
        "budget_spent": "",
        "action": "gem",
    }
    for target in Target.objects.filter(initiative__slug="smajobs"):
        data[f"t{target.pk}-value"] = ""
        data[f"t{target.pk}-comment"] = ""
    staff = Target.objects.get(title=STAFF)
    data[f"t{staff.pk}-value"] = "70"
    data.update(overrides)
    return data


def test_the_rounds_page_lists_rounds_with_their_progress(client, users, open_round):
    client.force_login(users.baggrundsgruppe)
    page = client.get(reverse("reporting:rounds")).content.decode()
    assert "2018-3 (maj.–jun. 2018)" in page
    assert "2018-2 (mar.–apr. 2018)" in page
    assert "5 af 5" in page  # all five reports of 2018-2 are approved


def test_the_round_page_shows_each_initiatives_report_state(client, users, open_round):
    client.force_login(users.udvalg)
    page = client.get(
        reverse("reporting:round", kwargs={"programme": "jobvaekstpakken", "code": "2018-3"})
    ).content.decode()
    assert page.count("Ikke påbegyndt") == 5


def test_the_form_is_prefilled_from_the_previous_round(client, users, open_round):
    client.force_login(users.tovholder)
    page = client.get(url()).content.decode()
    staff = Target.objects.get(title=STAFF)
    assert f'name="t{staff.pk}-value" value="60"' in page
    assert "Uændret siden sidste runde" in page
    assert "Indsend til programlederen" in page


def test_a_draft_keeps_last_rounds_values_without_asking(client, users, open_round):
    """Every target left at its prefilled value: "Gem kladde" saves, with no box to tick."""
    client.force_login(users.tovholder)
    staff = Target.objects.get(title=STAFF)
    response = client.post(url(), form_data(**{f"t{staff.pk}-value": "60"}))
    assert response.status_code == 302
    assert StatusUpdate.objects.get(target=staff, round=open_round).value == 60
    assert StatusReport.objects.get(round=open_round, initiative__slug="smajobs").state == "kladde"
    assert not StatusUpdate.objects.get(target=staff, round=open_round).unchanged_confirmed
    # The draft's page leaves the box unticked, so the submit will ask.
    page = client.get(url()).content.decode()
    assert f'name="t{staff.pk}-confirm_unchanged" id="id_t{staff.pk}-confirm_unchanged">' in page


def test_submitting_last_rounds_values_asks_once_for_all_of_them(client, users, open_round):
    client.force_login(users.tovholder)
    staff = Target.objects.get(title=STAFF)
    data = form_data(**{f"t{staff.pk}-value": "60"}, action="indsend")
    response = client.post(url(), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bekræft, at dette mål er uændret" in page
    assert f'<a href="#id_t{staff.pk}-value">{STAFF}</a>' in page
    assert "Godt i gang" in page  # what was typed is kept
    assert not StatusReport.objects.filter(round=open_round).exists()  # nothing saved yet
    response = client.post(url(), {**data, "action": "indsend-uaendret"})
    assert response.status_code == 302
    update = StatusUpdate.objects.get(target=staff, round=open_round)
    assert (update.value, update.unchanged_confirmed) == (60, True)
    assert (
        StatusReport.objects.get(round=open_round, initiative__slug="smajobs").state == "indsendt"
    )


def test_a_value_ticked_as_unchanged_is_submitted_without_asking(client, users, open_round):
    client.force_login(users.tovholder)
    staff = Target.objects.get(title=STAFF)
    data = form_data(
        **{f"t{staff.pk}-value": "60", f"t{staff.pk}-confirm_unchanged": "on"}, action="indsend"
    )
    assert client.post(url(), data).status_code == 302
    assert (
        StatusReport.objects.get(round=open_round, initiative__slug="smajobs").state == "indsendt"
    )


def test_a_danish_number_is_accepted_and_text_is_refused(client, users, open_round):
    client.force_login(users.tovholder)
    staff = Target.objects.get(title=STAFF)
    bad = client.post(url(), form_data(**{f"t{staff.pk}-value": "tres"}))
    assert bad.status_code == 400
    assert "Skriv et tal, f.eks. 12 eller 1.234,5." in bad.content.decode()
    ok = client.post(url(), form_data(**{f"t{staff.pk}-value": "1.234,5"}))
    assert ok.status_code == 302
    assert StatusUpdate.objects.get(target=staff, round=open_round).value == 1234.5


def test_the_error_summary_links_to_each_field_at_fault(client, users, open_round):
    """At the top, focused, one link per error to its field; every field in error says
    so to a screen reader (aria-invalid, and aria-describedby naming its message)."""
    import re

    client.force_login(users.tovholder)
    staff = Target.objects.get(title=STAFF)
    bad = client.post(
        url(), form_data(**{f"t{staff.pk}-value": "tres"}, budget_spent="-5")
    ).content.decode()
    summary = bad.split('id="fejl"')[1].split("</div>")[0]
    assert "autofocus" in bad.split('id="fejl"')[0][-80:] + summary[:20]
    assert "Ret de 2 fejl herunder" in summary
    assert (
        f'<a href="#id_t{staff.pk}-value">{STAFF} – Værdi: Skriv et tal, f.eks. 12 eller '
        "1.234,5.</a>" in summary
    )
    assert '<a href="#id_budget_spent">' in summary
    for field_id in (f"id_t{staff.pk}-value", "id_budget_spent"):
        tag = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', bad).group(0)
        assert 'aria-invalid="true"' in tag, tag
        assert f'aria-describedby="{field_id}_error"' in tag, tag
        assert f'id="{field_id}_error"' in bad  # the message it names exists
    assert bad.index('id="fejl"') < bad.index('id="targets-heading"')  # before the form


def test_draft_submit_then_review_through_the_pages(
    client, users, open_round, django_capture_on_commit_callbacks
):
    client.force_login(users.tovholder)
    assert client.post(url(), form_data()).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):  # the recompute after commit
        assert client.post(url(), form_data(version="1", action="indsend")).status_code == 302
    report = StatusReport.objects.get(round=open_round)
    assert report.state == "indsendt"
    detail = client.get(reverse("initiatives:detail", kwargs={"slug": "smajobs"}))
    assert "afventer godkendelse" in detail.content.decode()

    client.force_login(users.programleder)
    page = client.get(url()).content.decode()
    assert "Behandl rapporten" in page
    returned = client.post(url(), {"review": "returner", "version": "2", "comment": ""})
    summary = returned.content.decode().split('id="fejl"')[1].split("</div>")[0]
    assert "Rapporten er ikke behandlet." in summary  # at the top, not only at the bottom
    assert '<a href="#id_comment">' in summary
    assert "Skriv, hvad tovholderen skal rette." in summary
    client.post(url(), {"review": "returner", "version": "2", "comment": "Ret tallet."})
    report.refresh_from_db()
    assert report.state == "returneret"

    client.force_login(users.tovholder)
    assert "Ret tallet." in client.get(url()).content.decode()
    client.post(url(), form_data(version="3", action="indsend"))
    client.force_login(users.programleder)
    client.post(url(), {"review": "godkend", "version": "4", "comment": ""})
    report.refresh_from_db()
    assert report.state == "godkendt"
    assert report.history.count() >= 5


def test_a_stale_version_is_refused_with_the_conflict_message(client, users, open_round):
    client.force_login(users.tovholder)
    client.post(url(), form_data())
    response = client.post(url(), form_data(progress="Min ældre tekst"))  # still version 0
    assert response.status_code == 409
    page = response.content.decode()
    assert "Intet er gemt" in page
    assert StatusReport.objects.get(round=open_round).progress == "Godt i gang"


def test_a_tovholder_reads_but_cannot_post_another_initiatives_report(client, users, open_round):
    client.force_login(users.tovholder)
    page = client.get(url("kongresturisme")).content.decode()
    assert "Indsend til programlederen" not in page
    # Another initiative's report is for its own tovholder until it is approved.
    assert "ikke påbegyndt og ikke godkendt endnu." in page
    assert client.post(url("kongresturisme"), {"version": "0", "action": "gem"}).status_code == 403
    assert not StatusReport.objects.filter(round=open_round).exists()


@pytest.mark.parametrize("role", ["baggrundsgruppe", "udvalg"])
def test_read_only_roles_cannot_post_or_review(client, users, open_round, role):
    client.force_login(getattr(users, role))
    assert client.post(url(), form_data()).status_code == 403
    assert client.post(url(), {"review": "godkend", "version": "0"}).status_code == 403


def test_a_user_without_a_role_sees_no_round(client, users, open_round):
    client.force_login(users.outsider)
    assert client.get(url()).status_code == 403  # it exists, but is not theirs
    assert client.get("/rapportering/jobvaekstpakken/2031-1/smajobs/").status_code == 403
    assert client.get("/rapportering/findes-ikke/2018-3/smajobs/").status_code == 404
    assert "2018-3" not in client.get(reverse("reporting:rounds")).content.decode()


def test_a_closed_round_is_read_only(client, users, reference):
    client.force_login(users.tovholder)
    page = client.get(url(code="2018-2")).content.decode()
    assert "runden er ikke åben" in page
    assert client.post(url(code="2018-2"), form_data(version="1")).status_code == 403


def test_the_history_shows_who_changed_what(client, users, open_round):
    client.force_login(users.tovholder)
    staff = Target.objects.get(title=STAFF)
    client.post(url(), form_data())
    client.post(
        url(), form_data(version="1", progress="Bedre tekst", **{f"t{staff.pk}-value": "71"})
    )
    client.force_login(users.programleder)  # readers may not: it holds unapproved values
    page = client.get(url() + "historik/").content.decode()
    assert page.count("tove") >= 3  # the report twice and the status update
    assert "Fremdrift</strong>: Godt i gang → Bedre tekst" in page
    assert "Værdi</strong>: 70 → 71" in page
    assert "Status for »Antal jobcentermedarbejdere" in page


def test_the_history_reads_as_people_write(client, users, open_round):
    """Names, not user ids; Danish local time, not 2026-12-03 09:48:00.007598+00:00; an
    amount in full, 125.000,50, not 125.000,5; states as the pages name them."""
    import re

    client.force_login(users.tovholder)
    client.post(url(), form_data())
    client.post(url(), form_data(version="1", budget_spent="125.000,50", action="indsend"))
    client.force_login(users.programleder)
    page = client.get(url() + "historik/").content.decode()
    assert "Forbrugt budget (kr.)</strong>: – → 125.000,50" in page
    assert "Indsendt af</strong>: – → tove" in page
    assert "Tilstand</strong>: Kladde → Indsendt" in page
    assert "+00:00" not in page
    assert re.search(r"Indsendt</strong>: – → \d\d\.\d\d\.\d{4} \d\d:\d\d<", page)


def test_the_programleder_opens_a_round(client, users, reference):
    client.force_login(users.programleder)
    response = client.post(
        reverse("reporting:rounds"),
        {"programme": "jobvaekstpakken", "round": "2019-1"},
        follow=True,
    )
    assert "Runde 2019-1 (jan.–feb. 2019) er åben for indberetning." in response.content.decode()
    round_ = ReportingRound.objects.get(year=2019, number=1)
    assert (round_.state, round_.period_end, round_.deadline) == (
        "aaben",
        dt.date(2019, 2, 28),
        dt.date(2019, 3, 15),
    )
    bad = client.post(
        reverse("reporting:rounds"),
        {"programme": "jobvaekstpakken", "round": "2019-7"},
        follow=True,
    )
    assert "Runden skal have et nummer fra 1 til 6." in bad.content.decode()


@pytest.mark.parametrize("code", ["19-1", "1-1", "2147483648-1", "2015-6", "2022-1"])
def test_a_round_outside_the_programmes_period_is_refused_in_danish(client, users, code):
    """2017–2020, give or take a year: "19-1" would be a round in the year 19, first in
    every picker and chart."""
    before = ReportingRound.objects.count()
    client.force_login(users.programleder)
    response = client.post(
        reverse("reporting:rounds"), {"programme": "jobvaekstpakken", "round": code}, follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Runde {code} ligger uden for programmets periode (2017–2020)." in page
    assert "Vælg et år fra 2016 til 2021." in page
    assert ReportingRound.objects.count() == before


def test_opening_a_round_after_a_gap_warns(client, users):
    client.force_login(users.programleder)
    rounds = reverse("reporting:rounds")
    page = client.post(
        rounds, {"programme": "jobvaekstpakken", "round": "2018-5"}, follow=True
    ).content.decode()
    assert "Runde 2018-5 (sep.–okt. 2018) er åben for indberetning." in page
    assert "Bemærk: runde 2018-3 og 2018-4 mangler mellem den forrige runde og 2018-5." in page
    page = client.post(
        rounds, {"programme": "jobvaekstpakken", "round": "2018-6"}, follow=True
    ).content.decode()
    assert "er åben for indberetning" in page
    assert "mangler" not in page  # straight after 2018-5


@pytest.mark.parametrize("role", ["tovholder", "baggrundsgruppe", "udvalg"])
def test_only_the_programleder_opens_rounds(client, users, reference, role):
    client.force_login(getattr(users, role))
    page = client.get(reverse("reporting:rounds")).content.decode()
    assert "Åbn runden" not in page
    response = client.post(
        reverse("reporting:rounds"), {"programme": "jobvaekstpakken", "round": "2019-1"}
    )
    assert response.status_code == 403
    assert not ReportingRound.objects.filter(year=2019).exists()


def test_beat_opens_the_current_round_of_running_programmes(reference):
    from initiatives.services import rounds_open_current

    opened = rounds_open_current(today=dt.date(2018, 11, 20))
    assert [r.code for r in opened] == ["2018-6"]
    assert ReportingRound.objects.get(year=2018, number=6).deadline == dt.date(2019, 1, 15)
    assert rounds_open_current(today=dt.date(2021, 3, 1)) == []  # the programme has ended


def _submitted(client, user, open_round) -> StatusReport:
    client.force_login(user)
    existing = StatusReport.objects.filter(round=open_round, initiative__slug="smajobs").first()
    version = str(existing.version) if existing else "0"
    assert client.post(url(), form_data(action="indsend", version=version)).status_code == 302
    report = StatusReport.objects.get(round=open_round, initiative__slug="smajobs")
    assert report.state == "indsendt"
    return report


def test_the_approval_comment_is_kept_and_shown(client, users, open_round):
    report = _submitted(client, users.tovholder, open_round)
    client.force_login(users.programleder)
    response = client.post(
        url(), {"review": "godkend", "version": str(report.version), "comment": "Fint, tak."}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.review_comment) == ("godkendt", "Fint, tak.")
    client.force_login(users.tovholder)
    page = client.get(url()).content.decode()
    assert "Godkendt af per med kommentaren:</strong> Fint, tak." in page


def test_whoever_submitted_a_report_cannot_approve_it(client, users, open_round):
    report = _submitted(client, users.programleder, open_round)
    page = client.get(url()).content.decode()
    assert "Du har selv indsendt rapporten" in page
    assert ">Godkend</button>" not in page
    response = client.post(url(), {"review": "godkend", "version": str(report.version)})
    assert "Du har selv indsendt rapporten" in response.content.decode()
    assert StatusReport.objects.get(pk=report.pk).state == "indsendt"
    client.force_login(users.admin)  # another reviewer may
    assert (
        client.post(url(), {"review": "godkend", "version": str(report.version)}).status_code == 302
    )
    assert StatusReport.objects.get(pk=report.pk).state == "godkendt"


def test_a_submitted_report_can_be_withdrawn_until_it_is_reviewed(client, users, open_round):
    report = _submitted(client, users.tovholder, open_round)
    page = client.get(url()).content.decode()
    assert "Træk rapporten tilbage" in page
    for role in ("baggrundsgruppe", "udvalg"):
        client.force_login(getattr(users, role))
        withdraw = {"withdraw": "1", "version": str(report.version)}
        assert client.post(url(), withdraw).status_code == 403
    client.force_login(users.tovholder)
    response = client.post(url(), {"withdraw": "1", "version": str(report.version)}, follow=True)
    assert "Rapporten er trukket tilbage og er en kladde igen." in response.content.decode()
    report.refresh_from_db()
    assert report.state == "kladde"
    assert "Indsend til programlederen" in response.content.decode()  # editable again
    # Once reviewed, it cannot be taken back.
    report = _submitted(client, users.tovholder, open_round)
    client.force_login(users.programleder)
    client.post(url(), {"review": "godkend", "version": str(report.version)})
    client.force_login(users.tovholder)
    response = client.post(url(), {"withdraw": "1", "version": str(report.version + 1)})
    assert response.status_code == 403
    assert StatusReport.objects.get(pk=report.pk).state == "godkendt"


def test_the_rounds_count_approved_reports_as_submitted(client, users):
    """The reference round's five approved reports were submitted too: 5 of 5, not 0."""
    client.force_login(users.programleder)
    page = client.get(reverse("reporting:rounds")).content.decode()
    row = page.split("2018-2 (mar.–apr. 2018)</a>")[1].split("</tr>")[0]
    assert row.count("<td>5 af 5</td>") == 2, row


def test_the_round_page_marks_the_own_initiative_and_overdue_reports(client, users, open_round):
    round_page = reverse(
        "reporting:round", kwargs={"programme": "jobvaekstpakken", "code": "2018-3"}
    )
    client.force_login(users.tovholder)
    page = client.get(round_page).content.decode()
    rows = {
        name: page.split(f">{name}</a>")[1].split("</tr>")[0]
        for name in ("Småjobs", "Kongresturisme")
    }
    assert "Din indsats" in rows["Småjobs"] and "Din indsats" not in rows["Kongresturisme"]
    # 2018-3's deadline (15.07.2018) is long past: every report not yet submitted is late.
    assert "Fristen er overskredet" in rows["Kongresturisme"]
    client.post(url(), form_data(action="indsend"))
    page = client.get(round_page).content.decode()
    assert "Fristen er overskredet" not in page.split(">Småjobs</a>")[1].split("</tr>")[0]
    assert "Fristen er overskredet" in page.split(">Kongresturisme</a>")[1].split("</tr>")[0]
