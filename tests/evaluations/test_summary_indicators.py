"""The printed programme summary's "Formål og kontekst" (issue 10, point 5).

A committee member reads the programme's goals and their context before the initiatives:
the purpose of each indicator, Aalborg's figure and change, the gap to the national level,
what the source says only in words, the source, and the 2014 comparison as a chart with
the same figures as a table. The PDF is read back with poppler's pdftotext.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from initiatives.models import Area, Indicator, IndicatorObservation, ReportingRound

pytestmark = pytest.mark.django_db

PAGE = "/udskrift/jobvaekstpakken/program/"
PDF = "/udskrift/jobvaekstpakken/program/pdf/"

# What the reference data must say, in the committee's words.
TEXTS = [
    "Formål og kontekst",
    "Jobrettet",
    "Vækstrettet",
    "Kontekst",
    "fra ca. 35 % til 80 %",
    "ca. 1,5 procentpoint over landsgennemsnittet",
    "5,2 procentpoint under landsgennemsnittet",
    "40,3 % − 45,5 % = −5,2 procentpoint",
    "mindst 44 %",
    "Kilde: COWI: Jobvækstpakken – midtvejsevaluering",
]


def words(html: str) -> str:
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return re.sub(r"\s+", " ", out.stdout.decode())


def section(html: str) -> str:
    """The HTML of the "Formål og kontekst" section (empty if there is none)."""
    found = re.search(r'<section[^>]*aria-labelledby="s-purpose".*?</section>', html, re.S)
    return found.group(0) if found else ""


@pytest.mark.pdftools
def test_the_programme_pdf_opens_with_the_purpose_and_context(client, users, tmp_path):
    client.force_login(users.udvalg)
    response = client.get(PDF)
    assert response.status_code == 200
    path = tmp_path / "program.pdf"
    path.write_bytes(response.content)
    text = pdf_text(path)
    for expected in [*TEXTS, "40,3", "45,5"]:
        assert expected in text, expected
    # Before the initiatives, after the short summary.
    assert text.index("Kort fortalt") < text.index("Formål og kontekst")
    assert text.index("Formål og kontekst") < text.index("Målopnåelse pr. indsatsområde")


def test_the_print_view_has_the_same_words(client, users):
    client.force_login(users.udvalg)
    page = words(client.get(PAGE).content.decode())
    for expected in TEXTS:
        assert expected in page, expected
    assert page.index("Formål og kontekst") < page.index("Målopnåelse pr. indsatsområde")


def test_the_comparison_chart_has_its_figures_as_a_table(client, users):
    client.force_login(users.udvalg)
    html = section(client.get(PAGE).content.decode())
    charts = re.findall(
        r'<figure class="doc-chart doc-comparison"><img src="data:image/svg\+xml;base64,'
        r'[^"]+" alt="([^"]+)"></figure>\s*(<table.*?</table>)',
        html,
        re.S,
    )
    assert len(charts) == 1  # only the 2014 activation share has several areas
    alt, table = charts[0]
    assert "september 2014" in alt
    assert "Tallene står i tabellen nedenfor" in alt
    rows = re.findall(r'<th scope="row">([^<]+)</th><td>([^<]+)</td>', table)
    assert rows == [
        ("Aalborg Kommune", "40,3 %"),
        ("København, Aarhus og Odense", "mindst 44 %"),
        ("Hele landet", "45,5 %"),
    ]


def test_an_initiative_summary_has_no_purpose_and_context(client, users):
    client.force_login(users.udvalg)
    assert section(client.get(PAGE).content.decode())  # the programme's has it
    html = client.get("/udskrift/jobvaekstpakken/indsats/smajobs/").content.decode()
    assert "Småjobs – statusopsamling" in words(html)
    assert "Formål og kontekst" not in html
    assert "fra ca. 35 % til 80 %" not in html


def _later_figures() -> None:
    """September 2019 figures, after round 2018-2 (which ends 30.04.2018)."""
    indicator = Indicator.objects.get(slug="virksomhedsvendt-aktivering")
    for area, value in (("Aalborg Kommune", "48.0"), ("Hele landet", "47.0")):
        IndicatorObservation.objects.create(
            indicator=indicator,
            area=Area.objects.get(name=area),
            period_label="september 2019",
            period_start=dt.date(2019, 9, 1),
            period_end=dt.date(2019, 9, 30),
            order=2,
            value=Decimal(value),
            qualifier="eksakt",
        )


def test_a_summary_for_an_earlier_round_hides_later_figures(client, users):
    _later_figures()
    client.force_login(users.udvalg)
    # 2018-2 is still the newest round: the summary is as of its end, not today.
    old = words(section(client.get(PAGE, {"runde": "2018-2"}).content.decode()))
    assert "september 2019" not in old
    assert "5,2 procentpoint under landsgennemsnittet" in old
    assert "fra ca. 35 % til 80 %" in old  # undated points always show

    programme = Indicator.objects.get(slug="virksomhedsvendt-aktivering").programme
    ReportingRound.objects.create(
        programme=programme,
        year=2019,
        number=5,
        period_start=dt.date(2019, 9, 1),
        period_end=dt.date(2019, 10, 31),
        deadline=dt.date(2019, 11, 10),
        state="lukket",
    )
    new = words(section(client.get(PAGE, {"runde": "2019-5"}).content.decode()))
    assert "48 % (september 2019), fra 40,3 % til 48 %" in new
    assert "1 procentpoint over landsgennemsnittet" in new
    assert "5,2 procentpoint under" not in new
