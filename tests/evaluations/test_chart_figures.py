"""The charts show the figures their tables show, in Danish numbers.

The overview's charts are SVG drawn on the server; the initiative page's target charts
are plotly figures (``json_script``) drawn in the browser. Either way, what a reader
sees in a chart, or hears as its name, must be what the table beside it says.
"""

from __future__ import annotations

import json
import re

import pytest

from initiatives.models import Initiative, InitiativeBudget
from jobvaekst.numbers import format_number

pytestmark = pytest.mark.django_db


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def chart(html: str, name_start: str) -> str:
    """The SVG chart whose accessible name starts with ``name_start``."""
    found = re.search(rf'<svg [^>]*aria-label="{re.escape(name_start)}.*?</svg>', html, re.S)
    assert found, name_start
    return found.group(0)


def bars(svg: str) -> list[tuple[str, list[str]]]:
    """Each bar label with the figures written at its bars' ends."""
    rows: list[tuple[str, list[str]]] = []
    for kind, text in re.findall(r'<text class="(bar-label|bar-value)"[^>]*>([^<]*)</text>', svg):
        if kind == "bar-label":
            rows.append((text, []))
        else:
            rows[-1][1].append(text)
    return rows


def table_rows(html: str) -> list[list[str]]:
    return [
        [words(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)
    ]


def test_the_charts_show_the_figures_of_their_tables(client, users):
    InitiativeBudget.objects.create(
        initiative=Initiative.objects.get(slug="industri-og-byggeri"), year=2018, allocated=1000000
    )
    client.force_login(users.baggrundsgruppe)
    html = client.get("/oversigt/").content.decode()
    rows = table_rows(html)

    # The balance: each bar's count is the table's.
    split = {(r[0], r[1]): r[2] for r in rows if len(r) == 4 and r[0] in ("Orientering", "Sigt")}
    for dimension in ("Orientering", "Sigt"):
        shown = bars(chart(html, f"Søjlediagram: antal mål fordelt efter {dimension.lower()}"))
        assert shown == [(g, [f"{n} mål"]) for (d, g), n in split.items() if d == dimension]
    assert ("Vækstrettet", ["14 mål"]) in bars(chart(html, "Søjlediagram: antal mål"))

    # Budget: allocated as the table gives it; no spending reported is a dash there too.
    budget = bars(chart(html, "Søjlediagram: bevilget og forbrugt"))
    assert budget == [("Industri og byggeri 2018", ["1.000.000 kr.", "–"])]
    assert ["Industri og byggeri", "2018", "1.000.000", "–"] in rows

    # The comparison of areas: the bars' figures are the table's for the period.
    comparison = chart(html, "Søjlediagram: Virksomhedsvendt aktivering")
    assert bars(comparison) == [
        ("Aalborg Kommune", ["40,3 %"]),
        ("København, Aarhus og Odense", ["mindst 44 %"]),
        ("Hele landet", ["45,5 %"]),
    ]
    assert ["september 2014", "40,3 %", "mindst 44 %", "45,5 %"] in rows

    # A trend line's name gives the figure its table's row gives.
    trend = chart(html, "Linjediagram: gennemsnitlig målopnåelse pr. runde for Industri")
    assert "0,6 % i 2018-2 (2 mål med tal)" in trend
    assert ["2018-2", "0,6 %", "2"] in rows

    # The initiative page: each target chart's actual figures are its table's, round by
    # round, and the table reads as it always has.
    page = client.get("/initiativer/smajobs/").content.decode()
    targets = re.findall(r'<details class="explain" id="mal-\d+">.*?</details>', page, re.S)
    assert len(targets) == 5
    drawn = 0
    for target in targets:
        figure = re.search(r'id="target-chart-\d+" type="application/json">(.*?)</script', target)
        traces = json.loads(figure.group(1))["data"] if figure else []
        actual = next((t for t in traces if t.get("name") == "Faktisk"), None)
        if actual is not None:
            body = re.search(r"Tallene pr. runde.*?<tbody>(.*?)</tbody>", target, re.S).group(1)
            assert [format_number(v) for v in actual["y"]] == [r[1] for r in table_rows(body)]
            drawn += 1
    assert drawn == 2  # the two staff targets
    assert ["2018-2", "60", "5,3", "375 % (over mål)", "+100 %", "Opnået"] in table_rows(page)
    assert ["2018-2", "–", "–", "–", "Ikke målbart p.t.", "Ikke målbart"] in table_rows(page)
