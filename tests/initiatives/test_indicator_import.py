"""Importing an indicator's observations from CSV: all or nothing, Danish row errors.

Files are shaped as Jobindsats and Danmarks Statistik (Statistikbanken) export them:
semicolons, decimal commas, a BOM or Windows-1252, title lines and notes. Every bad file
leaves the database exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from evaluations.indicators import programme_indicators
from initiatives import indicator_import
from initiatives.importing import ImportError_
from initiatives.models import Area, Indicator, IndicatorObservation, Programme

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parent.parent.parent / "fixtures" / "import"
EXAMPLE_CSV = EXAMPLE / "indikator-eksempel.csv"


@pytest.fixture
def indicator() -> Indicator:
    programme = Programme.objects.create(
        slug="p", name="P", start_date=dt.date(2017, 1, 1), end_date=dt.date(2020, 12, 31)
    )
    # The reference data's three areas (loaded for the session), shared by every indicator.
    home = Area.objects.get(name="Aalborg Kommune", kind="kommune")
    Area.objects.get(name="København, Aarhus og Odense", kind="gruppe")
    Area.objects.get(name="Hele landet", kind="hele_landet")
    return Indicator.objects.create(
        programme=programme,
        slug="andel",
        name="Andel",
        unit="%",
        home_area=home,
        source_name="Opdigtet",
    )


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def problems_of(content: bytes, indicator: Indicator, **kwargs) -> list[str]:
    with pytest.raises(ImportError_) as caught:
        indicator_import.parse("fil.csv", content, indicator=indicator, **kwargs)
    return [str(p) for p in caught.value.problems]


def run_command(path: Path, *args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command(
        "import_indicator",
        str(path),
        "--indikator",
        "andel",
        "--program",
        "p",
        *args,
        stdout=out,
        stderr=StringIO(),
    )
    return out.getvalue()


# --- Well-formed files -----------------------------------------------------------------------


def test_the_example_file_imports_and_gives_the_gap(indicator):
    out = run_command(EXAMPLE_CSV, "--udtrukket", "01.12.2026")
    assert "4 nye og 0 opdaterede observationer" in out
    assert "2 rækker uden tal" in out  # Statistikbanken's ".." is "not given", not an error
    obs = IndicatorObservation.objects.get(
        indicator=indicator, area__name="Aalborg Kommune", period_label="januar 2018"
    )
    assert obs.value == Decimal("41.2")
    assert (obs.period_start, obs.period_end) == (dt.date(2018, 1, 1), dt.date(2018, 1, 31))
    assert obs.source_note == "Importeret fra indikator-eksempel.csv"
    indicator.refresh_from_db()
    assert indicator.extracted_on == dt.date(2026, 12, 1)
    (row,) = programme_indicators(indicator.programme)
    assert row.gap.text == "3,3 procentpoint under landsgennemsnittet"  # 42,0 − 45,3
    assert row.change_text == "fra 41,2 % til 42 %"


def test_importing_again_updates_instead_of_duplicating(indicator):
    run_command(EXAMPLE_CSV)
    out = run_command(EXAMPLE_CSV)
    assert "0 nye og 4 opdaterede observationer" in out
    assert IndicatorObservation.objects.filter(indicator=indicator).count() == 4


def test_a_statistikbanken_file_in_windows_1252(indicator):
    content = csv_bytes(
        "OMRÅDE;TID;INDHOLD",
        "Aalborg;2018K1;5,9",
        "København, Aarhus og Odense;2018K1;..",
        "Hele landet;2018K1;4,4",
        encoding="cp1252",
    )
    layout = indicator_import.LAYOUTS["dst"]
    data = indicator_import.parse("dst.csv", content, indicator=indicator, layout=layout)
    assert [(r.area, r.period_label, r.value) for r in data.rows] == [
        ("Aalborg Kommune", "1. kvartal 2018", Decimal("5.9")),
        ("Hele landet", "1. kvartal 2018", Decimal("4.4")),
    ]
    assert data.rows[0].period_end == dt.date(2018, 3, 31)


def test_a_jobindsats_file_with_title_lines_a_bom_and_quotes(indicator):
    content = "\ufeff" + "\r\n".join(
        [
            '"Virksomhedsvendt aktivering"',
            '"Andel af fuldtidspersoner i aktivering"',
            "",
            '"Område";"Periode";"Andel i virksomhedsvendt aktivering (pct.)"',
            '"Aalborg";"2014M09";"40,3"',
            '"Hele landet";"2014M09";"45,5 %"',
            '"Kilde: Jobindsats.dk"',
        ]
    )
    layout = indicator_import.LAYOUTS["jobindsats"]
    data = indicator_import.parse("ji.csv", content.encode(), indicator=indicator, layout=layout)
    assert [(r.area, r.period_label, r.value) for r in data.rows] == [
        ("Aalborg Kommune", "september 2014", Decimal("40.3")),
        ("Hele landet", "september 2014", Decimal("45.5")),
    ]
    assert data.columns[2] == "Andel i virksomhedsvendt aktivering (pct.)"


def test_a_free_layout_is_mapped_by_the_caller(indicator, tmp_path):
    path = tmp_path / "egen.csv"
    path.write_bytes(
        csv_bytes("Nr;Måned;Kommunenavn;Andel;Note", "1;marts 2019;Aalborg Kommune;38,5;x")
    )
    run_command(
        path,
        "--omraade-kolonne",
        "Kommunenavn",
        "--periode-kolonne",
        "Måned",
        "--vaerdi-kolonne",
        "andel",
    )
    obs = IndicatorObservation.objects.get(indicator=indicator)
    assert (obs.period_label, obs.value) == ("marts 2019", Decimal("38.5"))


def test_new_areas_only_when_asked(indicator, tmp_path):
    path = tmp_path / "ny.csv"
    path.write_bytes(csv_bytes("Område;Periode;Værdi", "Viborg;2018;3", "viborg;2019;4"))
    with pytest.raises(CommandError):
        run_command(path)
    assert not Area.objects.filter(name__iexact="Viborg").exists()
    out = run_command(path, "--nye-omraader")
    assert "nye områder: Viborg" in out
    assert Area.objects.get(name="Viborg").kind == "kommune"
    assert IndicatorObservation.objects.filter(area__name="Viborg").count() == 2


def test_a_dry_run_checks_and_writes_nothing(indicator):
    out = run_command(EXAMPLE_CSV, "--dry-run")
    assert "Filen er i orden (intet importeret): 4 observationer" in out
    assert IndicatorObservation.objects.filter(indicator=indicator).count() == 0


@pytest.mark.parametrize(
    ("text", "label", "start", "end"),
    [
        ("2018", "2018", dt.date(2018, 1, 1), dt.date(2018, 12, 31)),
        ("2018K4", "4. kvartal 2018", dt.date(2018, 10, 1), dt.date(2018, 12, 31)),
        ("2018Q2", "2. kvartal 2018", dt.date(2018, 4, 1), dt.date(2018, 6, 30)),
        ("2018 3. kvt.", "3. kvartal 2018", dt.date(2018, 7, 1), dt.date(2018, 9, 30)),
        ("2016M02", "februar 2016", dt.date(2016, 2, 1), dt.date(2016, 2, 29)),
        ("2014-09", "september 2014", dt.date(2014, 9, 1), dt.date(2014, 9, 30)),
        ("09-2014", "september 2014", dt.date(2014, 9, 1), dt.date(2014, 9, 30)),
        ("Sep. 2014", "september 2014", dt.date(2014, 9, 1), dt.date(2014, 9, 30)),
    ],
)
def test_the_portals_periods_get_one_danish_label(text, label, start, end):
    assert indicator_import.parse_period(text) == (label, start, end)


@pytest.mark.parametrize("text", ["2018K5", "2018M13", "ma 2018", "18", "i går"])
def test_what_is_not_a_period(text):
    with pytest.raises(ValueError):
        indicator_import.parse_period(text)


# --- Malformed files: each imports nothing and says why, in Danish ------------------------------

HEADER = "Område;Periode;Værdi"
GOOD = "Aalborg;2018;40,3"

MALFORMED = {
    "empty file": (b"", [], "fil.csv: Filen er tom."),
    "only a header": (csv_bytes(HEADER), [], "Filen har ingen rækker med tal."),
    "missing period column": (
        csv_bytes("Område;Værdi", "Aalborg;40,3"),
        [],
        "Fandt ingen overskriftsrække med kolonnerne",
    ),
    "missing value column": (
        csv_bytes("Område;Periode;Tal", GOOD),
        [],
        "række 1: Kolonnen med værdien mangler",
    ),
    "two value columns, none chosen": (
        csv_bytes("Område;Periode;Antal;Andel", "Aalborg;2018;3;40,3"),
        ["--format", "jobindsats"],
        "Filen har 2 værdikolonner (Antal, Andel); angiv hvilken der skal importeres.",
    ),
    "a column twice": (
        csv_bytes("Område;Periode;Værdi;Værdi", "Aalborg;2018;40,3;41"),
        [],
        "række 1, kolonne »Værdi«: Kolonnen står to gange.",
    ),
    "not a number": (
        csv_bytes(HEADER, GOOD, "Aalborg;2019;abc"),
        [],
        "fil.csv, række 3, kolonne »Værdi«: Værdien »abc« er ikke et tal. "
        "Skriv fx 40,3 eller 1.234,5.",
    ),
    "percentage above 100": (
        csv_bytes(HEADER, "Aalborg;2018;140"),
        [],
        "række 2, kolonne »Værdi«: En andel i procent skal ligge mellem 0 og 100 (her 140).",
    ),
    "too many decimals": (
        csv_bytes(HEADER, "Aalborg;2018;40,123456"),
        [],
        "har flere end 4 decimaler",
    ),
    "unknown area": (
        csv_bytes(HEADER, GOOD, "Aalborgg;2019;40"),
        [],
        "række 3, kolonne »Område«: Området »Aalborgg« findes ikke.",
    ),
    "empty area": (csv_bytes(HEADER, ";2018;40"), [], "række 2, kolonne »Område«: Området skal"),
    "unreadable period": (
        csv_bytes(HEADER, "Aalborg;2018K5;40"),
        [],
        "række 2, kolonne »Periode«: Perioden »2018K5« kan ikke læses.",
    ),
    "duplicate row": (
        csv_bytes(HEADER, GOOD, "Hele landet;2018;45", "Aalborg Kommune;2018;41"),
        [],
        "række 4, kolonne »Periode«: Området »Aalborg Kommune« og perioden »2018« står "
        "også i række 2.",
    ),
    "UTF-16 (Excel's Unicode text)": (
        csv_bytes(HEADER, GOOD, encoding="utf-16"),
        [],
        "Filen er ikke en tekstfil i UTF-8 eller Latin-1",
    ),
    "Latin-1 read as UTF-8": (
        csv_bytes(HEADER, "København, Aarhus og Odense;2018;44", encoding="cp1252"),
        ["--tegnsaet", "utf-8"],
        "Filen kan ikke læses som UTF-8 (tegn nr. 4).",
    ),
    "UTF-8 read as Latin-1": (
        csv_bytes(HEADER, "København, Aarhus og Odense;2018;44"),
        ["--tegnsaet", "latin-1"],
        "Filen ser ud til at være i UTF-8, ikke Latin-1.",
    ),
    "neither UTF-8 nor Windows-1252": (
        csv_bytes(HEADER, GOOD) + b"\x81\x8d",
        [],
        "Filen kan ikke læses som UTF-8 eller Latin-1 (Windows-1252)",
    ),
    "an Excel file": (b"PK\x03\x04rest", [], "Filen er en Excel-fil. Gem den som CSV"),
}


def layout_of(args: list[str]) -> indicator_import.Layout:
    """The layout the command builds from its options."""
    options = dict(zip(args[::2], args[1::2], strict=True))
    layout = indicator_import.LAYOUTS[options.get("--format", "standard")]
    return layout.mapped(encoding=options.get("--tegnsaet", ""))


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_a_malformed_file_imports_nothing_and_says_why(indicator, tmp_path, case):
    content, args, message = MALFORMED[case]
    problems = problems_of(content, indicator, layout=layout_of(args))
    assert any(message in p for p in problems), problems
    # The same file through the command: an error, and nothing at all written.
    path = tmp_path / "fil.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="Intet er importeret"):
        run_command(path, *args)
    assert IndicatorObservation.objects.filter(indicator=indicator).count() == 0
    assert Area.objects.count() == 3


def test_one_bad_row_among_good_ones_imports_none_and_lists_every_problem(indicator, tmp_path):
    content = csv_bytes(HEADER, GOOD, "Hele landet;2018;45,5", "Aalborg;2019;4x", "Odense;2019;1")
    problems = problems_of(content, indicator)
    assert [p.split(":")[0] for p in problems] == [
        "fil.csv, række 4, kolonne »Værdi«",
        "fil.csv, række 5, kolonne »Område«",
    ]
    path = tmp_path / "fil.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="2 fejl"):
        run_command(path)
    assert IndicatorObservation.objects.filter(indicator=indicator).count() == 0


def test_a_file_above_the_size_limit_is_refused_before_reading(indicator, settings):
    settings.IMPORT_MAX_BYTES = 100
    problems = problems_of(csv_bytes(HEADER, *[GOOD] * 20), indicator)
    assert len(problems) == 1 and problems[0].startswith("fil.csv: Filen er for stor")
