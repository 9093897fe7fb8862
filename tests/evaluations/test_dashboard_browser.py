"""Issue 5's acceptance in real Chromium, as a Baggrundsgruppe member.

- the overview and every initiative page render with their charts drawn, with no
  console error (a CSP refusal would show there) and no serious axe violation; the
  overview's charts are SVG from the server and load no plotly;
- sorting and filtering the targets table work from the page;
- the XLSX download opens with openpyxl and matches the table on the page;
- choosing round 2018-2 after a later round shows the mid-term figures.
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from initiatives.models import (
    Initiative,
    StatusReport,
    StatusUpdate,
    Target,
)

from ..base import PASSWORD, load_reference, make_users, open_round_2018_3
from ..initiatives.test_pages_browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUGS = ["industri-og-byggeri", "kongresturisme", "detailhandel", "smajobs", "ivaerksaetteri"]


@pytest.fixture
def people(transactional_db):
    programme = load_reference()
    users = make_users(programme)
    # A later round with a new Eksportpilot figure: 30 placements (12,5 %), approved.
    round_ = open_round_2018_3(programme)
    StatusReport.objects.create(
        initiative=Initiative.objects.get(slug="industri-og-byggeri"),
        round=round_,
        state="godkendt",
    )
    StatusUpdate.objects.create(
        target=Target.objects.get(sub_initiative__name="Eksportpilot", level="aktivitet"),
        round=round_,
        value=30,
    )
    call_command("recompute", "--all", verbosity=0)
    return users


@pytest.fixture
def errors(page):
    """Console errors and uncaught exceptions on the page (CSP refusals log as errors)."""
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: found.append(str(e)))
    return found


def log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Brugernavn").fill("bente")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"{live_server.url}/opgaver/")  # everyone lands on Mine opgaver
    page.goto(f"{live_server.url}/oversigt/")


def charts_drawn(page) -> tuple[int, int]:
    """(charts drawn, charts that should be: those not inside a closed <details>)."""
    page.wait_for_load_state("load")
    expected = page.evaluate(
        "[...document.querySelectorAll('[data-chart]')]"
        ".filter(el => !el.closest('details:not([open])')).length"
    )
    if expected:
        page.wait_for_function(
            f"document.querySelectorAll('.chart-drawn').length >= {expected}", timeout=10000
        )
    drawn = page.evaluate(
        "[...document.querySelectorAll('.chart-drawn')]"
        ".filter(el => el.querySelector('svg.main-svg')).length"
    )
    return drawn, expected


def test_the_overview_and_every_initiative_page_draw_their_charts(
    page, live_server, people, errors
):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    log_in(page, live_server)
    assert page.get_by_role("heading", name="Oversigt: Jobvækstpakken").is_visible()
    # Drawn on the server: each an image with a Danish name, laid out with a size.
    charts = page.locator("figure.chart svg[role=img]")
    assert charts.count() >= 7  # 4 trend lines, the radar and the two balance charts at least
    for i in range(charts.count()):
        assert charts.nth(i).bounding_box()["height"] > 20
        assert charts.nth(i).get_attribute("aria-label").split(":")[0] in (
            "Linjediagram",
            "Radardiagram",
            "Søjlediagram",
        )
    assert page.get_by_role("img", name=re.compile("^Radardiagram: implementeringsscore"))
    assert page.evaluate("typeof Plotly") == "undefined"
    assert not [url for url in requested if "plotly" in url or "charts.js" in url]
    assert serious_violations(page) == []

    for slug in SLUGS:
        page.goto(f"{live_server.url}/initiativer/{slug}/")
        assert page.get_by_role("heading", name="Effektkæde").is_visible()
        # Details are one click away: opening a target draws its chart (if it has data).
        first = page.locator("details.explain").first
        first.locator("summary").click()
        drawn, expected = charts_drawn(page)
        assert drawn == expected
        if expected == 0:
            assert "Ingen data endnu." in first.inner_text()
        assert serious_violations(page) == [], slug
    assert errors == []


def test_sorting_and_filtering_the_targets_table(page, live_server, people):
    log_in(page, live_server)
    page.get_by_role("link", name="4. Småjobs").click()
    page.wait_for_url("**/initiativer/smajobs/")
    table = page.locator("table.targets-table tbody tr")
    assert table.count() == 5

    # Each click loads a new page: wait for it, or the rows read are the old page's (or,
    # mid-navigation, none).
    page.get_by_role("link", name="Beregnet målopnåelse").click()  # ascending
    page.wait_for_url("**sort=attainment*")
    page.get_by_role("link", name="Beregnet målopnåelse").click()  # descending
    page.wait_for_url("**sort=-attainment*")
    assert "375 % (over mål)" in table.first.inner_text()

    page.get_by_label("Kategori", exact=True).select_option("Opnået")
    page.get_by_role("button", name="Filtrér").click()
    page.wait_for_url("**kategori=*")
    # The two staff targets (375 %) and the JC + BA row the report states "+100 %" for.
    assert table.count() == 3
    assert "Viser 3 af 5 mål" in page.get_by_role("status").inner_text()
    assert all("Opnået" in row for row in table.all_inner_texts())
    assert sum("Opnået (angivet)" in row for row in table.all_inner_texts()) == 1


def test_the_xlsx_download_matches_the_table(page, live_server, people, tmp_path):
    log_in(page, live_server)
    page.goto(f"{live_server.url}/initiativer/industri-og-byggeri/?niveau=aktivitet")
    shown = [
        [cell.strip() for cell in row.split("\t")]
        for row in page.locator("table.targets-table tbody tr").all_inner_texts()
    ]
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (XLSX)").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "industri-og-byggeri-maal-2018-3.xlsx"
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    header = page.locator("table.targets-table thead th").all_inner_texts()
    assert [str(h) for h in rows[0]] == [h.strip() for h in header]
    exported = [[("" if c is None else " ".join(str(c).split())) for c in r] for r in rows[1:]]
    category = header.index("Kategori")
    for on_page, in_file in zip(shown, exported, strict=True):
        # The page puts a decorative symbol before the category (✔, ▼ …), the file not.
        assert on_page[category].endswith(in_file[category])
        on_page[category] = in_file[category]
        assert [" ".join(c.split()) for c in on_page] == in_file
    assert len(exported) == 2


def test_choosing_round_2018_2_shows_the_mid_term_figures(page, live_server, people):
    log_in(page, live_server)
    card = page.locator(".card").filter(has_text="Industri og byggeri")
    assert "12,5 %" in card.inner_text()  # round 2018-3, the newest
    page.get_by_label("Vis tallene pr. runde").select_option("2018-2")
    page.get_by_role("button", name="Vis", exact=True).click()
    page.wait_for_url("**runde=2018-2*")
    assert "som de stod i runde 2018-2" in page.get_by_role("note").inner_text()
    assert "1,3 %" in card.inner_text()  # COWI's 3 placements of 240
    key = page.locator(".key-figures")
    assert "62,8 %" in key.inner_text()
    # The initiative page follows the chosen round.
    card.get_by_role("link").first.click()
    page.wait_for_url("**/initiativer/**runde=2018-2*")  # the link keeps the round
    row = page.get_by_role("row").filter(has_text="Eksportpilot: antal placeringer")
    assert "1,25 %" in row.first.inner_text()
