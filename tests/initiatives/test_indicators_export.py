"""The indicators in the programme's XLSX export (issue 10): one line per observation with
its qualifier in words, the gap per indicator, formula-safe cells, a fixed query count.

Read back with openpyxl, as a user's spreadsheet would open it.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from evaluations.exporting import GAP_COLUMNS, INDICATOR_COLUMNS, programme_workbook
from initiatives.models import Area, Indicator, IndicatorObservation

pytestmark = pytest.mark.django_db

# Targets and their phases, approved statuses, attainment, scores; the indicators (2).
EXPORT_QUERIES = 7


def sheet_rows(workbook, name: str) -> list[dict]:
    rows = list(workbook[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def exported(programme):
    return load_workbook(io.BytesIO(programme_workbook(programme)))


def test_the_export_has_one_line_per_observation_with_the_qualifiers(reference):
    workbook = exported(reference)
    assert workbook.sheetnames[-2:] == ["Indikatorer", "Indikatorer – afstand"]
    assert [c.value for c in workbook["Indikatorer"][1]] == INDICATOR_COLUMNS
    rows = sheet_rows(workbook, "Indikatorer")
    assert len(rows) == IndicatorObservation.objects.count() == 6
    assert [(r["område"], r["periode"], r["forbehold"], r["værdi"]) for r in rows] == [
        ("Aalborg Kommune", "ved iværksættelsen af Jobvækstpakken", "ca.", 35),
        ("Aalborg Kommune", "på tidspunktet for midtvejsevalueringen", "eksakt", 80),
        ("Aalborg Kommune", "midtvejsevalueringen, maj 2018", None, None),
        ("Aalborg Kommune", "september 2014", "eksakt", 40.3),
        ("København, Aarhus og Odense", "september 2014", "mindst", 44),
        ("Hele landet", "september 2014", "eksakt", 45.5),
    ]
    first = rows[0]
    assert first["indikator"] == "Andel af nye job, der besættes af borgere fra Aalborg Kommune"
    assert (first["formål"], first["enhed"], first["områdetype"]) == ("Jobrettet", "%", "kommune")
    assert first["kildens_ordlyd"] == "ca. 35%"
    assert first["kildenote"].startswith("COWI 2018, kap. 1")
    assert first["kilde"].startswith("COWI: Jobvækstpakken – midtvejsevaluering")
    assert first["udgiver"] == "COWI for Aalborg Kommune"
    assert first["periode_start"] is None  # the report names moments, not dates
    unemployment = rows[2]
    assert unemployment["formål"] == "Vækstrettet"
    assert unemployment["afstand_angivet"] == "ca. 1,5 procentpoint over landsgennemsnittet"
    group = rows[4]
    assert (group["områdetype"], group["periode_start"], group["periode_slut"]) == (
        "gruppe",
        dt.datetime(2014, 9, 1),
        dt.datetime(2014, 9, 30),
    )
    assert workbook["Indikatorer"]["J5"].data_type == "n"  # a number, never text


def test_the_gap_sheet_has_one_line_per_indicator_computed_or_stated(reference):
    workbook = exported(reference)
    assert [c.value for c in workbook["Indikatorer – afstand"][1]] == GAP_COLUMNS
    gaps = {r["indikator"]: r for r in sheet_rows(workbook, "Indikatorer – afstand")}
    assert len(gaps) == 3
    activation = gaps["Virksomhedsvendt aktivering som andel af den samlede aktivering"]
    assert activation["afstand"] == -5.2
    assert activation["afstand_tekst"] == "5,2 procentpoint under landsgennemsnittet"
    assert activation["formel"] == "40,3 % − 45,5 % = −5,2 procentpoint"
    assert (activation["beregnet"], activation["gunstig"], activation["periode"]) == (
        "ja",
        "nej",
        "september 2014",
    )
    unemployment = gaps["Ledighed i forhold til landsgennemsnittet"]
    assert unemployment["afstand"] is None
    assert unemployment["afstand_tekst"] == "ca. 1,5 procentpoint over landsgennemsnittet"
    assert unemployment["beregnet"] == "nej"
    jobs = gaps["Andel af nye job, der besættes af borgere fra Aalborg Kommune"]
    assert jobs["afstand_tekst"] == "ingen sammenligning med hele landet"


def test_formula_like_indicator_text_is_written_as_text(reference):
    indicator = Indicator.objects.get(slug="ledighed")
    indicator.name = '=HYPERLINK("http://evil.example","klik")'
    indicator.save()
    observation = indicator.observations.get()
    observation.stated_gap = "+1,5 procentpoint"
    observation.save()
    workbook = exported(reference)
    rows = sheet_rows(workbook, "Indikatorer")
    assert '\'=HYPERLINK("http://evil.example","klik")' in [r["indikator"] for r in rows]
    assert "'+1,5 procentpoint" in [r["afstand_angivet"] for r in rows]
    cell = next(c for c in workbook["Indikatorer"]["A"] if str(c.value).startswith("'="))
    assert cell.data_type == "s"


def test_the_export_costs_the_same_queries_with_ten_times_the_indicators(reference):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            programme_workbook(reference)
        return len(captured)

    assert count() == EXPORT_QUERIES
    areas = list(Area.objects.order_by("order"))
    for i in range(27):
        indicator = Indicator.objects.create(
            programme=reference,
            slug=f"ekstra-{i}",
            name=f"Ekstra indikator {i}",
            unit="%",
            home_area=areas[0],
            source_name="Opdigtet til testen",
            order=10 + i,
        )
        IndicatorObservation.objects.bulk_create(
            IndicatorObservation(
                indicator=indicator,
                area=area,
                period_label=str(year),
                period_start=dt.date(year, 1, 1),
                period_end=dt.date(year, 12, 31),
                value=40 + n,
            )
            for n, area in enumerate(areas)
            for year in range(2015, 2021)
        )
    assert count() == EXPORT_QUERIES
    workbook = exported(reference)
    assert len(sheet_rows(workbook, "Indikatorer")) == 6 + 27 * 18
    assert len(sheet_rows(workbook, "Indikatorer – afstand")) == 30
