"""The indicator upload on /data/: check and preview first, then all or nothing.

The web form does what ``manage.py import_indicator`` does, for a programleder of the
indicator's programme only; the file waits in IMPORT_STAGING_DIR under a token kept in
the session between the two steps.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from initiatives.models import Area, Indicator, IndicatorObservation, Membership, Programme

pytestmark = pytest.mark.django_db

EXAMPLE_CSV = (
    Path(__file__).resolve().parent.parent.parent / "fixtures" / "import" / "indikator-eksempel.csv"
)
UPLOAD = "/data/indikator/"
CONFIRM = "/data/indikator/bekraeft/"


@pytest.fixture
def indicator(reference) -> Indicator:
    home, _ = Area.objects.get_or_create(name="Aalborg Kommune", defaults={"kind": "kommune"})
    Area.objects.get_or_create(name="København, Aarhus og Odense", defaults={"kind": "gruppe"})
    Area.objects.get_or_create(name="Hele landet", defaults={"kind": "hele_landet"})
    return Indicator.objects.create(
        programme=reference,
        slug="andel-upload",
        name="Andel til upload",
        unit="%",
        home_area=home,
        source_name="Opdigtet",
    )


@pytest.fixture(autouse=True)
def _staging(settings, tmp_path) -> Path:
    settings.IMPORT_STAGING_DIR = tmp_path
    return tmp_path


def upload(client, indicator, content: bytes | None = None, **fields):
    data = {
        "indikator": indicator.pk,
        "format": "standard",
        "tegnsaet": "auto",
        "omraade_kolonne": "",
        "periode_kolonne": "",
        "vaerdi_kolonne": "",
        "fil": SimpleUploadedFile(
            "indikator-eksempel.csv",
            EXAMPLE_CSV.read_bytes() if content is None else content,
            content_type="text/csv",
        ),
    }
    data.update(fields)
    return client.post(UPLOAD, data)


def test_the_programleder_checks_then_imports_the_example(client, users, indicator, _staging):
    client.force_login(users.programleder)
    form_page = client.get("/data/").content.decode()
    assert "Importér indikatortal" in form_page
    assert f'<option value="{indicator.pk}">Andel til upload' in form_page
    preview = upload(client, indicator)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Filen er i orden. Intet er gemt endnu." in page
    assert "<dt>Nye observationer</dt><dd>4</dd>" in page
    assert "<dt>Erstatter eksisterende</dt><dd>0</dd>" in page
    assert "<dt>Sprunget over (tal ikke oplyst, »..«)</dt><dd>2</dd>" in page
    assert "Aalborg Kommune" in page and "januar 2018" in page and "41,2" in page
    assert not IndicatorObservation.objects.filter(indicator=indicator).exists()
    assert len(list(_staging.iterdir())) == 1  # staged, not saved
    token = client.session["indicator_import_staging"]["token"]
    done = client.post(CONFIRM, {"token": token})
    assert done.status_code == 302 and done["Location"] == "/data/"
    stored = {
        (o.area.name, o.period_label): o.value
        for o in IndicatorObservation.objects.filter(indicator=indicator).select_related("area")
    }
    assert len(stored) == 4
    assert stored[("Aalborg Kommune", "januar 2018")] == Decimal("41.2")
    assert stored[("Hele landet", "februar 2018")] == Decimal("45.3")
    assert list(_staging.iterdir()) == []  # the staged file is gone
    assert "indicator_import_staging" not in client.session
    # The same file again replaces the four.
    again = upload(client, indicator).content.decode()
    assert "<dt>Nye observationer</dt><dd>0</dd>" in again
    assert "<dt>Erstatter eksisterende</dt><dd>4</dd>" in again


def test_a_malformed_file_shows_the_danish_row_error_and_stores_nothing(
    client, users, indicator, _staging
):
    client.force_login(users.programleder)
    bad = "Område;Periode;Værdi\r\nAalborg;2018M01;abc\r\nViborg;2018M01;40\r\n".encode()
    response = upload(client, indicator, bad)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Intet er importeret." in page and "2 fejl" in page
    assert "Værdien »abc« er ikke et tal" in page
    assert "Området »Viborg« findes ikke" in page  # no new areas from the web
    assert 'aria-describedby="indikator-fil_helptext indikator-fil-fejl' in page
    assert not IndicatorObservation.objects.filter(indicator=indicator).exists()
    assert not Area.objects.filter(name="Viborg").exists()
    assert list(_staging.iterdir()) == []
    assert "indicator_import_staging" not in client.session


def test_a_missing_file_is_a_field_error_linked_to_the_field(client, users, indicator):
    client.force_login(users.programleder)
    response = client.post(UPLOAD, {"indikator": indicator.pk, "format": "standard"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Vælg en CSV-fil." in page
    assert 'id="indikator-fil-fejl"' in page
    assert 'aria-describedby="indikator-fil_helptext indikator-fil-fejl"' in page


def test_confirming_without_a_staged_token_does_nothing(client, users, indicator, _staging):
    client.force_login(users.programleder)
    response = client.post(CONFIRM, {"token": "gaet-et-token"}, follow=True)
    assert response.redirect_chain == [("/data/", 302)]
    assert "Importen er udløbet" in response.content.decode()
    upload(client, indicator)
    assert client.post(CONFIRM, {"token": "forkert"}).status_code == 302
    assert client.post(CONFIRM, {}).status_code == 302
    assert not IndicatorObservation.objects.filter(indicator=indicator).exists()
    assert len(list(_staging.iterdir())) == 1  # the real staging is untouched


@pytest.mark.parametrize("role", ["tovholder", "baggrundsgruppe", "udvalg", "outsider"])
def test_other_roles_get_403(client, users, indicator, role, _staging):
    client.force_login(getattr(users, role))
    assert "Importér indikatortal" not in client.get("/data/").content.decode()
    assert client.get(UPLOAD).status_code in (403, 405)
    assert upload(client, indicator).status_code == 403
    assert client.post(CONFIRM, {"token": "x"}).status_code == 403
    assert not IndicatorObservation.objects.filter(indicator=indicator).exists()
    assert list(_staging.iterdir()) == []


def test_a_programleder_of_another_programme_cannot_import_here(client, indicator, _staging):
    other = Programme.objects.create(
        slug="andet", name="Andet", start_date=dt.date(2020, 1, 1), end_date=dt.date(2021, 12, 31)
    )
    pia = get_user_model().objects.create_user(username="pia", password="x-y-z-1234567")
    Membership.objects.create(user=pia, programme=other, role="programleder")
    client.force_login(pia)
    assert f'value="{indicator.pk}"' not in client.get("/data/").content.decode()
    response = upload(client, indicator)
    assert response.status_code == 400
    assert "Vælg en af indikatorerne i de programmer, du er programleder for." in (
        response.content.decode()
    )
    assert "indicator_import_staging" not in client.session
    assert list(_staging.iterdir()) == []
    # Nor with a session pointing at this programme's indicator.
    session = client.session
    session["indicator_import_staging"] = {
        "token": "t",
        "indicator": indicator.pk,
        "format": "standard",
        "omraade_kolonne": "",
        "periode_kolonne": "",
        "vaerdi_kolonne": "",
        "tegnsaet": "auto",
    }
    session.save()
    (_staging / "t").mkdir()
    (_staging / "t" / "0-x.csv").write_bytes(EXAMPLE_CSV.read_bytes())
    assert client.post(CONFIRM, {"token": "t"}).status_code == 403
    assert not IndicatorObservation.objects.filter(indicator=indicator).exists()


def test_csrf_is_enforced(users, indicator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users.programleder)
    assert upload(client, indicator).status_code == 403
    assert client.post(CONFIRM, {"token": "x"}).status_code == 403
    assert not IndicatorObservation.objects.filter(indicator=indicator).exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_upload_is_keyboard_usable_and_axe_clean(page, live_server, settings, tmp_path):
    from tests.base import PASSWORD, load_reference, make_users

    from .test_pages_browser import serious_violations

    settings.IMPORT_STAGING_DIR = tmp_path
    programme = load_reference()
    make_users(programme)
    home, _ = Area.objects.get_or_create(name="Aalborg Kommune", defaults={"kind": "kommune"})
    Area.objects.get_or_create(name="København, Aarhus og Odense", defaults={"kind": "gruppe"})
    Area.objects.get_or_create(name="Hele landet", defaults={"kind": "hele_landet"})
    target = Indicator.objects.create(
        programme=programme,
        slug="andel-upload",
        name="Andel til upload",
        unit="%",
        home_area=home,
        source_name="Opdigtet",
    )
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Brugernavn").fill("per")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"{live_server.url}/opgaver/")
    found: list[str] = []
    # A file with an error: the row error, linked to the file field; nothing saved.
    page.goto(f"{live_server.url}/data/")
    page.get_by_label("Indikator", exact=True).select_option(str(target.pk))
    bad = tmp_path / "fejl.csv"
    bad.write_bytes("Område;Periode;Værdi\r\nAalborg;2018M01;abc\r\n".encode())
    page.get_by_label("Fil (CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Kontrollér", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Værdien »abc« er ikke et tal")
    assert page.title().startswith("Fejl: ")
    found += [f"fejl: {v}" for v in serious_violations(page)]
    # The example: preview, then "Importér" by keyboard.
    page.get_by_label("Indikator", exact=True).select_option(str(target.pk))
    page.get_by_label("Fil (CSV)").set_input_files(str(EXAMPLE_CSV))
    page.get_by_role("button", name="Kontrollér", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Filen er i orden. Intet er gemt endnu.")
    found += [f"kontrol: {v}" for v in serious_violations(page)]
    page.get_by_role("button", name="Importér").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=4 nye og 0 opdaterede observationer")
    assert found == []
    assert IndicatorObservation.objects.filter(indicator=target).count() == 4
