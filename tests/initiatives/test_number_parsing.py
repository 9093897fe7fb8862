"""The one Danish number and phase parser (jobvaekst.numbers): what is typed is what is stored.

No database: the parser is plain text in, Decimal out, with a Danish message for everything
it refuses.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from jobvaekst.numbers import format_decimal, format_phases, parse_number, parse_phases

DANISH_WORDS = ("tal", "komma", "fase", "år", "skriv", "brug", "negativ")


def refusal(text: str, parse=parse_number) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        parse(text)
    return caught.value.messages


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,5", "1.5"),
        ("-2,25", "-2.25"),
        ("−2,25", "-2.25"),  # Unicode minus, as Word writes it
        ("1.750", "1750"),
        ("16.000", "16000"),
        ("1.234.567,5", "1234567.5"),
        ("1234,5", "1234.5"),
        ("30", "30"),
        ("0", "0"),
        ("0,05", "0.05"),
        ("  12,5 ", "12.5"),
        ("16 000", "16000"),
        ("16\u00a0000", "16000"),  # no-break space
        ("1\u202f234,5", "1234.5"),  # narrow no-break space
    ],
)
def test_danish_numbers_are_read_as_a_dane_means_them(text, value):
    assert parse_number(text) == Decimal(value)


@pytest.mark.parametrize("text", ["12.5", "1.75", "1.7500", "1.234.56", "1,234.5", "0.5"])
def test_a_decimal_point_is_refused_with_the_comma_hint(text):
    assert refusal(text) == ["Brug komma som decimaltegn, f.eks. 1,5."]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Skriv et tal, f.eks. 12 eller 1.234,5."),
        ("   ", "Skriv et tal, f.eks. 12 eller 1.234,5."),
        ("NaN", "»NaN« er ikke et tal. Skriv et endeligt tal, f.eks. 12 eller 1.234,5."),
        ("Infinity", "»Infinity« er ikke et tal. Skriv et endeligt tal, f.eks. 12 eller 1.234,5."),
        ("inf", "»inf« er ikke et tal. Skriv et endeligt tal, f.eks. 12 eller 1.234,5."),
        ("-inf", "»-inf« er ikke et tal. Skriv et endeligt tal, f.eks. 12 eller 1.234,5."),
        ("abc", "»abc« er ikke et tal. Skriv fx 1.234,5 eller 1234,5."),
        ("1e5", "»1e5« er ikke et tal. Skriv fx 1.234,5 eller 1234,5."),
        ("12,34,56", "»12,34,56« er ikke et tal. Skriv fx 1.234,5 eller 1234,5."),
        ("17 50", "»17 50« er ikke et tal. Skriv fx 1.234,5 eller 1234,5."),
        ("--5", "»--5« er ikke et tal. Skriv fx 1.234,5 eller 1234,5."),
        ("٣", "»٣« er ikke et tal. Skriv fx 1.234,5 eller 1234,5."),  # only 0–9
    ],
)
def test_everything_else_is_refused_in_danish(text, message):
    assert refusal(text) == [message]


def test_the_parser_reads_text_only():
    with pytest.raises(TypeError):
        parse_number(12.5)  # a real number needs no parsing; the imports keep it as it is


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("16000.00"), "16.000"),
        (Decimal("1234567.5"), "1.234.567,5"),
        (Decimal("-2.25"), "-2,25"),
        (Decimal("12.50"), "12,5"),
        (Decimal("0.00"), "0"),
        (Decimal("1E+4"), "10.000"),
        (110, "110"),
    ],
)
def test_numbers_are_written_as_the_parser_reads_them(value, text):
    assert format_decimal(value) == text


def test_the_written_form_does_not_follow_the_active_language():
    from django.utils import translation

    with translation.override("en"):
        assert format_decimal(Decimal("1234.5")) == "1.234,5"
        assert format_phases([(2017, Decimal("12.5"))]) == "2017: 12,5"


# A Decimal with at most two decimals, as the model stores it (14 digits).
two_decimals = st.decimals(
    min_value=Decimal("-999999999999.99"),
    max_value=Decimal("999999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@given(two_decimals)
def test_formatting_then_parsing_gives_the_same_number(value):
    assert parse_number(format_decimal(value)) == value


@given(
    st.dictionaries(
        st.integers(min_value=1900, max_value=2200),
        st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2),
        max_size=6,
    )
)
def test_formatting_then_parsing_phases_gives_the_same_phases(phases):
    written = format_phases(phases.items())
    assert parse_phases(written) == sorted(phases.items())


@given(st.text(max_size=20))
def test_every_refusal_is_in_danish(text):
    try:
        parse_number(text)
    except ValidationError as exc:
        message = exc.messages[0].lower()
        assert any(word in message for word in DANISH_WORDS), message
        assert exc.code in {"required", "decimal_point", "not_finite", "invalid"}


# --- Phases -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phases"),
    [
        ("2017:30; 2018:80", [(2017, 30), (2018, 80)]),  # as the form wrote them before
        ("2017: 30; 2018: 80", [(2017, 30), (2018, 80)]),
        ("2018 : 80 ;2017:30;", [(2017, 30), (2018, 80)]),  # sorted; a trailing ";"
        ("2017: 30\n2018: 80\n", [(2017, 30), (2018, 80)]),  # one per line
        ("2017: 12,5; 2018: 1.750", [(2017, Decimal("12.5")), (2018, 1750)]),
        ("", []),
        ("  ", []),
    ],
)
def test_phases_are_read_as_typed(text, phases):
    assert parse_phases(text) == [(year, Decimal(value)) for year, value in phases]


def test_a_phase_of_twelve_and_a_half_survives_being_shown_and_read_back():
    shown = format_phases([(2017, Decimal("12.50")), (2018, Decimal("80.00"))])
    assert shown == "2017: 12,5; 2018: 80"
    assert parse_phases(shown) == [(2017, Decimal("12.5")), (2018, Decimal("80"))]


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        ("2017:12.5", ["Fasen for 2017: Brug komma som decimaltegn, f.eks. 1,5."]),
        (
            "2019 ti",
            ["»2019 ti« er ikke en fase; skriv år: værdi, f.eks. 2017: 30; 2018: 80."],
        ),
        ("17:30", ["»17:30« er ikke en fase; skriv år: værdi, f.eks. 2017: 30; 2018: 80."]),
        ("1800:3", ["»1800« er ikke et årstal (f.eks. 2018)."]),
        ("2017:", ["Fasen for 2017: Skriv et tal, f.eks. 12 eller 1.234,5."]),
        (
            "2017:NaN",
            [
                "Fasen for 2017: »NaN« er ikke et tal. Skriv et endeligt tal, f.eks. 12 "
                "eller 1.234,5."
            ],
        ),
        ("2017:-5", ["Fasen for 2017 er -5; en fase kan ikke være negativ."]),
        ("2019:1; 2019:2", ["Hvert år må kun have én fase. 2019 står flere gange."]),
        (
            "2017:x; 2018:1.5",  # every problem, not just the first
            [
                "Fasen for 2017: »x« er ikke et tal. Skriv fx 1.234,5 eller 1234,5.",
                "Fasen for 2018: Brug komma som decimaltegn, f.eks. 1,5.",
            ],
        ),
    ],
)
def test_bad_phases_are_refused_in_danish(text, messages):
    assert refusal(text, parse_phases) == messages
