"""Who sees what: a value nobody has approved is for those who write and review the report.

The Baggrundsgruppe (unions, business organisations) and the committee read approved
figures only: no draft and no submitted-but-unapproved value, on the pages, in the API,
in the exports and in the PDF (issue 18).
"""

from __future__ import annotations

import subprocess

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from initiatives.models import StatusReport, Target

from ..base import open_round_2018_3
from .test_reporting_pages import STAFF, form_data, url

pytestmark = pytest.mark.django_db

SECRET = "4321"  # the unapproved value, as typed
SHOWN = ("4321", "4.321")  # as any page, export or PDF would print it

READERS = ("baggrundsgruppe", "udvalg")
INITIATIVE = reverse("initiatives:detail", kwargs={"slug": "smajobs"})


def _texts(client, user) -> dict[str, str]:
    """Everything a reader can open that could show the value."""
    client.force_login(user)
    token = Token.objects.get_or_create(user=user)[0].key
    texts = {
        where: client.get(where).content.decode()
        for where in (
            INITIATIVE,
            f"{INITIATIVE}?runde=2018-3",
            f"{INITIATIVE}?_export=csv",
            f"{INITIATIVE}?runde=2018-3&_export=csv",
            url(),
            "/udskrift/jobvaekstpakken/program/",
            "/udskrift/jobvaekstpakken/indsats/smajobs/",
        )
    }
    for endpoint in ("targets", "rounds", "initiatives"):
        where = f"/api/v1/{endpoint}/"
        texts[where] = client.get(where, HTTP_AUTHORIZATION=f"Token {token}").content.decode()
    return texts


def _pdf_text(client, user, tmp_path) -> str:
    client.force_login(user)
    response = client.get("/udskrift/jobvaekstpakken/program/pdf/")
    assert response.status_code == 200
    path = tmp_path / f"{user.username}.pdf"
    path.write_bytes(response.content)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()


def _leaks(texts: dict[str, str]) -> list[str]:
    return [where for where, text in texts.items() if any(v in text for v in SHOWN)]


def test_readers_never_see_a_draft_or_a_submitted_value(client, users):
    round_ = open_round_2018_3(users.tovholder.memberships.first().programme)
    staff = Target.objects.get(title=STAFF)
    client.force_login(users.tovholder)
    assert client.post(url(), form_data(**{f"t{staff.pk}-value": SECRET})).status_code == 302
    report = StatusReport.objects.get(round=round_, initiative__slug="smajobs")
    assert report.state == "kladde"

    # Those who write and review it see the draft (so the checks below can fail).
    for role in ("tovholder", "programleder"):
        assert _leaks(_texts(client, getattr(users, role))), role

    for state in ("kladde", "indsendt"):
        for role in READERS:
            texts = _texts(client, getattr(users, role))
            assert _leaks(texts) == [], (state, role)
            assert "og ikke godkendt endnu." in texts[url()], (state, role)
        if state == "kladde":
            client.force_login(users.tovholder)
            data = form_data(**{f"t{staff.pk}-value": SECRET}, action="indsend", version="1")
            assert client.post(url(), data).status_code == 302
            assert StatusReport.objects.get(pk=report.pk).state == "indsendt"

    # The history holds every value before approval: not for readers.
    history = reverse(
        "reporting:report_history",
        kwargs={"programme": "jobvaekstpakken", "code": "2018-3", "slug": "smajobs"},
    )
    for role in READERS:
        client.force_login(getattr(users, role))
        assert client.get(history).status_code == 403


@pytest.mark.pdftools
def test_the_pdf_for_the_committee_has_no_unapproved_value(client, users, tmp_path):
    round_ = open_round_2018_3(users.tovholder.memberships.first().programme)
    staff = Target.objects.get(title=STAFF)
    client.force_login(users.tovholder)
    data = form_data(**{f"t{staff.pk}-value": SECRET}, action="indsend")
    assert client.post(url(), data).status_code == 302
    assert StatusReport.objects.get(round=round_, initiative__slug="smajobs").state == "indsendt"
    for role in (*READERS, "programleder"):  # the printed summary is approved figures only
        text = _pdf_text(client, getattr(users, role), tmp_path)
        assert "Småjobs" in text
        assert not any(v in text for v in SHOWN), role
