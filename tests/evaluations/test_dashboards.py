"""The programme overview and the initiative page as the Baggrundsgruppe reads them.

The reference data is COWI's mid-term picture (round 2018-2). A later round with new
figures must not change what ``?runde=2018-2`` shows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from evaluations.models import Assessment, ImplementationParameter, ParameterScore
from initiatives.models import (
    Area,
    Indicator,
    IndicatorObservation,
    Initiative,
    InitiativeBudget,
    Programme,
    ReportingRound,
    StatusReport,
    StatusUpdate,
    Target,
)

from ..base import grow_programme, open_round_2018_3

pytestmark = pytest.mark.django_db

OVERVIEW = "/oversigt/"


def text(response) -> str:
    """The page as a reader sees it: tags and chart data removed, spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def eksportpilot() -> Target:
    return Target.objects.get(sub_initiative__name="Eksportpilot", level="aktivitet")


def later_round(value: int = 30, *, approved: bool = True) -> ReportingRound:
    """Round 2018-3 with a new Eksportpilot figure (approved, or only submitted)."""
    programme = Programme.objects.get(slug="jobvaekstpakken")
    round_ = open_round_2018_3(programme)
    StatusReport.objects.create(
        initiative=Initiative.objects.get(slug="industri-og-byggeri"),
        round=round_,
        state="godkendt" if approved else "indsendt",
        budget_spent=125000,
    )
    StatusUpdate.objects.create(target=eksportpilot(), round=round_, value=value)
    call_command("recompute", "--all", verbosity=0)
    return round_


def test_the_overview_shows_the_mid_term_figures_per_level_category_and_score(client, users):
    client.force_login(users.baggrundsgruppe)
    page = text(client.get(OVERVIEW))
    assert "Status pr. runde 2018-2 (mar.–apr. 2018)" in page
    # Capped means with their counts and what they rest on (DOMAIN: 1,25 + 100 + 100
    # (vurderet) + 50 over 4); the figures the report only stated stand beside them.
    assert "Aktivitet 62,8 % (4 af 11 mål med tal: 3 beregnede, 1 vurderet)" in page
    assert (
        "Angivet i rapporten for 6 mål uden tal i gennemsnittet: "
        "50–70 % (skøn) · 0 % · 100 % · 0 % · 0 % · 100 %"
    ) in page
    assert "Output 100 % (1 af 7 mål med tal: 1 beregnet)" in page
    assert "Effekt 0 % (1 af 9 mål med tal: 1 beregnet)" in page
    # The congress effects' stated 0; "Ikke målbart p.t." is a status, not a stated figure.
    assert (
        "Effekt 0 % (1 af 9 mål med tal: 1 beregnet) Angivet i rapporten for 3 mål uden tal "
        "i gennemsnittet: 0 % · 0 % · 0 %"
    ) in page
    for category, count in [
        ("Opnået", 6),
        ("På sporet", 1),
        ("Bagud", 0),
        ("Kritisk", 2),
        ("Delvist opnået", 1),
        ("Ikke opnået", 8),
        ("Ikke målbart", 3),
        ("Intet måltal", 1),
        ("Ingen status", 5),
    ]:
        assert f"{category}: {count}" in page
    # The 2018 assessment: the stated overall 3 is the headline; the one surviving score
    # (4) stands beneath it as a mean with its count, never as the score (issue 16).
    assert (
        "Implementering 3,0 angivet samlet score i vurderingen: tilfredsstillende med visse "
        "forbedringspotentialer gennemsnit af 1 af 6 parametre: 4,0"
    ) in page
    assert "5 af 5 rapporter godkendt" in page
    for name in ("Industri og byggeri", "Kongresturisme", "Detailhandel", "Småjobs"):
        assert name in page


def test_each_card_links_to_its_initiative_page_with_its_own_figures(client, users):
    client.force_login(users.baggrundsgruppe)
    response = client.get(OVERVIEW)
    html = response.content.decode()
    for slug in ("industri-og-byggeri", "kongresturisme", "detailhandel", "smajobs"):
        assert f'href="/initiativer/{slug}/"' in html
    page = text(response)
    card = page[page.index("1. Industri og byggeri") : page.index("2. Kongresturisme")]
    assert "Aktivitet 1,3 % (1 af 2 mål med tal: 1 beregnet)" in card  # Eksportpilot 3 of 240
    assert "Kritisk: 2" in card  # 3 placements of 60 due, and 0 of 21 new jobs
    assert "Udvikling: 0,6 % i 2018-2 (2 mål med tal)" in card


def svg(html: str, label_start: str) -> str:
    """The inline SVG chart whose accessible name starts with ``label_start``."""
    found = re.search(rf'<svg [^>]*aria-label="{label_start}.*?</svg>', html, re.S)
    assert found, label_start
    return found.group(0)


def test_the_overview_draws_its_charts_on_the_server_without_plotly(client, users):
    client.force_login(users.baggrundsgruppe)
    html = client.get(OVERVIEW).content.decode()
    assert "plotly" not in html and "charts.js" not in html and "cdn" not in html.lower()
    # 4 trend lines (Detailhandel has no figure yet), the radar, the two balance charts
    # and the activation comparison: each an image with a name, each with its table.
    assert html.count('<svg class="chart-svg') == html.count('role="img"') == 8
    assert html.count("Udviklingen som tabel") == 5
    radar = svg(html, "Radardiagram")
    assert "skalaen 1–5 for hver af de 6 parametre, én vurdering" in radar
    assert "Organisering og samarbejde" in " ".join(re.sub("<[^>]+>", " ", radar).split())
    # Only the one scored parameter (4) has a point; ikke scoret stays empty, not 0.
    assert radar.count("<circle") == 1 and "<polyline" not in radar
    assert "Scorerne som tabel" in html and "ikke scoret" in html
    orientation = svg(html, "Søjlediagram: antal mål fordelt efter orientering")
    assert "Vækstrettet 14 mål, Jobrettet 12 mål" in orientation
    # Danish numbers in the labels a reader sees.
    comparison = svg(html, "Søjlediagram: Virksomhedsvendt aktivering")
    assert "40,3 %" in comparison and "mindst 44 %" in comparison
    assert 'class="bar-hatch"' in comparison  # the bound, hatched


def test_a_later_round_is_the_default_and_the_mid_term_round_can_still_be_chosen(client, users):
    later_round(30)
    client.force_login(users.baggrundsgruppe)
    now = text(client.get(OVERVIEW))
    assert "Status pr. runde 2018-3" in now
    assert "Aktivitet 12,5 % (1 af 2 mål med tal: 1 beregnet)" in now  # 30 of 240
    then = text(client.get(OVERVIEW, {"runde": "2018-2"}))
    assert "Du ser tallene, som de stod i runde 2018-2" in then
    assert "Aktivitet 1,3 % (1 af 2 mål med tal: 1 beregnet)" in then
    assert "Aktivitet 62,8 % (4 af 11 mål med tal: 3 beregnede, 1 vurderet)" in then
    detail_then = text(client.get("/initiativer/industri-og-byggeri/", {"runde": "2018-2"}))
    assert "1,25 %" in detail_then and "12,5 %" not in detail_then
    detail_now = text(client.get("/initiativer/industri-og-byggeri/"))
    assert "12,5 %" in detail_now


def test_a_submitted_but_unapproved_figure_shows_as_pending(client, users):
    later_round(30, approved=False)
    client.force_login(users.baggrundsgruppe)
    page = text(client.get(OVERVIEW))
    assert "1 afventer godkendelse" in page
    assert "Aktivitet 1,3 % (1 af 2 mål med tal: 1 beregnet)" in page  # only approved count
    detail = text(client.get("/initiativer/industri-og-byggeri/"))
    assert "afventer godkendelse" in detail


def test_assessments_appear_from_their_round_and_overlay_in_the_radar(client, users):
    programme = Programme.objects.get(slug="jobvaekstpakken")
    later_round(30)
    review = Assessment.objects.create(
        programme=programme,
        date=dt.date(2018, 7, 1),
        title="Intern status 2018",
        assessor="BusinessAalborg",
        kind="intern",
    )
    for parameter in ImplementationParameter.objects.order_by("order"):
        ParameterScore.objects.create(assessment=review, parameter=parameter, score=3)
    call_command("recompute", "--all", verbosity=0)
    client.force_login(users.baggrundsgruppe)
    html = client.get(OVERVIEW).content.decode()
    radar = svg(html, "Radardiagram")
    assert "2 vurderinger; den seneste har den tykkeste streg" in radar
    legend = re.search(r'<ul class="chart-legend">(.*?)</ul>', html[html.index(radar) :], re.S)
    assert re.findall(r"</span> ([^<]+)</li>", legend.group(1)) == [
        "Midtvejsevaluering af Jobvækstpakken",
        "Intern status 2018",
    ]
    assert radar.count('class="radar-trace') == 2
    # No stated overall, all six scored: the mean is the headline, with its count.
    assert "Implementering 3,0 gennemsnit af 6 af 6 parametre" in text(client.get(OVERVIEW))
    old = text(client.get(OVERVIEW, {"runde": "2018-2"}))
    assert "Intern status 2018" not in old


def test_budget_and_split_are_shown_as_tables(client, users):
    later_round(30)
    InitiativeBudget.objects.create(
        initiative=Initiative.objects.get(slug="industri-og-byggeri"), year=2018, allocated=1000000
    )
    client.force_login(users.baggrundsgruppe)
    page = text(client.get(OVERVIEW))
    assert "Industri og byggeri 2018 1.000.000 125.000" in page
    assert "Orientering Vækstrettet 14" in page
    assert "Orientering Jobrettet 12" in page


def test_an_unknown_round_is_a_404_and_a_programme_without_rounds_says_so(client, users):
    client.force_login(users.admin)
    assert client.get(OVERVIEW + "jobvaekstpakken/", {"runde": "2031-9"}).status_code == 404
    empty = Programme.objects.create(
        slug="tom",
        name="Tomt program",
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2028, 12, 31),
    )
    page = text(client.get(f"/oversigt/{empty.slug}/"))
    assert "Ingen data endnu" in page
    # The admin follows two programmes: /oversigt/ asks which.
    assert "Vælg et program" in text(client.get(OVERVIEW))


def test_someone_without_a_role_is_refused_and_the_refusal_logged(client, users, caplog):
    client.force_login(users.outsider)
    assert client.get("/oversigt/jobvaekstpakken/").status_code == 403
    assert "access denied" in caplog.text
    assert "Du har endnu ikke adgang" in text(client.get(OVERVIEW))


# --- The targets table: filter, sort, export ------------------------------------------------

SMAJOBS = "/initiativer/smajobs/"


def table_rows(response) -> list[list[str]]:
    html = response.content.decode()
    body = re.search(
        r'<table class="data-table targets-table".*?<tbody[^>]*>(.*?)</tbody>', html, re.S
    )
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S):
        # What a screen reader reads: decorative icons (aria-hidden) left out.
        tr = re.sub(r'<span aria-hidden="true"[^>]*>.*?</span>', "", tr, flags=re.S)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        rows.append([re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in cells])
    return rows


def test_the_targets_table_filters_by_category_and_level(client, users):
    client.force_login(users.baggrundsgruppe)
    assert len(table_rows(client.get(SMAJOBS))) == 5
    achieved = table_rows(client.get(SMAJOBS, {"kategori": "Opnået"}))
    assert [(r[1], r[7]) for r in achieved] == [
        ("Antal jobcentermedarbejdere, der deltager i kompetenceudvikling", "Opnået"),
        ("Antal nye småjobs (Jobcenter Aalborg + Business Aalborg)", "Opnået (angivet)"),
        ("Antal jobcentermedarbejdere, der har opnået nye kompetencer", "Opnået"),
    ]
    outputs = table_rows(client.get(SMAJOBS, {"niveau": "output", "kategori": "Ingen status"}))
    assert len(outputs) == 1 and all(r[0] == "Output" for r in outputs)
    assert "Viser 1 af 5 mål" in text(
        client.get(SMAJOBS, {"niveau": "output", "kategori": "Ingen status"})
    )
    none = client.get(SMAJOBS, {"kategori": "Kritisk"})
    assert "Ingen mål matcher." in text(none)


def test_the_targets_table_sorts_by_attainment_and_level(client, users):
    client.force_login(users.baggrundsgruppe)
    by_attainment = table_rows(client.get(SMAJOBS, {"sort": "-attainment"}))
    assert by_attainment[0][6].startswith("375 %")
    assert by_attainment[-1][6] == "Ikke målbart" or by_attainment[-1][6] == "–"
    by_level = table_rows(client.get(SMAJOBS, {"sort": "-level"}))
    assert [r[0] for r in by_level] == ["Effekt", "Output", "Output", "Output", "Aktivitet"]


def test_the_xlsx_and_csv_exports_match_the_table(client, users):
    client.force_login(users.baggrundsgruppe)
    shown = table_rows(client.get(SMAJOBS, {"kategori": "Opnået"}))
    response = client.get(SMAJOBS, {"kategori": "Opnået", "_export": "xlsx"})
    assert response.status_code == 200
    assert "smajobs-maal-2018-2.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [
        [("" if c is None else str(c)) for c in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert rows[0][:3] == ["Niveau", "Mål", "Delinitiativ"]
    assert [[re.sub(r"\s+", " ", c).strip() for c in r] for r in rows[1:]] == shown
    as_csv = client.get(SMAJOBS, {"kategori": "Opnået", "_export": "csv"})
    lines = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert lines[1][6:8] == ["375 % (over mål)", "Opnået"]


# --- Query counts --------------------------------------------------------------------------


def _grow(factor: int) -> None:
    """Ten times the reference data: more rounds, targets, statuses, reports, assessments,
    and indicators with observations for more areas (the "Formål og kontekst" band)."""
    programme = Programme.objects.get(slug="jobvaekstpakken")
    rounds = grow_programme(programme, factor)
    home = Area.objects.get(name="Aalborg Kommune")
    areas = [home, Area.objects.get(name="Hele landet")] + [
        Area.objects.create(name=f"Ekstra kommune {i}", kind="kommune", order=10 + i)
        for i in range(factor // 24)
    ]
    for i in range(factor // 24):
        indicator = Indicator.objects.create(
            programme=programme,
            slug=f"ekstra-indikator-{i}",
            name=f"Ekstra indikator {i}",
            purpose=("vaekst", "job", "")[i % 3],
            unit="%",
            home_area=home,
            target_value=50,
            source_name="Jobindsats",
            order=10 + i,
        )
        for area in areas:
            for n, r in enumerate(rounds):
                IndicatorObservation.objects.create(
                    indicator=indicator,
                    area=area,
                    period_label=f"{r.period_label} ({n})",
                    period_start=r.period_start,
                    period_end=r.period_end,
                    value=20 + n + area.order % 7,
                )
    call_command("recompute", "--all", verbosity=0)


@pytest.mark.slow
def test_the_dashboards_run_the_same_queries_on_ten_times_the_data(
    client, users, django_assert_num_queries, settings
):
    # The session is rewritten at most once a minute (SESSION_REFRESH_SECONDS); growing the
    # data can take longer than that, and the refresh is not the page's doing.
    settings.SESSION_REFRESH_SECONDS = 3600
    client.force_login(users.baggrundsgruppe)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    urls = [OVERVIEW, SMAJOBS, "/initiativer/kongresturisme/?kategori=Opnået"]
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as before:
            assert client.get(url).status_code == 200
        counts[url] = len(before)
        assert counts[url] <= 15, url
    _grow(240)  # the reference data has 27 targets; ten times as many rounds too
    for url in urls:
        with django_assert_num_queries(counts[url]):
            page = text(client.get(url))
        assert "2019-6" in page, url  # the grown data is what the page shows
    overview = text(client.get(OVERVIEW))
    assert "Ekstra indikator 9" in overview and "Ekstra kommune 9" in overview


def test_a_card_average_on_one_assessed_target_says_so_beside_the_stated_figures(client, users):
    # Kongresturisme's activities: the cooperation is assessed (100), while the report
    # states 0 for the bids and 100 for the fora. The 100 % must not stand alone.
    client.force_login(users.baggrundsgruppe)
    page = text(client.get(OVERVIEW))
    card = page[page.index("2. Kongresturisme") : page.index("3. Detailhandel")]
    assert "Aktivitet 100 % (1 af 3 mål med tal: 1 vurderet) hviler på ét vurderet mål" in card
    assert "Angivet i rapporten for 2 mål uden tal i gennemsnittet: 0 % · 100 %" in card
    assert "Ikke opnået: 5" in card  # bids and the four rows "ikke at være stigning"


def test_the_vaekst_job_split_says_what_each_average_rests_on(client, users):
    client.force_login(users.baggrundsgruppe)
    page = text(client.get(OVERVIEW))
    # Eksportpilot 1,25 and 0, Småjobs' two 375 (capped at 100), and the assessed
    # cooperation with the Jobcenter (100): (1,25 + 0 + 100 + 100 + 100) / 5.
    assert "Jobrettet 12 60,3 % (5 af 12 mål med tal: 4 beregnede, 1 vurderet)" in page
    assert "Vækstrettet 14 50 % (1 af 14 mål med tal: 1 beregnet)" in page  # the fund
