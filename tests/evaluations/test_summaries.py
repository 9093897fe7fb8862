"""Committee summaries: the PDF a politician reads, and editions that never change.

The PDF is read back with poppler (pdftotext, pdfinfo) and every page is rendered with
pdftoppm, as a reader's viewer would.
"""

from __future__ import annotations

import base64
import datetime as dt
import gc
import hashlib
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from PIL import Image

from evaluations import print_charts, summaries
from evaluations.models import Edition
from initiatives.models import (
    Area,
    Indicator,
    IndicatorObservation,
    Programme,
    StatusUpdate,
)

from ..base import grow_programme

pytestmark = pytest.mark.django_db

LIST = "/udskrift/jobvaekstpakken/"
PDF = "/udskrift/jobvaekstpakken/program/pdf/"
PUBLISH = "/udskrift/jobvaekstpakken/udgiv/"
ARCHIVE = "/udskrift/jobvaekstpakken/arkiv/"
FIVE = ["Industri og byggeri", "Kongresturisme", "Detailhandel", "Småjobs", "Iværksætteri"]


def text(response) -> str:
    html = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return re.sub(r"\s+", " ", out.stdout.decode())


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout
    return dict(
        (k.strip(), v.strip())
        for k, v in (line.split(":", 1) for line in out.decode().splitlines())
    )


def publish(client, **extra):
    data = {
        "scope": "",
        "runde": "2018-2",
        "committee": "beskaeftigelsesudvalget",
        "meeting_date": "04.06.2018",
        **extra,
    }
    return client.post(PUBLISH, data)


@pytest.mark.pdftools
def test_the_programme_pdf_names_the_initiatives_figures_and_round(client, users, tmp_path):
    client.force_login(users.udvalg)
    response = client.get(PDF)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "jobvaekstpakken-statusopsamling-2018-2.pdf" in response["Content-Disposition"]
    path = tmp_path / "program.pdf"
    path.write_bytes(response.content)

    words = pdf_text(path)
    for name in FIVE:
        assert name in words
    assert "Jobvækstpakken – statusopsamling, runde 2018-2" in words
    assert (
        "Af 27 mål er 6 nået (3 af dem efter rapportens angivelse), og 1 er på sporet. "
        "2 er bagud eller kritisk. 8 er ikke opnået og 1 delvist opnået efter det angivne. "
        "De sidste 9 kan ikke opgøres endnu"
    ) in words
    assert "Ikke opnået (angivet)" in words  # the congress rows, as the report states them
    assert "angivet uden tal i gennemsnittet" in words  # beside each level average
    assert "375 % (over mål)" in words  # Småjobs staff, 60 of 16
    assert "1,25 %" in words  # Eksportpilot, 3 of 240
    # The stated overall 3 is the score; the mean of the one surviving score is beneath.
    assert "Implementeringen er senest vurderet til 3,0 på en skala fra 1 til 5" in words
    assert "gennemsnit af 1 af 6 parametre: 4,0" in words
    assert "vurderet til 4,0" not in words
    assert "Side 1 af" in words

    info = pdf_info(path)
    assert info["Title"] == "Jobvækstpakken – statusopsamling, runde 2018-2"
    assert info["Tagged"] == "yes"  # PDF/UA-1
    assert info["Page size"].startswith("595.276 x 841.89")  # A4
    pages = int(info["Pages"])
    assert f"Side {pages} af {pages}" in words

    # Every page renders, and none is blank.
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(path), str(tmp_path / "p")], check=True)
    rendered = sorted(tmp_path.glob("p-*.png"))
    assert len(rendered) == pages
    for png in rendered:
        extrema = Image.open(png).convert("L").getextrema()
        assert extrema[0] < 100, f"{png.name} ser tom ud"


@pytest.mark.pdftools
def test_an_initiative_pdf_has_only_that_initiative(client, users, tmp_path):
    client.force_login(users.baggrundsgruppe)
    response = client.get("/udskrift/jobvaekstpakken/indsats/smajobs/pdf/")
    path = tmp_path / "smajobs.pdf"
    path.write_bytes(response.content)
    words = pdf_text(path)
    assert "Småjobs – statusopsamling, runde 2018-2" in words
    assert "Kongresturisme" not in words


def test_the_print_view_has_the_summary_and_print_css(client, users):
    client.force_login(users.udvalg)
    response = client.get("/udskrift/jobvaekstpakken/program/")
    html = response.content.decode()
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in html
    page = text(response)
    assert "Kort fortalt" in page
    assert "Fremdrift og udfordringer" in page
    assert "Budget: bevilget og forbrugt" in page
    assert "Hent som PDF" in page
    # Charts are static images with a text alternative, so print never clips them.
    assert re.search(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="Søjlediagram', html)


def test_the_list_offers_every_summary_with_its_pdf(client, users):
    client.force_login(users.udvalg)
    response = client.get("/udskrift/", follow=True)
    html = response.content.decode()
    assert "/udskrift/jobvaekstpakken/program/pdf/?runde=2018-2" in html
    for slug in ("industri-og-byggeri", "kongresturisme", "detailhandel", "smajobs"):
        assert f"/udskrift/jobvaekstpakken/indsats/{slug}/pdf/?runde=2018-2" in html
    assert "Udgiv til udvalg" not in text(response)  # the udvalg reads, never publishes


@pytest.mark.slow
def test_a_published_edition_never_changes_when_the_figures_do(client, users):
    client.force_login(users.programleder)
    response = publish(client)
    assert response.status_code == 302
    edition = Edition.objects.get()
    frozen = bytes(edition.pdf)
    assert edition.sha256 == hashlib.sha256(frozen).hexdigest()
    assert (edition.committee, edition.meeting_date) == (
        "beskaeftigelsesudvalget",
        dt.date(2018, 6, 4),
    )
    assert edition.published_by == users.programleder
    assert edition.round.code == "2018-2"

    # A correction: Småjobs staff 60 → 12, and the figures recomputed.
    update = StatusUpdate.objects.get(
        target__title__startswith="Antal jobcentermedarbejdere, der deltager"
    )
    update.value = 12
    update.save()
    call_command("recompute", "--all", verbosity=0)
    live = client.get(PDF).content
    assert live != frozen  # the summary itself did change …

    client.force_login(users.udvalg)
    download = client.get(f"/udskrift/udgave/{edition.pk}/")
    assert download.status_code == 200
    assert download.content == frozen  # … the edition did not
    edition.refresh_from_db()
    assert bytes(edition.pdf) == frozen


@pytest.mark.slow
def test_a_new_edition_supersedes_the_old_and_the_archive_says_so(client, users):
    client.force_login(users.programleder)
    publish(client)
    first = Edition.objects.get()
    response = publish(client, supersedes=str(first.pk), meeting_date="18.06.2018")
    assert response.status_code == 302
    second = Edition.objects.exclude(pk=first.pk).get()
    assert second.supersedes == first
    client.force_login(users.baggrundsgruppe)
    page = text(client.get(ARCHIVE))
    assert f"Erstattet af #{second.pk}" in page
    assert f"erstatter #{first.pk}" in page
    assert "Gældende" in page


def test_publishing_with_bad_input_says_what_is_wrong_and_stores_nothing(client, users):
    client.force_login(users.programleder)
    response = publish(client, meeting_date="31.02.2018")
    assert response.status_code == 400
    assert "Skriv datoen som dd.mm.åååå" in text(response)
    publish(client)
    first = Edition.objects.get()
    wrong_scope = publish(client, scope="smajobs", supersedes=str(first.pk))
    assert wrong_scope.status_code == 400
    assert "samme opsamling" in text(wrong_scope)
    assert Edition.objects.count() == 1


def test_only_the_programleder_publishes_and_roles_read_the_archive(client, users):
    client.force_login(users.tovholder)
    assert publish(client).status_code == 403
    assert Edition.objects.count() == 0
    client.force_login(users.programleder)
    publish(client)
    edition = Edition.objects.get()
    for role in ("udvalg", "baggrundsgruppe", "tovholder"):
        client.force_login(getattr(users, role))
        assert client.get(ARCHIVE).status_code == 200
        assert client.get(f"/udskrift/udgave/{edition.pk}/").status_code == 200
    client.force_login(users.outsider)
    assert client.get(ARCHIVE).status_code == 403
    assert client.get(f"/udskrift/udgave/{edition.pk}/").status_code == 403
    client.logout()
    for url in (LIST, PDF, ARCHIVE, f"/udskrift/udgave/{edition.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    assert publish(client).status_code == 302  # to the login page, nothing published
    assert Edition.objects.count() == 1


def test_the_model_refuses_to_change_or_delete_an_edition(client, users):
    client.force_login(users.programleder)
    publish(client)
    edition = Edition.objects.get()
    edition.meeting_date = dt.date(2019, 1, 1)
    with pytest.raises(ValueError, match="kan ikke ændres"):
        edition.save()
    with pytest.raises(ValueError, match="kan ikke slettes"):
        edition.delete()


@pytest.mark.postgres
def test_postgresql_refuses_even_a_bulk_update_or_raw_delete(client, users):
    client.force_login(users.programleder)
    publish(client)
    edition = Edition.objects.get()
    with pytest.raises(IntegrityError, match="kan ikke ændres eller slettes"), transaction.atomic():
        Edition.objects.filter(pk=edition.pk).update(pdf=b"%PDF-forged")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM evaluations_edition WHERE id = %s", [edition.pk])
    assert bytes(Edition.objects.get().pdf) == bytes(edition.pdf)


# --- At scale (issue 9): the same queries, and the same PDF for less work ---------------


def _grow(factor: int) -> None:
    """Ten times the reference data, in everything the summary prints."""
    programme = Programme.objects.get(slug="jobvaekstpakken")
    grow_programme(programme, factor)
    _grow_indicators(programme, factor // 24)
    call_command("recompute", "--all", verbosity=0)


def _grow_indicators(programme: Programme, n: int) -> None:
    """``n`` more indicators, each with a monthly series in more areas (issue 10)."""
    home = Area.objects.get(name="Aalborg Kommune")
    country = Area.objects.get(kind=Area.Kind.COUNTRY)
    areas = [home, country] + [
        Area.objects.create(name=f"Kommune {k}", kind=Area.Kind.MUNICIPALITY, order=3 + k)
        for k in range(n)
    ]
    months = [(2019, m) for m in range(1, 13)] + [(2020, 1)]  # 2020 is after round 2019-6
    for i in range(n):
        indicator = Indicator.objects.create(
            programme=programme,
            slug=f"ekstra-indikator-{i}",
            name=f"Ekstra indikator {i}",
            purpose="vaekst",
            unit="%",
            direction="stigende",
            home_area=home,
            source_name=f"Kilde {i}",
            order=10 + i,
        )
        IndicatorObservation.objects.bulk_create(
            IndicatorObservation(
                indicator=indicator,
                area=area,
                period_label=f"{month:02d}-{year}",
                period_start=dt.date(year, month, 1),
                period_end=dt.date(year, month, 28),
                order=0,
                value=Decimal(30 + month + k) if year == 2019 else Decimal(99),
                qualifier="eksakt",
            )
            for k, area in enumerate(areas)
            for year, month in months
        )


@pytest.mark.slow
@pytest.mark.pdftools
def test_the_programme_pdf_runs_the_same_queries_on_ten_times_the_data(
    client, users, django_assert_num_queries, settings, tmp_path
):
    # The session is rewritten at most once a minute (SESSION_REFRESH_SECONDS); growing the
    # data can take longer than that, and the refresh is not the PDF's doing.
    settings.SESSION_REFRESH_SECONDS = 3600
    client.force_login(users.udvalg)
    with CaptureQueriesContext(connection) as before:
        assert client.get(PDF).status_code == 200
    assert len(before) <= 18  # 16, and 2 for the programme's indicators (issue 10)
    _grow(240)  # the reference data has 27 targets; more rounds, reports, scores too
    with django_assert_num_queries(len(before)):
        response = client.get(PDF)
    path = tmp_path / "stor.pdf"
    path.write_bytes(response.content)
    words = pdf_text(path)  # the grown data is what the PDF shows
    assert "Jobvækstpakken – statusopsamling, runde 2019-6" in words
    assert "Ekstra mål 239" in words
    assert "Fremdrift for Småjobs i 2019-6." in words
    # Every indicator, as of the round's end: December 2019, not January 2020.
    assert "Ekstra indikator 9" in words
    assert "Aalborg Kommune: 42 % (12-2019), fra 31 % til 42 %" in words
    assert "42 % − 43 % = −1 procentpoint" in words
    assert "01-2020" not in words
    assert int(pdf_info(path)["Pages"]) > 10


def test_a_chart_is_drawn_once_for_the_same_figures_and_anew_when_one_changes():
    print_charts.level_bars.cache_clear()

    def rows(mean: float):
        return [("Småjobs", [("Aktivitet", mean, 2, 3), ("Output", None, 0, 1)])]

    first = print_charts.level_bars(rows(40.0))
    assert print_charts.level_bars(rows(40.0)) == first  # equal figures in new lists
    assert print_charts.level_bars.cache_info().hits == 1
    corrected = print_charts.level_bars(rows(62.5))
    svg = base64.b64decode(corrected.split(",", 1)[1]).decode()
    assert "Aktivitet: 62,5 % (2 af 3)" in svg
    assert "Aktivitet: 40 %" not in svg
    assert print_charts.level_bars.cache_info().misses == 2


def test_rendering_a_pdf_leaves_the_garbage_collector_on(reference):
    pdf = summaries.render_pdf(summaries.build(programme=reference))
    assert pdf.startswith(b"%PDF")
    assert gc.isenabled()


def test_the_collector_is_left_as_it_was_found_even_after_an_error():
    with pytest.raises(ValueError), summaries.collector_paused():
        assert not gc.isenabled()
        raise ValueError("rendering failed")
    assert gc.isenabled()
    gc.disable()
    try:
        with summaries.collector_paused():
            pass
        assert not gc.isenabled()  # paused by someone else: not ours to resume
    finally:
        gc.enable()
