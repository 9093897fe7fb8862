"""Generated bad input (hypothesis): 1.000 for the import parser and, under
``pytest --hypothesis-profile=thorough``, 1.000 per form too (200 per form otherwise:
every example is a whole request, and the ordinary run must stay quick).

Each example takes a valid submission and spoils one field with a value that field must
refuse. The page must answer 400 with its Danish error, save nothing, and never fail
with a server error. The number tried is printed for the issue notes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluations.models import Assessment, Edition, ImplementationParameter
from initiatives import importing
from initiatives.models import StatusReport, Target
from jobvaekst.numbers import parse_number

from .base import examples, open_round_2018_3

pytestmark = pytest.mark.django_db

EXAMPLES = examples(1000, 40)  # per form; CI also runs the thorough profile
PARSER_EXAMPLES = 1000  # in-process parsing: cheap enough to try them all every run
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # the same examples on every machine
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _not_a_number(text: str) -> bool:
    try:
        parse_number(text.strip())
    except ValidationError:
        return True
    return False


def _form_rejects(text: str) -> bool:
    """Would a form's number field (Danish, 14 digits, 2 decimals) refuse this text?"""
    from django import forms

    from initiatives.forms import DanishDecimalField

    field = DanishDecimalField(max_digits=14, decimal_places=2)
    try:
        field.clean(text)
    except forms.ValidationError:
        return True
    return False


# Values no number field may accept: words, symbols, NaN and infinity, and numbers
# with more digits than the field holds.
not_numbers = st.one_of(
    st.text(min_size=1, max_size=30).filter(lambda s: s.strip() != "" and _not_a_number(s)),
    st.sampled_from(["NaN", "nan", "Infinity", "-inf", "1e400", "12,34,56", "1..2", "--5"]),
    st.integers(min_value=10**13, max_value=10**30).map(str),
)
form_not_numbers = not_numbers.filter(_form_rejects)
negative = st.integers(min_value=-(10**9), max_value=-1).map(str)
bad_dates = st.one_of(
    st.text(min_size=1, max_size=20).filter(lambda s: s.strip() != ""),
    st.sampled_from(["31.02.2018", "00.01.2018", "2018-13-01", "32.12.2018", "15/05/2018"]),
).filter(lambda s: not _is_date(s))


def _is_date(text: str) -> bool:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y", "%d-%m-%Y", "%m/%d/%Y"):
        try:
            dt.datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
        return True
    return False


def refuse_every(client, url: str, valid: dict, spoilers, *, nothing_saved, name: str) -> None:
    """Post ``valid`` with one field spoiled, EXAMPLES times: each must be a 400, unsaved."""
    tried = []

    @SETTINGS
    @given(spoiled=spoilers)
    def spoil(spoiled):
        field, value = spoiled
        response = client.post(url, {**valid, field: value})
        assert response.status_code == 400, (field, value, response.status_code)
        assert nothing_saved(), (field, value)
        tried.append(value)

    spoil()
    assert len(tried) >= EXAMPLES
    print(f"{name}: {len(tried)} invalid inputs, 0 accepted, 0 server errors")


@pytest.fixture
def open_round(reference):
    return open_round_2018_3(reference)


@pytest.mark.slow
def test_the_status_form_refuses_every_bad_number(client, users, open_round, capsys):
    client.force_login(users.tovholder)
    url = "/rapportering/jobvaekstpakken/2018-3/smajobs/"
    targets = list(Target.objects.filter(initiative__slug="smajobs"))
    numeric = [t for t in targets if t.target_low is not None or t.phases.exists()]
    valid = {"version": "0", "action": "gem", "progress": "Fint", "budget_spent": "1000"}
    for t in targets:
        valid[f"t{t.pk}-value"] = "" if t not in numeric else "61"
        valid[f"t{t.pk}-comment"] = "ok"
    assert client.post(url, valid).status_code == 302  # the valid submission is accepted
    StatusReport.objects.all().delete()
    fields = ["budget_spent", *[f"t{t.pk}-value" for t in numeric]]
    spoilers = st.tuples(st.sampled_from(fields), st.one_of(form_not_numbers, negative))
    refuse_every(
        client,
        url,
        valid,
        spoilers,
        nothing_saved=lambda: not StatusReport.objects.exists(),
        name="status form",
    )


@pytest.mark.slow
def test_the_target_form_refuses_every_bad_value(client, users, capsys):
    client.force_login(users.programleder)
    url = "/initiativer/smajobs/maal/ny/"
    valid = {
        "level": "aktivitet",
        "order": "1",
        "title": "Prøvemål",
        "kind": "antal",
        "direction": "stigende",
        "target_low": "10",
        "start_date": "01.01.2019",
        "target_date": "31.12.2020",
        "measurable": "on",
    }
    before = Target.objects.count()
    assert client.post(url, valid).status_code == 302
    Target.objects.filter(title="Prøvemål").delete()
    spoilers = st.one_of(
        st.tuples(st.sampled_from(["target_low", "target_high", "baseline_low"]), form_not_numbers),
        st.tuples(st.just("target_low"), negative),
        st.tuples(st.sampled_from(["start_date", "target_date"]), bad_dates),
        st.tuples(
            st.just("phases_text"),
            st.text(min_size=1, max_size=25).filter(lambda s: s.strip() and not _phases_ok(s)),
        ),
        st.tuples(
            st.just("level"),
            st.text(max_size=12).filter(lambda s: s not in ("aktivitet", "output", "effekt")),
        ),
        st.tuples(st.just("title"), st.just("")),
    )

    refuse_every(
        client,
        url,
        valid,
        spoilers,
        nothing_saved=lambda: Target.objects.count() == before,
        name="target form",
    )


def _phases_ok(text: str) -> bool:
    from initiatives.forms import TargetForm
    from initiatives.models import Initiative

    instance = Target(initiative=Initiative.objects.get(slug="smajobs"))
    form = TargetForm(data={"phases_text": text}, instance=instance, needs_reason=False)
    form.is_valid()
    return "phases_text" not in form.errors


@pytest.mark.slow
def test_the_assessment_form_refuses_every_bad_score_and_date(client, users, capsys):
    client.force_login(users.programleder)
    url = "/vurderinger/jobvaekstpakken/ny/"
    parameters = list(ImplementationParameter.objects.filter(active=True))
    valid = {"title": "Intern", "date": "01.06.2019", "assessor": "BA", "kind": "intern"}
    for p in parameters:
        valid[f"p{p.pk}-score"] = "3"
        valid[f"p{p.pk}-justification"] = "Tilfredsstillende."
    before = Assessment.objects.count()
    assert client.post(url, valid).status_code == 302
    Assessment.objects.exclude(pk__in=Assessment.objects.order_by("pk")[:before]).delete()
    bad_score = st.one_of(
        st.integers().filter(lambda n: not 1 <= n <= 5).map(str),
        st.text(max_size=6).filter(lambda s: s.strip() not in ("", "1", "2", "3", "4", "5")),
    )
    spoilers = st.one_of(
        st.tuples(st.sampled_from([f"p{p.pk}-score" for p in parameters]), bad_score),
        st.tuples(st.just("date"), bad_dates),
        st.tuples(st.just("title"), st.text(min_size=201, max_size=260)),
        st.tuples(
            st.just("kind"), st.text(max_size=10).filter(lambda s: s not in ("intern", "ekstern"))
        ),
    )

    refuse_every(
        client,
        url,
        valid,
        spoilers,
        nothing_saved=lambda: Assessment.objects.count() == before,
        name="assessment form",
    )


@pytest.mark.slow
def test_the_publish_form_refuses_every_bad_date_and_choice(client, users, capsys):
    client.force_login(users.programleder)
    url = "/udskrift/jobvaekstpakken/udgiv/"
    valid = {"runde": "2018-2", "committee": "magistraten", "meeting_date": "01.06.2018"}
    spoilers = st.one_of(
        st.tuples(st.just("meeting_date"), bad_dates),
        st.tuples(
            st.just("committee"),
            st.text(max_size=25).filter(
                lambda s: s not in {c for c, _ in Edition.Committee.choices}
            ),
        ),
        st.tuples(st.just("runde"), st.text(max_size=8).filter(lambda s: s != "2018-2")),
        st.tuples(
            st.just("supersedes"),
            st.one_of(st.integers(min_value=1).map(str), st.text(min_size=1, max_size=6)),
        ),
    )

    refuse_every(
        client,
        url,
        valid,
        spoilers,
        nothing_saved=lambda: not Edition.objects.exists(),
        name="publish form",
    )


HEADER = ";".join(importing.TARGET_REQUIRED)


def cell(**kwargs):
    """Text a CSV cell can hold as it is: no separator, line break or quote."""
    alphabet = st.characters(exclude_characters=';\n\r"', exclude_categories=("Cs",))
    return st.text(alphabet=alphabet, **kwargs)


COLUMNS = importing.TARGET_REQUIRED
VALID = [
    "Prg",
    "Område",
    "",
    "aktivitet",
    "Antal besøg",
    "besøg",
    "stigende",
    "0",
    "2024",
    "100",
    "",
    "2026",
    "",
    "nej",
    "job",
    "kort",
]


@pytest.mark.slow
def test_the_import_parser_refuses_every_spoiled_cell(capsys):
    assert importing.parse([("Mål.csv", (HEADER + "\n" + ";".join(VALID)).encode())])
    tried = []
    spoilers = st.one_of(
        st.tuples(st.sampled_from(["basisværdi", "mål_fra", "mål_til"]), not_numbers),
        st.tuples(
            st.sampled_from(["basisår", "målår"]),
            cell(min_size=1, max_size=6).filter(
                lambda s: s.strip() and not (s.isdigit() and len(s) == 4 and 1900 <= int(s) <= 2200)
            ),
        ),
        st.tuples(
            st.just("niveau"),
            cell(min_size=1, max_size=10).filter(
                lambda s: s.strip().lower() not in ("aktivitet", "output", "effekt")
            ),
        ),
        st.tuples(
            st.just("retning"),
            # A blank direction is "stigende" (the template's default), so never blank.
            cell(min_size=1, max_size=10).filter(
                lambda s: s.strip() and s.strip().lower() not in ("stigende", "faldende")
            ),
        ),
        st.tuples(
            st.sampled_from(["kumulativ"]),
            cell(min_size=1, max_size=5).filter(
                lambda s: s.strip() and s.strip().lower() not in ("ja", "nej")  # blank is "nej"
            ),
        ),
        st.tuples(
            st.sampled_from(["mål", "enhed", "delinitiativ"]),
            st.tuples(st.sampled_from(["=", "+", "-", "@"]), cell(max_size=10))
            .map("".join)
            .filter(lambda s: _not_a_number(s)),
        ),
        st.tuples(
            st.just("faser"),
            cell(min_size=1, max_size=20).filter(
                lambda s: s.strip() and ";" not in s and not _phase_ok(s)
            ),
        ),
    )

    @settings(SETTINGS, max_examples=PARSER_EXAMPLES)
    @given(spoiled=spoilers)
    def spoil(spoiled):
        column, value = spoiled
        row = list(VALID)
        row[COLUMNS.index(column)] = value
        content = (HEADER + "\n" + ";".join(row) + "\n").encode("utf-8")
        try:
            importing.parse([("Mål.csv", content)])
        except importing.ImportError_ as exc:
            caught = exc
        else:
            pytest.fail(f"accepted {column}={value!a}")
        assert caught.problems, (column, value)
        tried.append(value)

    spoil()
    assert len(tried) >= PARSER_EXAMPLES
    print(f"import parser: {len(tried)} invalid inputs, 0 accepted, 0 server errors")


def _phase_ok(text: str) -> bool:
    import re

    match = re.fullmatch(r"\s*(\d{4})\s*:\s*(.+?)\s*", text)
    if not match:
        return False
    try:
        return parse_number(match[2]) >= Decimal(0)
    except ValidationError:
        return False
