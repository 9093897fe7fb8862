"""Read a programme from XLSX or CSV: parse, validate everything, report in Danish.

Two steps, so nothing is ever half-imported:

1. :func:`read` turns uploaded files into rows per sheet (``Program``, ``Mål``,
   ``Status``) and :func:`validate` checks every cell, collecting *every* problem as
   (sheet, row, column, message), not just the first;
2. only when there are no problems does :func:`initiatives.services.programme_import`
   write it all, in one transaction.

The template's columns are in :data:`TARGET_COLUMNS` and :data:`STATUS_COLUMNS`; the
downloadable template (:func:`template_workbook`) and the export use the same lists, so
an export can always be re-imported.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from jobvaekst.numbers import format_decimal, parse_number, parse_phases

from .models import (
    Horizon,
    Level,
    Orientation,
    StatusUpdate,
    target_phase_errors,
    target_value_errors,
)

MAX_BYTES_DEFAULT = 5 * 1024 * 1024

_V = TypeVar("_V")

# Required columns first (the template), then optional ones that carry
# everything the attainment engine reads, so an export round-trips exactly.
PROGRAMME_COLUMNS = ["program", "kort_navn", "startdato", "slutdato", "budget_pr_år", "beskrivelse"]
TARGET_REQUIRED = [
    "program",
    "indsatsområde",
    "delinitiativ",
    "niveau",
    "mål",
    "enhed",
    "retning",
    "basisværdi",
    "basisår",
    "mål_fra",
    "mål_til",
    "målår",
    "faser",
    "kumulativ",
    "orientering",
    "sigt",
]
TARGET_OPTIONAL = [
    "type",
    "grundlag",
    "basisværdi_til",
    "kvalitativt_mål",
    "startdato",
    "måldato",
    "målbart",
    "definition",
    "kilde",
]
TARGET_COLUMNS = TARGET_REQUIRED + TARGET_OPTIONAL
# The column of each of a target's fields (models.TARGET_FIELDS); the other target
# columns name its place (program, indsatsområde, delinitiativ) or derive from a field
# (målår) or from its phases (faser).
TARGET_FIELD_COLUMNS = {
    "level": "niveau",
    "title": "mål",
    "definition": "definition",
    "kind": "type",
    "unit": "enhed",
    "direction": "retning",
    "basis": "grundlag",
    "baseline_low": "basisværdi",
    "baseline_high": "basisværdi_til",
    "baseline_year": "basisår",
    "target_low": "mål_fra",
    "target_high": "mål_til",
    "target_text": "kvalitativt_mål",
    "start_date": "startdato",
    "target_date": "måldato",
    "cumulative": "kumulativ",
    "orientation": "orientering",
    "horizon": "sigt",
    "measurable": "målbart",
    "source": "kilde",
}
STATUS_REQUIRED = [
    "program",
    "indsatsområde",
    "mål",
    "runde",
    "værdi",
    "vurdering",
    "ikke_målbart",
    "kommentar",
]
STATUS_OPTIONAL = [
    "opgjort_pr",
    "statustekst",
    "angivet_fra",
    "angivet_til",
    "angivet_tekst",
    "skøn",
    "kilde",
]
STATUS_COLUMNS = STATUS_REQUIRED + STATUS_OPTIONAL
SHEETS = {"Program": PROGRAMME_COLUMNS, "Mål": TARGET_COLUMNS, "Status": STATUS_COLUMNS}
REQUIRED = {"Program": ["program"], "Mål": TARGET_REQUIRED, "Status": STATUS_REQUIRED}

GUIDE = [
    "Skabelon til import af et program i Jobvækst monitor.",
    "Arket »Mål« har ét mål pr. række; arket »Status« én status pr. mål og runde; "
    "arket »Program« er valgfrit.",
    "Tal: skriv 1.234,5 eller 1234,5, med komma som decimaltegn (12.5 afvises; 1.750 er "
    "1750). Datoer: 31.12.2026. Runder: 2025-1 er jan.–feb. 2025.",
    "niveau: aktivitet, output eller effekt. retning: stigende eller faldende.",
    "faser: år:værdi adskilt af semikolon, fx 2025:20; 2026:40. Faserne lægges til "
    "basisværdien; står mål_fra også, skal det være basisværdi + faserne.",
    "Et interval: mål_fra og mål_til. kumulativ, ikke_målbart, skøn, målbart: ja eller nej.",
    "orientering: vækst eller job. sigt: kort eller lang.",
    "vurdering (kun kvalitative mål): opnået, delvist opnået eller ikke opnået.",
    "Tekst, der begynder med =, +, - eller @, skal have en apostrof foran ('-).",
    "Importen er alt eller intet: er én celle forkert, importeres intet, og alle fejl vises.",
]

LEVELS = {"aktivitet": Level.ACTIVITY, "output": Level.OUTPUT, "effekt": Level.EFFECT}
DIRECTIONS = {"stigende": "stigende", "faldende": "faldende"}
ORIENTATIONS = {"vækst": Orientation.GROWTH, "job": Orientation.JOB, "": ""}
HORIZONS = {"kort": Horizon.SHORT, "lang": Horizon.LONG, "": ""}
KINDS = {"antal": "antal", "procent": "procent", "beløb": "beloeb", "kvalitativ": "kvalitativ"}
BASES = {"periode": "periode", "pr_år": "pr_aar", "niveau": "niveau", "": ""}
ASSESSMENTS = {
    "opnået": StatusUpdate.Assessment.ACHIEVED,
    "delvist opnået": StatusUpdate.Assessment.PARTLY,
    "ikke opnået": StatusUpdate.Assessment.NOT_ACHIEVED,
    "": "",
}
YES_NO = {"ja": True, "nej": False, "": False}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@")
ROUND_RE = re.compile(r"^(\d{4})-([1-6])$")


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None  # the spreadsheet's row number (the header is row 1)
    column: str
    message: str

    def __str__(self) -> str:
        where = [self.sheet]
        if self.row is not None:
            where.append(f"række {self.row}")
        if self.column:
            where.append(f"kolonne »{self.column}«")
        return f"{', '.join(where)}: {self.message}"


class ImportError_(Exception):
    """The files cannot be imported; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# --- Reading files ---------------------------------------------------------------------


@dataclass
class Sheet:
    name: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number, column → cell text)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (float, Decimal)):
        # A real numeric cell is taken as it is, written as the Danish parser reads it
        # (12,5: a typed "12.5" is refused). repr() is a float's shortest exact text, so
        # 0.1 stays 0,1; no grouping, so a number in a text column reads as typed.
        number = Decimal(repr(value)) if isinstance(value, float) else value
        if not number.is_finite():
            return str(value)  # "inf", "nan": refused by the parser like typed ones
        return format(number.normalize(), "f").replace(".", ",")
    return str(value).strip()


def _sheet_from_rows(name: str, rows: list[list], problems: list[Problem]) -> Sheet | None:
    rows = [r for r in rows if any(_cell_text(c) for c in r)]
    if not rows:
        problems.append(Problem(name, None, "", "Arket er tomt."))
        return None
    header = [_cell_text(c).lower() for c in rows[0]]
    sheet = Sheet(name, header, [])
    for number, raw in enumerate(rows[1:], start=2):
        cells = {h: _cell_text(raw[i]) if i < len(raw) else "" for i, h in enumerate(header) if h}
        sheet.rows.append((number, cells))
    return sheet


def _sheet_name(filename: str, header: list[str]) -> str:
    """Which sheet a CSV file is: by its columns, else by its name (Mål.csv, Status.csv)."""
    if "runde" in header:
        return "Status"
    if "niveau" in header or "mål_fra" in header:
        return "Mål"
    if "kort_navn" in header or "slutdato" in header:
        return "Program"
    stem = Path(filename).stem.lower()
    if "status" in stem:
        return "Status"
    return "Mål"


def read(files: list[tuple[str, bytes]]) -> tuple[dict[str, Sheet], list[Problem]]:
    """Rows per sheet from XLSX and/or CSV files: ``[(filename, content), …]``."""
    limit = getattr(settings, "IMPORT_MAX_BYTES", MAX_BYTES_DEFAULT)
    problems: list[Problem] = []
    sheets: dict[str, Sheet] = {}
    if not files:
        problems.append(Problem("Fil", None, "", "Vælg mindst én fil."))
    for filename, content in files:
        label = filename or "Fil"
        if not content:
            problems.append(Problem(label, None, "", "Filen er tom."))
            continue
        if len(content) > limit:
            mb = f"{len(content) / 1024 / 1024:.1f}".replace(".", ",")
            most = f"{limit / 1024 / 1024:.0f}"
            problems.append(Problem(label, None, "", f"Filen fylder {mb} MB; højst {most} MB."))
            continue
        if content[:4] == b"PK\x03\x04":
            found = _read_xlsx(label, content, problems)
        else:
            found = _read_csv(label, content, problems)
        for sheet in found:
            if sheet.name in sheets:
                problems.append(Problem(label, None, "", f"Arket »{sheet.name}« findes to gange."))
            sheets[sheet.name] = sheet
    return sheets, problems


def _read_xlsx(label: str, content: bytes, problems: list[Problem]) -> list[Sheet]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        problems.append(Problem(label, None, "", f"Filen kan ikke læses som Excel (XLSX): {exc}"))
        return []
    found = []
    for ws in workbook.worksheets:
        if ws.title not in SHEETS:
            continue  # other sheets (e.g. "Målopnåelse" in an export) are for reading only
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        sheet = _sheet_from_rows(ws.title, rows, problems)
        if sheet:
            found.append(sheet)
    workbook.close()
    if not found:
        problems.append(Problem(label, None, "", "Filen har hverken arket »Mål« eller »Status«."))
    return found


def _read_csv(label: str, content: bytes, problems: list[Problem]) -> list[Sheet]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(
                label,
                None,
                "",
                "Filen er hverken en Excel-fil (XLSX) eller en CSV-fil i UTF-8 (tegn nr. "
                f"{exc.start + 1} kan ikke læses). Gem CSV-filen som »CSV UTF-8«.",
            )
        )
        return []
    if "\x00" in text:
        problems.append(Problem(label, None, "", "Filen er ikke en tekstfil (CSV)."))
        return []
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=";,\t").delimiter
    except csv.Error:
        # Only the delimiter is chosen here: csv.excel is shared by the whole process.
        delimiter = ";" if text.count(";") > text.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        problems.append(Problem(label, None, "", f"Filen kan ikke læses som CSV: {exc}."))
        return []
    header = [c.strip().lower() for c in rows[0]] if rows else []
    sheet = _sheet_from_rows(_sheet_name(label, header), rows, problems)
    return [sheet] if sheet else []


# --- Parsing cells ------------------------------------------------------------------------


def parse_date(text: str) -> date:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


# --- Validated content ----------------------------------------------------------------------


@dataclass
class TargetIn:
    row: int
    initiative: str
    sub_initiative: str
    level: str
    title: str
    unit: str
    direction: str
    kind: str
    basis: str
    baseline_low: Decimal | None
    baseline_high: Decimal | None
    baseline_year: int | None
    target_low: Decimal | None
    target_high: Decimal | None
    target_text: str
    start_date: date | None
    target_date: date | None
    phases: list[tuple[int, Decimal]]
    cumulative: bool
    orientation: str
    horizon: str
    measurable: bool
    definition: str
    source: str


@dataclass
class StatusIn:
    row: int
    initiative: str
    title: str
    year: int
    number: int
    value: Decimal | None
    assessment: str
    not_measurable: bool
    comment: str
    observed_on: date | None
    status_text: str
    stated_low: Decimal | None
    stated_high: Decimal | None
    stated_text: str
    stated_is_estimate: bool
    source: str


@dataclass
class ProgrammeIn:
    name: str
    slug: str
    start_date: date
    end_date: date
    budget_per_year: Decimal | None
    description: str
    initiatives: list[str] = field(default_factory=list)  # in order of first appearance
    sub_initiatives: dict[str, list[str]] = field(default_factory=dict)
    targets: list[TargetIn] = field(default_factory=list)
    statuses: list[StatusIn] = field(default_factory=list)
    rounds: list[tuple[int, int]] = field(default_factory=list)


class _Row:
    """Reads one row's cells, recording every problem against its sheet, row and column."""

    def __init__(self, sheet: str, number: int, cells: dict[str, str], problems: list[Problem]):
        self.sheet, self.row_number, self.cells, self.problems = sheet, number, cells, problems

    def error(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.sheet, self.row_number, column, message))

    def text(self, column: str, *, required: bool = False, max_length: int = 300) -> str:
        value = self.cells.get(column, "")
        if value.startswith("'"):  # Excel's "this is text" mark, as our export writes it
            value = value[1:]
        elif value.startswith(FORMULA_START) and not _is_number_like(value):
            self.error(
                column,
                f"Teksten begynder med »{value[0]}« og kunne blive læst som en formel. "
                "Skriv en apostrof foran (') eller fjern tegnet.",
            )
            return ""
        if required and not value:
            self.error(column, "Skal udfyldes.")
        if len(value) > max_length:
            self.error(column, f"Højst {max_length} tegn (her {len(value)}).")
        return value

    def number(self, column: str, *, minimum: Decimal | None = None) -> Decimal | None:
        raw = self.cells.get(column, "")
        if not raw:
            return None
        try:
            value = parse_number(raw)
        except ValidationError as exc:
            self.error(column, exc.messages[0])
            return None
        if minimum is not None and value < minimum:
            self.error(column, f"Må ikke være mindre end {format_decimal(minimum)} (her {raw}).")
        if abs(value) >= Decimal("1e12"):
            self.error(column, f"»{raw}« er for stort.")
            return None
        return value

    def year(self, column: str) -> int | None:
        raw = self.cells.get(column, "")
        if not raw:
            return None
        if not re.fullmatch(r"\d{4}", raw) or not 1900 <= int(raw) <= 2200:
            self.error(column, f"»{raw}« er ikke et årstal (fx 2018).")
            return None
        return int(raw)

    def date(self, column: str) -> date | None:
        raw = self.cells.get(column, "")
        if not raw:
            return None
        try:
            return parse_date(raw)
        except ValueError:
            self.error(column, f"»{raw}« er ikke en dato. Skriv fx 31.12.2020.")
            return None

    def choice(self, column: str, choices: Mapping[str, _V], *, default: str = "") -> _V | None:
        raw = self.cells.get(column, "").strip().lower()
        if not raw:
            raw = default
        if raw not in choices:
            allowed = ", ".join(k for k in choices if k)
            self.error(column, f"»{self.cells.get(column, '')}« er ikke en af: {allowed}.")
            return None
        return choices[raw]


def _is_number_like(value: str) -> bool:
    try:
        parse_number(value)
    except ValidationError:
        return False
    return True


def _phases(row: _Row) -> list[tuple[int, Decimal]]:
    try:
        return parse_phases(row.cells.get("faser", ""))
    except ValidationError as exc:
        for message in exc.messages:
            row.error("faser", message)
        return []


# The template's column for each field the shared target rules name.
RULE_COLUMNS = {
    "baseline_low": "basisværdi",
    "baseline_high": "basisværdi_til",
    "target_low": "mål_fra",
    "target_high": "mål_til",
    "phases": "faser",
}


def _check_columns(sheet: Sheet, problems: list[Problem]) -> bool:
    missing = [c for c in REQUIRED[sheet.name] if c not in sheet.header]
    unknown = [h for h in sheet.header if h and h not in SHEETS[sheet.name]]
    duplicated = sorted({h for h in sheet.header if h and sheet.header.count(h) > 1})
    for column in missing:
        problems.append(Problem(sheet.name, 1, column, "Kolonnen mangler."))
    for column in unknown:
        problems.append(
            Problem(sheet.name, 1, column, "Ukendt kolonne. Brug skabelonens overskrifter.")
        )
    for column in duplicated:
        problems.append(Problem(sheet.name, 1, column, "Kolonnen står to gange."))
    return not missing and not duplicated


def validate(sheets: dict[str, Sheet], problems: list[Problem]) -> ProgrammeIn | None:
    """Every row checked; the programme to write, or None when anything is wrong."""
    if "Mål" not in sheets and "Status" not in sheets and not problems:
        problems.append(Problem("Fil", None, "", "Der er hverken et »Mål«- eller »Status«-ark."))
    ok = all(_check_columns(sheet, problems) for sheet in sheets.values())
    if not ok:
        return None

    names = set()
    for sheet in sheets.values():
        for _, cells in sheet.rows:
            if cells.get("program"):
                names.add(cells["program"].removeprefix("'"))
    if len(names) > 1:
        problems.append(
            Problem("Fil", None, "program", f"Filen skal gælde ét program; fandt {len(names)}.")
        )
        return None
    if not names:
        problems.append(Problem("Fil", None, "program", "Intet program er angivet."))
        return None
    name = names.pop()

    targets: list[TargetIn] = []
    seen: dict[tuple[str, str], int] = {}
    for number, cells in sheets.get("Mål", Sheet("Mål", [], [])).rows:
        row = _Row("Mål", number, cells, problems)
        row.text("program", required=True, max_length=200)
        initiative = row.text("indsatsområde", required=True, max_length=200)
        title = row.text("mål", required=True)
        level = row.choice("niveau", LEVELS)
        baseline_low = row.number("basisværdi")
        baseline_high = row.number("basisværdi_til")
        target_low = row.number("mål_fra")
        target_high = row.number("mål_til")
        phases = _phases(row)
        if target_high is not None and target_low is None:
            row.error("mål_til", "Et interval skal også have »mål_fra«.")
        if target_low is not None and target_high is not None and target_low > target_high:
            row.error(
                "mål_til",
                f"»mål_fra« ({format_decimal(target_low)}) er større end »mål_til« "
                f"({format_decimal(target_high)}).",
            )
        if baseline_low is not None and baseline_high is not None and baseline_low > baseline_high:
            row.error("basisværdi_til", "»basisværdi« er større end »basisværdi_til«.")
        direction = row.choice("retning", DIRECTIONS, default="stigende")
        basis = row.choice("grundlag", BASES) or ""
        target_year = row.year("målår")
        target_date = row.date("måldato") or (date(target_year, 12, 31) if target_year else None)
        start_date = row.date("startdato")
        if start_date and target_date and start_date > target_date:
            row.error("startdato", "Startdatoen ligger efter måldatoen.")
        if direction is not None:
            # The same rules as the target form and initiatives.services.target_save.
            numbers: dict[str, Any] = {  # keyword arguments of both rule functions
                "direction": direction,
                "baseline_low": baseline_low,
                "baseline_high": baseline_high,
                "target_low": target_low,
                "target_high": target_high,
            }
            for rules in (
                target_value_errors(**numbers, basis=basis),
                target_phase_errors(
                    **numbers, start_date=start_date, target_date=target_date, phases=phases
                ),
            ):
                for key, messages in rules.items():
                    for message in messages:
                        row.error(RULE_COLUMNS[key], message)
        has_number = target_low is not None or bool(phases)
        unit = row.text("enhed", max_length=60)
        kind_default = (
            ("procent" if unit.strip() == "%" else "antal") if has_number else "kvalitativ"
        )
        kind = row.choice("type", KINDS, default=kind_default)
        if kind == "procent":
            for column, value in (("mål_fra", target_low), ("mål_til", target_high)):
                if value is not None and not 0 <= value <= 100:
                    row.error(column, "En procent skal ligge mellem 0 og 100.")
        if kind != "kvalitativ":
            for column, value in (("mål_fra", target_low), ("mål_til", target_high)):
                if value is not None and value < 0:
                    row.error(column, "Målet kan ikke være negativt.")
        target_key = (initiative.lower(), title.lower())
        if title and target_key in seen:
            row.error("mål", f"Målet står også i række {seen[target_key]} for samme indsatsområde.")
        seen.setdefault(target_key, number)
        item = TargetIn(
            row=number,
            initiative=initiative,
            sub_initiative=row.text("delinitiativ", max_length=200),
            level=level or "",
            title=title,
            unit=unit,
            direction=direction or "stigende",
            kind=kind or "antal",
            basis=basis,
            baseline_low=baseline_low,
            baseline_high=baseline_high,
            baseline_year=row.year("basisår"),
            target_low=target_low,
            target_high=target_high,
            target_text=row.text("kvalitativt_mål"),
            start_date=start_date,
            target_date=target_date,
            phases=phases,
            cumulative=bool(row.choice("kumulativ", YES_NO)),
            orientation=row.choice("orientering", ORIENTATIONS) or "",
            horizon=row.choice("sigt", HORIZONS) or "",
            measurable=row.choice("målbart", {**YES_NO, "": True}) is not False,
            definition=row.text("definition", max_length=5000),
            source=row.text("kilde"),
        )
        targets.append(item)

    known = {(t.initiative.lower(), t.title.lower()): t for t in targets}
    initiatives_known = {t.initiative.lower() for t in targets}
    statuses: list[StatusIn] = []
    seen_status: dict[tuple[str, str, int, int], int] = {}
    for number, cells in sheets.get("Status", Sheet("Status", [], [])).rows:
        row = _Row("Status", number, cells, problems)
        row.text("program", required=True, max_length=200)
        initiative = row.text("indsatsområde", required=True, max_length=200)
        title = row.text("mål", required=True)
        code = cells.get("runde", "")
        match = ROUND_RE.fullmatch(code)
        if not match:
            row.error(
                "runde", f"»{code}« er ikke en runde. Skriv år-nummer, fx 2018-1 for jan.–feb."
            )
        if initiative and initiative.lower() not in initiatives_known:
            row.error("indsatsområde", f"Indsatsområdet »{initiative}« findes ikke i arket »Mål«.")
        elif title and (initiative.lower(), title.lower()) not in known:
            row.error("mål", f"Målet »{title}« findes ikke under »{initiative}« i arket »Mål«.")
        target = known.get((initiative.lower(), title.lower()))
        value = row.number("værdi")
        not_measurable = bool(row.choice("ikke_målbart", YES_NO))
        assessment = row.choice("vurdering", ASSESSMENTS) or ""
        comment = row.text("kommentar", max_length=5000)
        if not_measurable and value is not None:
            row.error("værdi", "Et mål, der ikke er målbart p.t., kan ikke have en værdi.")
        status_text = row.text("statustekst", max_length=5000)
        if not_measurable and not comment and not status_text:
            row.error("kommentar", "Skriv hvorfor målet ikke er målbart p.t.")
        if target is not None:
            if assessment and target.kind != "kvalitativ" and target.target_low is not None:
                row.error("vurdering", "En vurdering gives kun for kvalitative mål.")
            if value is not None and target.kind == "procent" and not 0 <= value <= 100:
                row.error("værdi", "En procent skal ligge mellem 0 og 100.")
            elif value is not None and value < 0 and target.direction == "stigende":
                row.error("værdi", "Værdien kan ikke være negativ.")
        stated_low = row.number("angivet_fra")
        stated_high = row.number("angivet_til")
        if stated_high is not None and stated_low is None:
            row.error("angivet_til", "Et interval skal også have »angivet_fra«.")
        if stated_low is not None and stated_high is not None and stated_low > stated_high:
            row.error("angivet_til", "»angivet_fra« er større end »angivet_til«.")
        if match:
            status_key = (initiative.lower(), title.lower(), int(match[1]), int(match[2]))
            if status_key in seen_status:
                row.error(
                    "runde", f"Samme mål og runde står også i række {seen_status[status_key]}."
                )
            seen_status.setdefault(status_key, number)
        statuses.append(
            StatusIn(
                row=number,
                initiative=initiative,
                title=title,
                year=int(match[1]) if match else 0,
                number=int(match[2]) if match else 0,
                value=value,
                assessment=assessment,
                not_measurable=not_measurable,
                comment=comment,
                observed_on=row.date("opgjort_pr"),
                status_text=status_text,
                stated_low=stated_low,
                stated_high=stated_high,
                stated_text=row.text("angivet_tekst", max_length=100),
                stated_is_estimate=bool(row.choice("skøn", YES_NO)),
                source=row.text("kilde"),
            )
        )

    meta: dict[str, str] = {}
    if "Program" in sheets and sheets["Program"].rows:
        number, cells = sheets["Program"].rows[0]
        meta_row = _Row("Program", number, cells, problems)
        meta = {
            "slug": meta_row.text("kort_navn", max_length=50),
            "description": meta_row.text("beskrivelse", max_length=5000),
        }
        start, end = meta_row.date("startdato"), meta_row.date("slutdato")
        budget = meta_row.number("budget_pr_år", minimum=Decimal(0))
        if meta["slug"] and slugify(meta["slug"]) != meta["slug"]:
            meta_row.error("kort_navn", "Kun små bogstaver a–z, tal og bindestreg (fx jobvaekst).")
    else:
        start = end = None
        budget = None
    if problems:
        return None

    years = [y for t in targets for y, _ in t.phases]
    years += [t.target_date.year for t in targets if t.target_date]
    years += [s.year for s in statuses]
    first_years = [t.start_date.year for t in targets if t.start_date] + [s.year for s in statuses]
    programme = ProgrammeIn(
        name=name,
        slug=meta.get("slug") or slugify(name)[:50],
        start_date=start or date(min(first_years or years or [date.today().year]), 1, 1),
        end_date=end or date(max(years or [date.today().year]), 12, 31),
        budget_per_year=budget,
        description=meta.get("description", ""),
        targets=targets,
        statuses=statuses,
    )
    subs: dict[str, list[str]] = defaultdict(list)
    for t in targets:
        if t.initiative not in programme.initiatives:
            programme.initiatives.append(t.initiative)
        if t.sub_initiative and t.sub_initiative not in subs[t.initiative]:
            subs[t.initiative].append(t.sub_initiative)
    programme.sub_initiatives = dict(subs)
    programme.rounds = sorted({(s.year, s.number) for s in statuses})
    return programme


def parse(files: list[tuple[str, bytes]]) -> ProgrammeIn:
    """Read and validate; raises :class:`ImportError_` with every problem found."""
    sheets, problems = read(files)
    programme = validate(sheets, problems) if not problems else None
    if problems or programme is None:
        raise ImportError_(problems or [Problem("Fil", None, "", "Intet at importere.")])
    return programme
