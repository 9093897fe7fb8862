"""Danish numbers: formatting shared by models, tables and charts, and the one parser."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.formats import number_format


def _half_up(value: float, decimals: int) -> Decimal:
    """Round as people do (1,25 → 1,3), not as floats do (round(1.25, 1) == 1.2)."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_number(value: Decimal | int | float | None, decimals: int | None = None) -> str:
    """Format a number the Danish way: 16.000 and 0,5, with no trailing zeros.

    ``None`` is shown as an en dash, so a missing figure is never mistaken for zero.
    """
    if value is None:
        return "–"
    if decimals is None:
        # A float (a computed figure) is shown to at most two decimals: 5,3 not 5,30410958…
        value = _half_up(value, 2) if isinstance(value, float) else Decimal(value)
        # normalize() turns 16000.00 into 1.6E+4; quantize back to a plain exponent.
        normal = value.normalize()
        exponent = normal.as_tuple().exponent
        decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        value = normal.quantize(Decimal(1).scaleb(-decimals))
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def format_percent(value: float | None, decimals: int = 2) -> str:
    """An attainment percentage as shown to users: "1,25 %", "375 % (over mål)".

    Raw values are kept everywhere; only the text is rounded (to two decimals by default,
    to one for averages on the dashboards).
    """
    if value is None:
        return "–"
    text = f"{format_number(_half_up(value, decimals))} %".replace("-", "−")
    if value > 100:
        return f"{text} (over mål)"
    if value < 0:
        return f"{text} (under basis)"
    return text


# --- Reading numbers as Danish users type them -------------------------------------------
#
# One parser for every place that turns text into a number (the target form, the
# services, the programme and indicator imports), so that what is typed is what is
# stored, and what is shown can be typed back unchanged (format_decimal, format_phases).

_MINUS = "\u2212"  # the minus sign Word and our own percentages write
_GROUP_SPACES = ("\u00a0", "\u202f", "\u2009")  # no-break, narrow no-break, thin space
_NUMBER = re.compile(
    r"(?P<sign>-?)"
    r"(?P<whole>\d+|\d{1,3}(?:\.\d{3})+|\d{1,3}(?: \d{3})+)"
    r"(?:,(?P<fraction>\d+))?",
    re.ASCII,  # 0–9 only: Decimal() would also take other scripts' digits
)
# Looks like a number written with a decimal point ("12.5", "1.7500", "1,234.5").
_POINT_NUMBER = re.compile(r"-?[\d.,]*\d[\d.,]*", re.ASCII)
_NOT_FINITE = {"nan", "snan", "inf", "infinity", "∞"}
_PHASE = re.compile(r"(?P<year>\d{4})\s*:\s*(?P<value>.*)", re.ASCII)

DECIMAL_POINT_MESSAGE = "Brug komma som decimaltegn, f.eks. 1,5."


def parse_number(text: str) -> Decimal:
    """A number typed the Danish way: "1.234,5" → 1234.5.

    - The comma is the decimal sign: "1,5", "-2,25" and "−2,25" (Unicode minus).
    - A point followed by exactly three digits groups thousands: "1.750" → 1750,
      "1.234.567,5" → 1234567.5. Spaces (also no-break) may group them too: "16 000".
    - Any other point is refused ("12.5", "1.75", "1.7500", "1.234.56"): in Danish it is
      ambiguous, and reading it as a thousands point once made 12,5 into 125.
    - NaN, infinity, exponents, an empty text and anything else are refused.

    Raises ``ValidationError`` with a Danish message and a code: ``required`` (empty),
    ``decimal_point``, ``not_finite`` or ``invalid``.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_number reads text, not {type(text).__name__}")
    cleaned = text.strip().replace(_MINUS, "-")
    for space in _GROUP_SPACES:
        cleaned = cleaned.replace(space, " ")
    if not cleaned:
        raise ValidationError("Skriv et tal, f.eks. 12 eller 1.234,5.", code="required")
    match = _NUMBER.fullmatch(cleaned)
    if match is None:
        bare = cleaned.lstrip("+-").strip().lower()
        if bare in _NOT_FINITE:
            raise ValidationError(
                f"»{text.strip()}« er ikke et tal. Skriv et endeligt tal, f.eks. 12 eller 1.234,5.",
                code="not_finite",
            )
        if "." in cleaned and _POINT_NUMBER.fullmatch(cleaned.replace(" ", "")):
            raise ValidationError(DECIMAL_POINT_MESSAGE, code="decimal_point")
        raise ValidationError(
            f"»{text.strip()}« er ikke et tal. Skriv fx 1.234,5 eller 1234,5.", code="invalid"
        )
    whole = match["whole"].replace(".", "").replace(" ", "")
    fraction = f".{match['fraction']}" if match["fraction"] else ""
    value = Decimal(f"{match['sign']}{whole}{fraction}")
    return abs(value) if value == 0 else value  # never a negative zero


def format_decimal(value: Decimal | int) -> str:
    """A number as a user types it and :func:`parse_number` reads it back: "1.234,5".

    Unlike :func:`format_number` this does not follow the active language: a form shown in
    English must still be saved unchanged by the Danish parser. No trailing zeros.
    """
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"{value} is not a number a user can type")
    normal = value.normalize()
    if normal == 0:
        return "0"
    sign, digits = ("-", format(-normal, "f")) if normal < 0 else ("", format(normal, "f"))
    whole, _, fraction = digits.partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def parse_phases(text: str) -> list[tuple[int, Decimal]]:
    """A phased target as typed: "2017: 30; 2018: 12,5", or one phase per line.

    Each phase is a four-digit year, a colon and a number (read by :func:`parse_number`,
    never negative); each year once. Returns the phases sorted by year; an empty text is
    no phases. Every problem is reported, not just the first (``ValidationError`` with a
    list of Danish messages).
    """
    errors: list[ValidationError] = []
    phases: list[tuple[int, Decimal]] = []
    for raw in re.split(r"[;\n\r]", text):
        part = raw.strip()
        if not part:
            continue  # a trailing ";" or a blank line
        match = _PHASE.fullmatch(part)
        if match is None:
            errors.append(
                ValidationError(
                    f"»{part}« er ikke en fase; skriv år: værdi, f.eks. 2017: 30; 2018: 80.",
                    code="phase",
                )
            )
            continue
        year = int(match["year"])
        if not 1900 <= year <= 2200:
            errors.append(
                ValidationError(f"»{match['year']}« er ikke et årstal (f.eks. 2018).", code="year")
            )
            continue
        try:
            value = parse_number(match["value"])
        except ValidationError as exc:
            errors.append(ValidationError(f"Fasen for {year}: {exc.messages[0]}", code=exc.code))
            continue
        if value < 0:
            errors.append(
                ValidationError(
                    f"Fasen for {year} er {format_decimal(value)}; en fase kan ikke være negativ.",
                    code="negative",
                )
            )
            continue
        phases.append((year, value))
    years = [year for year, _ in phases]
    twice = sorted({year for year in years if years.count(year) > 1})
    if twice:
        errors.append(
            ValidationError(
                f"Hvert år må kun have én fase. {', '.join(map(str, twice))} står flere gange.",
                code="duplicate_year",
            )
        )
    if errors:
        raise ValidationError(errors)
    return sorted(phases)


def format_phases(phases: Iterable[tuple[int, Decimal | int]]) -> str:
    """Phases as :func:`parse_phases` reads them back: "2017: 30; 2018: 12,5"."""
    return "; ".join(f"{year}: {format_decimal(value)}" for year, value in sorted(phases))
