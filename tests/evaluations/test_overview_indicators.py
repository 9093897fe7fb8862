"""The overview's "Formål og kontekst" band: the programme's indicators (issue 10).

The reference data is faithful to its sources: the share of new jobs going to Aalborg's
own citizens ("ca. 35 %" → 80 %), the unemployment gap COWI states only in words, and the
2014 share of company-directed activation against the country and the three big cities.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from initiatives.models import Area, Indicator, IndicatorObservation, Programme

from ..base import open_round_2018_3
from .test_dashboards import text

pytestmark = pytest.mark.django_db

OVERVIEW = "/oversigt/jobvaekstpakken/"
ACTIVATION = "virksomhedsvendt-aktivering"
INITIATIVES = "Indsatsområder 1. Industri og byggeri"  # the heading after the band


def band(response) -> str:
    """The band as a reader sees it (between its heading and the initiatives')."""
    page = text(response)
    return page[page.index("Formål og kontekst") : page.index(INITIATIVES)]


def card(html: str, slug: str) -> str:
    """One indicator's card, as HTML."""
    return re.search(
        rf'<li class="card indicator[^"]*" id="indikator-{slug}">(.*?)</li>', html, re.S
    )[1]


def card_text(response, slug: str) -> str:
    """One indicator's card as a reader sees it."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card(response.content.decode(), slug)))


def chart(html: str, slug: str) -> str:
    """An indicator's comparison chart: the SVG in its card."""
    found = re.search(r"<svg .*?</svg>", card(html, slug), re.S)
    assert found, f"no chart for {slug}"
    return found[0]


def test_the_band_shows_purpose_figures_change_gap_formula_and_source(client, users):
    client.force_login(users.baggrundsgruppe)
    response = client.get(OVERVIEW)
    shown = band(response)
    # The jobrettet goal: first and latest figure, the "ca." kept.
    assert "Jobrettet Andel af nye job, der besættes af borgere fra Aalborg Kommune" in shown
    assert "Seneste tal for Aalborg Kommune 80 % (på tidspunktet for midtvejsevalueringen)" in shown
    assert "Udvikling fra ca. 35 % til 80 %" in shown
    # The vækstrettet goal: a gap in the source's words, no figures, shown as text.
    assert "Vækstrettet Ledighed i forhold til landsgennemsnittet" in shown
    stated = "ca. 1,5 procentpoint over landsgennemsnittet (midtvejsevalueringen, maj 2018,"
    assert f"{stated} som kilden siger det)" in shown
    assert "Ikke beregnet: kilden angiver forskellen i ord" in shown
    # Context: the 2014 activation share against the country, computed, with its formula.
    assert "Kontekst Virksomhedsvendt aktivering som andel af den samlede aktivering" in shown
    assert "Seneste tal for Aalborg Kommune 40,3 % (september 2014)" in shown
    assert "5,2 procentpoint under landsgennemsnittet (september 2014)" in shown
    assert "Forskel til landsgennemsnittet 40,3 % − 45,5 % = −5,2 procentpoint" in shown
    disclosure = re.search(
        r'<details class="explain">\s*<summary>Sådan er tallet beregnet</summary>(.*?)</details>',
        card(response.content.decode(), ACTIVATION),
        re.S,
    )
    assert "40,3 % − 45,5 % = −5,2 procentpoint" in disclosure[1]  # under the disclosure
    assert "Kilde: Beskæftigelsesudvalget" in shown
    assert "Kilde: COWI: Jobvækstpakken – midtvejsevaluering, 15.05.2018" in shown
    # The band comes before the initiatives.
    page = text(response)
    assert page.index("Formål og kontekst") < page.index(INITIATIVES)


def test_the_comparison_chart_has_its_figures_as_a_table(client, users):
    client.force_login(users.baggrundsgruppe)
    html = client.get(OVERVIEW).content.decode()
    fig = chart(html, ACTIVATION)
    assert 'role="img" aria-label="Søjlediagram: Virksomhedsvendt aktivering' in fig
    labels = re.findall(r'<text class="bar-label"[^>]*>([^<]*)</text>', fig)
    assert labels == ["Aalborg Kommune", "København, Aarhus og Odense", "Hele landet"]
    values = re.findall(r'<text class="bar-value"[^>]*>([^<]*)</text>', fig)
    assert values == ["40,3 %", "mindst 44 %", "45,5 %"]  # the bound says so in words
    bars = re.findall(r'<rect class="bar (bar-[a-z]+)"', fig)
    assert bars == ["bar-home", "bar-other", "bar-national"]  # Aalborg stands out
    assert fig.count('class="bar-hatch"') == 1  # and the bound is hatched
    # The same figures as a table, beside the chart.
    own = card(html, ACTIVATION)
    table = re.search(r"<table.*?</table>", own, re.S)[0]
    headers = re.findall(r'<th scope="col">(.*?)</th>', table)
    assert headers == ["Periode", "Aalborg Kommune", "København, Aarhus og Odense", "Hele landet"]
    cells = re.findall(r"<td>(.*?)</td>", table)
    assert cells == ["40,3 %", "mindst 44 %", "45,5 %"]
    # One area compares nothing: no chart, the figures only as a table.
    assert "<svg" not in card(html, "nye-job-til-borgere-i-aalborg")
    assert "<td>ca. 35 %</td>" in card(html, "nye-job-til-borgere-i-aalborg")


def test_a_programme_without_indicators_has_no_band(client, users):
    client.force_login(users.baggrundsgruppe)
    assert "Formål og kontekst" in text(client.get(OVERVIEW))
    IndicatorObservation.objects.all().delete()
    Indicator.objects.all().delete()
    page = text(client.get(OVERVIEW))
    assert "Formål og kontekst" not in page
    assert "1. Industri og byggeri" in page  # the rest of the page is still there


def later_figure() -> None:
    """A 2018 activation share for Aalborg and the country: May 2018, in round 2018-3."""
    indicator = Indicator.objects.get(slug=ACTIVATION)
    for area, value in (("Aalborg Kommune", "47,1"), ("Hele landet", "46,0")):
        IndicatorObservation.objects.create(
            indicator=indicator,
            area=Area.objects.get(name=area),
            period_label="maj 2018",
            period_start=dt.date(2018, 5, 1),
            period_end=dt.date(2018, 5, 31),
            value=value.replace(",", "."),
        )


def test_a_past_round_hides_the_points_of_later_periods(client, users):
    open_round_2018_3(Programme.objects.get(slug="jobvaekstpakken"))
    later_figure()
    client.force_login(users.baggrundsgruppe)
    now = client.get(OVERVIEW)
    shown = band(now)
    assert "Seneste tal for Aalborg Kommune 47,1 % (maj 2018)" in shown
    assert "1,1 procentpoint over landsgennemsnittet (maj 2018)" in shown
    # Round 2018-2 ended 30.04.2018: the May figures were not there yet.
    then = client.get(OVERVIEW, {"runde": "2018-2"})
    shown = band(then)
    activation = card_text(then, ACTIVATION)
    assert "maj 2018" not in activation and "47,1" not in activation
    assert "Seneste tal for Aalborg Kommune 40,3 % (september 2014)" in shown
    assert "5,2 procentpoint under landsgennemsnittet (september 2014)" in shown
    assert "perioder, der sluttede senest 30.04.2018" in shown
    # Points without dates always count.
    assert "Udvikling fra ca. 35 % til 80 %" in shown
    assert "maj 2018" not in chart(then.content.decode(), ACTIVATION)
