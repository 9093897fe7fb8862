"""Import an indicator's observations from CSV, as the statistics portals export them.

Jobindsats and Danmarks Statistik (Statistikbanken) export CSV with a column for the
area, one for the period and one or more for values, separated by semicolons, with
Danish decimal commas, often in Windows-1252/Latin-1 and sometimes with title lines
above the header and notes below the data. The caller says which column is which
(:class:`Layout`, with presets for the two portals); everything else is recognised.

As for the programme import (:mod:`initiatives.importing`), it is all or nothing:
:func:`parse` checks every row and raises :class:`~initiatives.importing.ImportError_`
with every problem in Danish ("indikator.csv, række 4, kolonne »Værdi«: »abc« er ikke et
tal …"); only a clean file reaches
:func:`initiatives.services.indicator_observations_import`, which writes
it in one transaction. The layout is documented in ``docs/indicators.md`` with an
example in ``fixtures/import/indikator-eksempel.csv``.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError

from jobvaekst.numbers import parse_number

from .importing import MAX_BYTES_DEFAULT, ImportError_, Problem
from .models import Area, Indicator

HEADER_SEARCH_ROWS = 30  # title lines a portal may put above the header
MISSING = {"", "..", ".", "-", "–"}  # Statistikbanken's ".." and Jobindsats' "-": not given
MONTHS = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
]
ENCODINGS = {"auto": None, "utf-8": "utf-8-sig", "latin-1": "cp1252"}


@dataclass(frozen=True)
class Layout:
    """Which column holds what. Names are matched without regard to case or spaces.

    Each entry is a list of accepted header names; the first found is used. An empty
    ``value`` list means "the one column that is neither area nor period".
    """

    area: tuple[str, ...] = ("område", "kommune", "omrade", "area")
    period: tuple[str, ...] = ("periode", "tid", "år", "kvartal", "måned", "period")
    value: tuple[str, ...] = ("værdi", "indhold", "andel", "value")
    encoding: str = "auto"  # "auto" (UTF-8, else Windows-1252/Latin-1), "utf-8", "latin-1"

    def mapped(
        self, *, area: str = "", period: str = "", value: str = "", encoding: str = ""
    ) -> Layout:
        """The same layout with the columns (and the encoding) the caller named."""
        return replace(
            self,
            area=(_norm(area),) if area else self.area,
            period=(_norm(period),) if period else self.period,
            value=(_norm(value),) if value else self.value,
            encoding=encoding or self.encoding,
        )


LAYOUTS = {
    "standard": Layout(),
    # Statistikbanken's CSV: OMRÅDE;TID;INDHOLD, Windows-1252 unless chosen otherwise.
    "dst": Layout(area=("område",), period=("tid",), value=("indhold",)),
    # Jobindsats: "Område";"Periode";<the measure's own name>.
    "jobindsats": Layout(area=("område",), period=("periode",), value=()),
}


@dataclass(frozen=True)
class ObservationIn:
    row: int
    area: str  # the area's name in the database (matched), or as written if new
    period_label: str
    period_start: date | None
    period_end: date | None
    value: Decimal


@dataclass
class ObservationsIn:
    filename: str
    columns: tuple[str, str, str]  # the header names used for area, period, value
    rows: list[ObservationIn] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # rows with ".." (value not given)
    new_areas: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    skipped: int
    new_areas: tuple[str, ...]

    def describe(self) -> str:
        parts = [f"{self.created} nye og {self.updated} opdaterede observationer"]
        if self.skipped:
            parts.append(f"{self.skipped} rækker uden tal (»..«) sprunget over")
        if self.new_areas:
            parts.append(f"nye områder: {', '.join(self.new_areas)}")
        return "; ".join(parts) + "."


# --- Periods ----------------------------------------------------------------------------------


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_period(text: str) -> tuple[str, date, date]:
    """(label, start, end) of a portal's period; raises ValueError if it is not one.

    "2018" → a year; "2018K1", "2018Q1", "2018 1. kvt." → a quarter; "2018M03", "2018-03",
    "03-2018", "marts 2018" → a month. Labels are Danish ("1. kvartal 2018", "marts 2018"),
    so the same period from two portals is the same observation.
    """
    s = re.sub(r"\s+", " ", text.strip().lower())
    if m := re.fullmatch(r"(\d{4})", s):
        year = int(m[1])
        return str(year), date(year, 1, 1), date(year, 12, 31)
    if m := re.fullmatch(r"(\d{4}) ?(?:k|q)([1-4])|(\d{4}) ([1-4])\. ?kvt\.?", s):
        year, quarter = (int(m[1]), int(m[2])) if m[1] else (int(m[3]), int(m[4]))
        first = 3 * quarter - 2
        return f"{quarter}. kvartal {year}", date(year, first, 1), _month_end(year, first + 2)
    month_year = None
    if m := re.fullmatch(r"(\d{4}) ?m(\d{2})|(\d{4})-(\d{2})", s):
        month_year = (int(m[2] or m[4]), int(m[1] or m[3]))
    elif m := re.fullmatch(r"(\d{1,2})[-/.](\d{4})", s):
        month_year = (int(m[1]), int(m[2]))
    elif m := re.fullmatch(r"([a-zæøå]+)\.? (\d{4})", s):
        names = [name for name in MONTHS if name.startswith(m[1]) and len(m[1]) >= 3]
        if len(names) == 1:
            month_year = (MONTHS.index(names[0]) + 1, int(m[2]))
    if month_year and 1 <= month_year[0] <= 12:
        month, year = month_year
        return f"{MONTHS[month - 1]} {year}", date(year, month, 1), _month_end(year, month)
    raise ValueError(text)


# --- Reading the file -------------------------------------------------------------------------


def _decode(label: str, content: bytes, encoding: str, problems: list[Problem]) -> str | None:
    if content[:4] == b"PK\x03\x04":
        problems.append(
            Problem(label, None, "", "Filen er en Excel-fil. Gem den som CSV (semikolonsepareret).")
        )
        return None
    if b"\x00" in content:  # UTF-16 ("Unicode-tekst") or a binary file
        problems.append(
            Problem(
                label,
                None,
                "",
                "Filen er ikke en tekstfil i UTF-8 eller Latin-1 (måske UTF-16 eller en "
                "binær fil). Gem den som CSV i UTF-8.",
            )
        )
        return None
    chosen = ENCODINGS[encoding]
    tries = ["utf-8-sig", "cp1252"] if chosen is None else [chosen]
    for codec in tries:
        try:
            text = content.decode(codec)
        except UnicodeDecodeError as exc:
            failure = exc
            continue
        if codec == "cp1252" and re.search("Ã[¦¸¥†˜…]", text):
            # UTF-8 read as Latin-1: "Ã¦" is what "æ" looks like then.
            problems.append(
                Problem(
                    label,
                    None,
                    "",
                    "Filen ser ud til at være i UTF-8, ikke Latin-1. Vælg tegnsættet UTF-8.",
                )
            )
            return None
        return text
    name = "UTF-8" if tries == ["utf-8-sig"] else "UTF-8 eller Latin-1 (Windows-1252)"
    problems.append(
        Problem(
            label,
            None,
            "",
            f"Filen kan ikke læses som {name} (tegn nr. {failure.start + 1}). "
            "Vælg det tegnsæt, filen er gemt i.",
        )
    )
    return None


def _rows(text: str) -> list[list[str]]:
    sample = "\n".join(text.splitlines()[: HEADER_SEARCH_ROWS + 5])
    delimiter = max(";\t,", key=sample.count)  # the portals use ";", sometimes tab
    return [
        [cell.strip() for cell in row]
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    ]


def _norm(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().lower())


def _find_header(rows: list[list[str]], layout: Layout) -> tuple[int, int, int, int] | None:
    """(header row index, area column, period column, value column), or None."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = [_norm(c) for c in row]
        area = next((names.index(n) for n in layout.area if n in names), None)
        period = next((names.index(n) for n in layout.period if n in names), None)
        if area is None or period is None:
            continue
        if layout.value:
            value = next((names.index(n) for n in layout.value if n in names), None)
        else:
            others = [i for i, n in enumerate(names) if n and i not in (area, period)]
            value = others[0] if len(others) == 1 else None
        return index, area, period, (-1 if value is None else value)
    return None


class _AreaMatcher:
    """Areas by name, also as the portals write them ("Aalborg" for "Aalborg Kommune")."""

    def __init__(self, areas: list[Area]):
        self.by_key: dict[str, str] = {}
        for area in areas:
            key = _norm(area.name)
            self.by_key[key] = area.name
            self.by_key.setdefault(key.removesuffix(" kommune"), area.name)
        self.names = [a.name for a in areas]

    def match(self, written: str) -> str | None:
        key = _norm(written)
        return self.by_key.get(key) or self.by_key.get(key.removesuffix(" kommune"))


def _value_problem(indicator: Indicator, raw: str) -> tuple[Decimal | None, str]:
    text = raw.removesuffix("%").strip()
    try:
        value = parse_number(text)
    except ValidationError as exc:
        if exc.code == "invalid":
            return None, f"Værdien »{raw}« er ikke et tal. Skriv fx 40,3 eller 1.234,5."
        return None, f"Værdien »{raw}«: {exc.messages[0]}"
    if abs(value) >= Decimal("1e10"):
        return None, f"Værdien »{raw}« er for stor."
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        return None, f"Værdien »{raw}« har flere end 4 decimaler."
    if indicator.is_percent and not 0 <= value <= 100:
        return None, f"En andel i procent skal ligge mellem 0 og 100 (her {raw})."
    if indicator.unit.strip() == "antal" and value < 0:
        return None, f"Et antal kan ikke være negativt (her {raw})."
    return value, ""


def parse(
    filename: str,
    content: bytes,
    *,
    indicator: Indicator,
    layout: Layout = LAYOUTS["standard"],
    allow_new_areas: bool = False,
) -> ObservationsIn:
    """Read and check every row; raises :class:`ImportError_` with every problem found."""
    label = filename or "Fil"
    problems: list[Problem] = []
    limit = getattr(settings, "IMPORT_MAX_BYTES", MAX_BYTES_DEFAULT)
    if not content.strip():
        raise ImportError_([Problem(label, None, "", "Filen er tom.")])
    if len(content) > limit:
        most = f"{limit / 1024 / 1024:.0f}"
        raise ImportError_([Problem(label, None, "", f"Filen er for stor; højst {most} MB.")])
    text = _decode(label, content, layout.encoding, problems)
    if text is None:
        raise ImportError_(problems)
    try:
        rows = _rows(text)
    except csv.Error as exc:
        raise ImportError_(
            [Problem(label, None, "", f"Filen kan ikke læses som CSV: {exc}.")]
        ) from exc
    found = _find_header(rows, layout)
    if found is None:
        wanted = " / ".join(layout.area), " / ".join(layout.period)
        raise ImportError_(
            [
                Problem(
                    label,
                    None,
                    "",
                    f"Fandt ingen overskriftsrække med kolonnerne »{wanted[0]}« og "
                    f"»{wanted[1]}« i de første {HEADER_SEARCH_ROWS} rækker. "
                    "Angiv kolonnernes navne.",
                )
            ]
        )
    header_index, area_col, period_col, value_col = found
    header = rows[header_index]
    if value_col < 0:
        if layout.value:
            message = f"Kolonnen med værdien mangler (»{' / '.join(layout.value)}«)."
        else:
            others = [c for i, c in enumerate(header) if c and i not in (area_col, period_col)]
            message = (
                f"Filen har {len(others)} værdikolonner ({', '.join(others) or 'ingen'}); "
                "angiv hvilken der skal importeres."
            )
        raise ImportError_([Problem(label, header_index + 1, "", message)])
    names = header[area_col], header[period_col], header[value_col]
    duplicated = sorted({h for h in names if [_norm(c) for c in header].count(_norm(h)) > 1})
    for name in duplicated:
        problems.append(Problem(label, header_index + 1, name, "Kolonnen står to gange."))
    matcher = _AreaMatcher(list(Area.objects.all()))
    data = ObservationsIn(filename=label, columns=names)
    seen: dict[tuple[str, str], int] = {}
    for index in range(header_index + 1, len(rows)):
        cells, number = rows[index], index + 1
        if not any(cells) or len(cells) == 1:
            continue  # empty lines, and notes such as "Kilde: Jobindsats.dk" below the data

        def cell(column: int, cells: list[str] = cells) -> str:
            return cells[column] if column < len(cells) else ""

        def error(column: int, message: str, number: int = number) -> None:
            problems.append(Problem(label, number, header[column], message))

        raw_area, raw_period, raw_value = cell(area_col), cell(period_col), cell(value_col)
        area = matcher.match(raw_area) if raw_area else None
        if not raw_area:
            error(area_col, "Området skal udfyldes.")
        elif area is None and allow_new_areas:
            area = raw_area
            data.new_areas.append(area)
            matcher.by_key[_norm(area)] = area  # "Viborg" and "viborg" are one new area
        elif area is None:
            known = ", ".join(matcher.names) or "ingen endnu"
            error(
                area_col,
                f"Området »{raw_area}« findes ikke. Opret det i administrationen først "
                f"(kendte områder: {known}).",
            )
        try:
            period = parse_period(raw_period)
        except ValueError:
            period = None
            error(
                period_col,
                f"Perioden »{raw_period}« kan ikke læses. Skriv fx 2018, 2018K1 eller 2018M03.",
            )
        if area is not None and period is not None:
            key = (area, period[0])
            if key in seen:
                error(
                    period_col,
                    f"Området »{area}« og perioden »{period[0]}« står også i række {seen[key]}.",
                )
                continue
            seen[key] = number
        if raw_value in MISSING:
            data.skipped.append(number)
            continue
        value, message = _value_problem(indicator, raw_value)
        if message:
            error(value_col, message)
        if area is None or period is None or value is None:
            continue
        data.rows.append(ObservationIn(number, area, period[0], period[1], period[2], value))
    if not problems and not data.rows:
        problems.append(Problem(label, None, "", "Filen har ingen rækker med tal."))
    if problems:
        raise ImportError_(problems)
    return data
