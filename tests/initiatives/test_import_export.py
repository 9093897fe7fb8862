"""Programmes are data: import from XLSX/CSV (all or nothing), export, round trip.

Every bad input gets a Danish message naming sheet, row and column, and leaves the
database exactly as it was.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from evaluations.exporting import programme_workbook
from evaluations.models import AttainmentSnapshot
from initiatives import importing, services
from initiatives.models import Programme, StatusUpdate, Target

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent.parent / "fixtures" / "import"
TARGETS_CSV = FIXTURES / "testprogram-maal.csv"
STATUS_CSV = FIXTURES / "testprogram-status.csv"

HEADER = ";".join(importing.TARGET_REQUIRED)
GOOD_ROW = "Prg;Område;;aktivitet;Antal besøg;besøg;stigende;0;2024;100;;2026;;nej;job;kort"


def csv_file(*lines: str, name: str = "Mål.csv", encoding: str = "utf-8") -> tuple[str, bytes]:
    return name, ("\n".join(lines) + "\n").encode(encoding)


def problems_of(files) -> list[str]:
    with pytest.raises(importing.ImportError_) as caught:
        importing.parse(files)
    return [str(p) for p in caught.value.problems]


def snapshot_figures() -> dict:
    return {
        (s.target.initiative.name, s.target.title, s.round.code): (
            s.percent,
            s.percent_high,
            s.category,
            s.basis,
            s.expected_percent,
            s.flagged,
            s.flag_reason,
            s.forecast_text,
            s.stated_text,
            s.formula,
        )
        for s in AttainmentSnapshot.objects.select_related("target__initiative", "round")
    }


# --- The happy paths ------------------------------------------------------------------------


def test_the_invented_programme_imports_with_decreases_ranges_and_phases(
    client, users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the recompute after commit
        call_command("import_programme", str(TARGETS_CSV), str(STATUS_CSV))
    programme = Programme.objects.get(name="Testprogram Nord (opdigtet)")
    assert programme.initiatives.count() == 2
    unemployment = Target.objects.get(title="Ledigheden i kommunen falder")
    assert (unemployment.direction, unemployment.kind) == ("faldende", "procent")
    visits = Target.objects.get(title__startswith="Virksomheder, der får besøg")
    assert (visits.target_low, visits.target_high) == (50, 70)
    placements = Target.objects.get(title__startswith="Ledige, der kommer i job")
    assert [(p.year, p.value) for p in placements.phases.order_by("year")] == [
        (2025, 20),
        (2026, 40),
    ]
    days = StatusUpdate.objects.get(target__title="Kursusdage for ledige")
    assert str(days.value) == "1350.50"  # "1.350,5": Danish grouping and decimal comma
    # The figures were computed: (5,5 − 4,6) / (5,5 − 4) = 60 % for the decrease.
    snap = AttainmentSnapshot.objects.get(target=unemployment, round__year=2026, round__number=1)
    assert snap.percent == pytest.approx(60.0)
    assert snap.category == "På sporet"

    # End to end: the dashboard and the PDF of the new programme.
    client.force_login(users.admin)
    page = client.get(f"/oversigt/{programme.slug}/").content.decode()
    assert "Ledighed" in page and "Kompetencer" in page
    assert "60 %" in client.get("/initiativer/ledighed/").content.decode()
    pdf = client.get(f"/udskrift/{programme.slug}/program/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_dry_run_checks_and_imports_nothing(capsys):
    call_command("import_programme", str(TARGETS_CSV), str(STATUS_CSV), "--dry-run")
    assert "Filerne er i orden (intet importeret)" in capsys.readouterr().out
    assert not Programme.objects.filter(name__startswith="Testprogram").exists()


def test_importing_twice_updates_rather_than_duplicates():
    call_command("import_programme", str(TARGETS_CSV), str(STATUS_CSV))
    call_command("import_programme", str(TARGETS_CSV), str(STATUS_CSV))
    assert Target.objects.filter(initiative__programme__name__startswith="Testprogram").count() == 5
    assert StatusUpdate.objects.filter(target__title="Kursusdage for ledige").count() == 1


@pytest.mark.django_db(transaction=True)
def test_round_trip_export_then_import_into_an_empty_database_gives_identical_figures():
    from tests.base import load_reference

    programme = load_reference()
    before = snapshot_figures()
    assert len(before) == 27
    exported = programme_workbook(programme)
    assert load_workbook(io.BytesIO(exported)).sheetnames == [
        "Program",
        "Mål",
        "Status",
        "Målopnåelse",
        "Scorer",
        "Indikatorer",  # for reading: the import skips them
        "Indikatorer – afstand",
    ]
    call_command("flush", "--no-input", verbosity=0)
    assert not Programme.objects.exists()
    services.programme_import(data=importing.parse([("jobvaekstpakken.xlsx", exported)]), user=None)
    assert snapshot_figures() == before


def test_the_export_neutralises_formula_like_text(reference):
    target = Target.objects.filter(initiative__slug="smajobs").first()
    target.title = '=HYPERLINK("http://evil.example","klik")'
    target.save()
    workbook = load_workbook(io.BytesIO(programme_workbook(reference)))
    titles = [row[4] for row in workbook["Mål"].iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://evil.example","klik")' in titles
    cell = next(c for c in workbook["Mål"]["E"] if str(c.value).startswith("'="))
    assert cell.data_type == "s"  # text, never a formula
    # "-" and "+100 %" from the report survive as text too.
    statuses = [row[9] for row in workbook["Status"].iter_rows(min_row=2, values_only=True)]
    assert "'-" in statuses


# --- Every bad input: a clear error, and nothing imported -------------------------------------


@pytest.fixture
def nothing_imported():
    counts = (Programme.objects.count(), Target.objects.count(), StatusUpdate.objects.count())
    yield
    assert (
        Programme.objects.count(),
        Target.objects.count(),
        StatusUpdate.objects.count(),
    ) == counts


def test_missing_and_unknown_columns_are_named(nothing_imported):
    header = HEADER.replace(";målår", "").replace("enhed", "enheden")
    found = problems_of([csv_file(header, GOOD_ROW)])
    assert "Mål, række 1, kolonne »enhed«: Kolonnen mangler." in found
    assert "Mål, række 1, kolonne »målår«: Kolonnen mangler." in found
    assert any("»enheden«: Ukendt kolonne" in p for p in found)


def test_text_in_a_number_field_is_refused_with_its_place(nothing_imported):
    row = GOOD_ROW.replace(";100;", ";hundrede;")
    found = problems_of([csv_file(HEADER, row)])
    assert found == [
        "Mål, række 2, kolonne »mål_fra«: »hundrede« er ikke et tal. Skriv fx 1.234,5 eller 1234,5."
    ]


def test_a_danish_decimal_comma_and_thousands_point_are_accepted():
    row = GOOD_ROW.replace(";0;2024;100;", ";1.234,5;2024;2.000;")
    data = importing.parse([csv_file(HEADER, row)])
    assert (str(data.targets[0].baseline_low), str(data.targets[0].target_low)) == (
        "1234.5",
        "2000",
    )


def test_an_unknown_initiative_in_status_is_refused(nothing_imported):
    status = ";".join(importing.STATUS_REQUIRED)
    found = problems_of(
        [
            csv_file(HEADER, GOOD_ROW),
            csv_file(status, "Prg;Ukendt område;Antal besøg;2025-1;5;;nej;", name="Status.csv"),
        ]
    )
    assert found == [
        "Status, række 2, kolonne »indsatsområde«: Indsatsområdet »Ukendt område« findes ikke "
        "i arket »Mål«."
    ]


def test_duplicate_targets_are_refused(nothing_imported):
    found = problems_of([csv_file(HEADER, GOOD_ROW, GOOD_ROW)])
    assert found == [
        "Mål, række 3, kolonne »mål«: Målet står også i række 2 for samme indsatsområde."
    ]


def test_a_range_with_low_above_high_is_refused(nothing_imported):
    row = GOOD_ROW.replace(";100;;2026;", ";100;50;2026;")
    found = problems_of([csv_file(HEADER, row)])
    assert found == [
        "Mål, række 2, kolonne »mål_til«: »mål_fra« (100) er større end »mål_til« (50)."
    ]


def test_a_csv_that_is_not_utf8_is_explained(nothing_imported):
    found = problems_of(
        [csv_file(HEADER, GOOD_ROW.replace("Område", "Område æøå"), encoding="cp1252")]
    )
    assert len(found) == 1
    assert "hverken en Excel-fil (XLSX) eller en CSV-fil i UTF-8" in found[0]
    assert "Gem CSV-filen som »CSV UTF-8«" in found[0]


def test_an_empty_file_is_refused(nothing_imported):
    assert problems_of([("Mål.csv", b"")]) == ["Mål.csv: Filen er tom."]
    assert problems_of([("Mål.csv", b"\n\n")]) == ["Mål: Arket er tomt."]


def test_a_10_mb_junk_file_is_refused_without_reading_it(nothing_imported):
    junk = os.urandom(10 * 1024 * 1024)
    found = problems_of([("program.xlsx", junk)])
    assert found == ["program.xlsx: Filen fylder 10,0 MB; højst 5 MB."]


def test_junk_that_looks_like_a_zip_is_refused(nothing_imported):
    found = problems_of([("program.xlsx", b"PK\x03\x04" + os.urandom(2000))])
    assert len(found) == 1 and "kan ikke læses som Excel (XLSX)" in found[0]


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_formula_like_text_is_refused_unless_marked_as_text(start, nothing_imported):
    row = GOOD_ROW.replace("Antal besøg", f"{start}SUM(A1:A9)")
    found = problems_of([csv_file(HEADER, row)])
    assert found == [
        f"Mål, række 2, kolonne »mål«: Teksten begynder med »{start}« og kunne blive læst som "
        "en formel. Skriv en apostrof foran (') eller fjern tegnet."
    ]
    marked = importing.parse([csv_file(HEADER, row.replace(f";{start}SUM", f";'{start}SUM"))])
    assert marked.targets[0].title == f"{start}SUM(A1:A9)"


def test_an_xlsx_formula_cell_is_refused(nothing_imported):
    workbook = Workbook()
    ws = workbook.active
    ws.title = "Mål"
    ws.append(importing.TARGET_REQUIRED)
    ws.append(GOOD_ROW.split(";"))
    ws["E2"] = '=HYPERLINK("http://evil.example")'
    buffer = io.BytesIO()
    workbook.save(buffer)
    found = problems_of([("program.xlsx", buffer.getvalue())])
    assert len(found) == 1 and "kolonne »mål«: Teksten begynder med »=«" in found[0]


def test_every_problem_is_reported_not_just_the_first(nothing_imported):
    bad = GOOD_ROW.replace(";aktivitet;", ";resultat;").replace(";100;", ";x;")
    found = problems_of([csv_file(HEADER, bad, bad.replace("Antal besøg", "Andet"))])
    assert len(found) == 4  # two problems in each of two rows
    assert found[0].startswith("Mål, række 2, kolonne »niveau«: »resultat« er ikke en af")


def test_the_command_lists_the_problems_and_fails(tmp_path, capsys, nothing_imported):
    bad = tmp_path / "Mål.csv"
    bad.write_text(HEADER + "\n" + GOOD_ROW.replace(";100;", ";x;") + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Intet er importeret: 1 fejl"):
        call_command("import_programme", str(bad))
    assert "»x« er ikke et tal" in capsys.readouterr().err


# --- The pages ---------------------------------------------------------------------------


def upload(client, *paths: Path):
    files = [open(p, "rb") for p in paths]  # noqa: SIM115 - closed below
    try:
        return client.post("/data/import/", {"filer": files})
    finally:
        for f in files:
            f.close()


def test_the_programleder_previews_then_imports(
    client, users, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.IMPORT_STAGING_DIR = tmp_path
    client.force_login(users.programleder)
    preview = upload(client, TARGETS_CSV, STATUS_CSV)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Filerne er i orden. Intet er gemt endnu." in page
    assert "Ledigheden i kommunen falder" in page
    assert not Programme.objects.filter(name__startswith="Testprogram").exists()
    token = client.session["import_staging"]
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/data/import/bekraeft/", {"token": token})
    programme = Programme.objects.get(name__startswith="Testprogram")
    assert done["Location"] == f"/oversigt/{programme.slug}/"
    # The programleder who created it leads it, so it shows on their pages.
    assert programme.memberships.filter(user=users.programleder, role="programleder").exists()
    assert list(tmp_path.iterdir()) == []  # the staged files are gone


def test_a_bad_upload_lists_every_problem_and_imports_nothing(client, users, tmp_path):
    bad = tmp_path / "Mål.csv"
    bad.write_text(
        HEADER + "\n" + GOOD_ROW.replace(";100;", ";x;").replace(";job;", ";jobrettet;") + "\n",
        encoding="utf-8",
    )
    client.force_login(users.programleder)
    response = upload(client, bad)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Intet er importeret." in page and "2 fejl" in page
    assert "»x« er ikke et tal" in page and "»jobrettet« er ikke en af" in page
    assert not Programme.objects.filter(name="Prg").exists()


def test_only_a_programleder_imports_but_readers_export(client, users):
    client.force_login(users.tovholder)
    assert upload(client, TARGETS_CSV).status_code == 403
    assert "Kontrollér filerne" not in client.get("/data/").content.decode()
    response = client.get("/data/jobvaekstpakken/eksport.xlsx")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content))["Mål"].max_row == 28  # 27 + header
    client.force_login(users.outsider)
    assert client.get("/data/jobvaekstpakken/eksport.xlsx").status_code == 403
    template = client.get("/data/skabelon.xlsx")
    sheets = load_workbook(io.BytesIO(template.content)).sheetnames
    assert sheets == ["Program", "Mål", "Status", "Vejledning"]
    example = importing.parse([("skabelon.xlsx", template.content)])  # the example is valid
    assert (example.name, len(example.targets), len(example.statuses)) == ("Mit program", 1, 1)
