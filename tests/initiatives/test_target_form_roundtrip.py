"""What is entered is what is stored (issue 16, point 3).

Every target's edit form, saved unchanged as the page renders it, changes nothing; a total
given with its phases is accepted when it is basis + the phases; "12.5" is refused and
"1.750" is 1750 in the form, the service and the import alike.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from initiatives import importing, services
from initiatives.models import Initiative, Membership, Programme, Target

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent.parent / "fixtures" / "import"
TARGETS_CSV = FIXTURES / "testprogram-maal.csv"
STATUS_CSV = FIXTURES / "testprogram-status.csv"
NEW = "/initiativer/smajobs/maal/ny/"


class FormValues(HTMLParser):
    """The values a browser would send for the page's POST form, as rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._in_form = True
        if tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        if not self._in_form or "name" not in a:
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind == "checkbox":
                if "checked" in a:
                    self.values[a["name"]] = a.get("value") or "on"
            elif kind not in ("submit", "button"):
                self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a["name"]
            self.values.setdefault(a["name"], "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[a["name"]] = ""

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea and self.values[self._textarea].startswith("\n"):
                # The HTML parser keeps the newline Django writes after <textarea>; a
                # browser drops it.
                self.values[self._textarea] = self.values[self._textarea][1:]
            self._textarea = None


def rendered_values(client, url: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    parser = FormValues()
    parser.feed(response.content.decode())
    return parser.values


def errors_shown(response) -> list[str]:
    import re

    return re.findall(r'class="field-error">([^<]*)<', response.content.decode())


def stored(target: Target) -> dict:
    """Every field of the target as stored, and its phases (not the save time)."""
    target.refresh_from_db()
    fields = {f.name: getattr(target, f.attname) for f in Target._meta.concrete_fields}
    fields.pop("updated_at")
    fields["phases"] = [(p.year, p.value) for p in target.phases.order_by("year")]
    fields["history"] = target.history.count()  # not even a row saying "no change"
    return fields


def edit_url(target: Target) -> str:
    return f"/initiativer/{target.initiative.slug}/maal/{target.pk}/"


@pytest.fixture
def both_programmes(users, django_capture_on_commit_callbacks):
    """The reference data, the invented programme of fixtures/import/ (led by the same
    programleder), and a target with a phase of 12,5 made through the service."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_programme", str(TARGETS_CSV), str(STATUS_CSV))
    invented = Programme.objects.get(name="Testprogram Nord (opdigtet)")
    Membership.objects.create(user=users.programleder, programme=invented, role="programleder")
    smajobs = Initiative.objects.get(slug="smajobs")
    half = Target(
        initiative=smajobs,
        level="output",
        title="Halve forløb",
        kind="antal",
        basis="periode",
        baseline_low=Decimal("1.5"),
        target_low=Decimal("1794"),  # 1,5 + 12,5 + 1.780
        start_date=dt.date(2017, 1, 1),
        target_date=dt.date(2018, 12, 31),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.target_save(
            target=half,
            user=users.programleder,
            phases=[(2017, Decimal("12.5")), (2018, Decimal("1780"))],
        )
    return invented


@pytest.mark.slow
def test_every_target_saved_unchanged_from_its_page_changes_nothing(
    client, users, both_programmes, django_capture_on_commit_callbacks
):
    client.force_login(users.programleder)
    targets = list(Target.objects.order_by("pk"))
    assert len(targets) == 27 + 5 + 1  # reference data, invented programme, 12,5
    assert {t.initiative.programme.slug for t in targets} == {
        "jobvaekstpakken",
        both_programmes.slug,
    }
    for target in targets:
        before = stored(target)
        values = rendered_values(client, edit_url(target))
        assert "phases_text" in values and "target_low" in values, target.title
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(edit_url(target), values)
        # No reason was needed either: the form sees no change.
        assert response.status_code == 302, (target.title, values, errors_shown(response))
        assert stored(target) == before, target.title


def test_the_reference_data_and_the_invented_programme_meet_the_entry_rules(both_programmes):
    for target in Target.objects.prefetch_related("phases"):
        phases = [(p.year, p.value) for p in target.phases.all()]
        services.target_rules_check(target=target, phases=phases)  # raises if not


def test_a_phase_of_12_5_is_shown_in_danish_and_kept(client, users, both_programmes):
    client.force_login(users.programleder)
    half = Target.objects.get(title="Halve forløb")
    values = rendered_values(client, edit_url(half))
    assert values["phases_text"] == "2017: 12,5; 2018: 1.780"
    assert (values["baseline_low"], values["target_low"]) == ("1,5", "1.794")
    assert client.post(edit_url(half), values).status_code == 302
    assert [(p.year, p.value) for p in half.phases.all()] == [
        (2017, Decimal("12.5")),
        (2018, Decimal("1780")),
    ]


def test_numbers_written_differently_are_no_change_and_need_no_reason(client, users):
    client.force_login(users.programleder)
    # Byg i Nord has statuses, so a real change would need a reason.
    byg = Target.objects.get(title__startswith="Byg i Nord")
    assert byg.updates.exists()
    values = rendered_values(client, edit_url(byg))
    assert values["phases_text"] == "2017: 30; 2018: 80"
    values["phases_text"] = "2017:30,00\n2018:80"
    assert client.post(edit_url(byg), values).status_code == 302
    values["phases_text"] = "2017: 30; 2018: 81"
    response = client.post(edit_url(byg), values)
    assert response.status_code == 400
    assert "Skriv, hvorfor det ændres." in response.content.decode()


# --- The form ---------------------------------------------------------------------------


def new_target(**overrides) -> dict:
    data = {
        "level": "output",
        "order": "4",
        "title": "Nye forløb",
        "kind": "antal",
        "unit": "forløb",
        "direction": "stigende",
        "basis": "periode",
        "start_date": "01.01.2018",
        "target_date": "31.12.2019",
        "cumulative": "on",
        "measurable": "on",
        "phases_text": "2018: 50; 2019: 70",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def test_the_form_accepts_a_total_that_agrees_with_its_phases(client, users):
    client.force_login(users.programleder)
    response = client.post(NEW, new_target(target_low="120"))
    assert response.status_code == 302
    target = Target.objects.get(title="Nye forløb")
    assert target.target_low == 120
    assert [(p.year, p.value) for p in target.phases.all()] == [(2018, 50), (2019, 70)]


def test_the_form_adds_the_phases_to_the_baseline(client, users):
    client.force_login(users.programleder)
    response = client.post(NEW, new_target(baseline_low="1.000", target_low="1.120"))
    assert response.status_code == 302
    assert Target.objects.get(title="Nye forløb").target_low == 1120


def test_the_form_refuses_a_total_that_does_not_agree_naming_both(client, users):
    client.force_login(users.programleder)
    response = client.post(NEW, new_target(target_low="120", phases_text="2018: 50; 2019: 60"))
    assert response.status_code == 400
    assert "Målet 120 stemmer ikke med basis 0 + faserne 50 + 60 = 110" in response.content.decode()
    response = client.post(
        NEW,
        new_target(baseline_low="1.000,5", target_low="1.234,5", phases_text="2018: 12,5"),
    )
    assert "Målet 1.234,5 stemmer ikke med basis 1.000,5 + fasen 12,5 = 1.013" in (
        response.content.decode()
    )
    assert not Target.objects.filter(title="Nye forløb").exists()


@pytest.mark.parametrize("field", ["target_low", "baseline_low", "phases_text"])
def test_the_form_refuses_a_decimal_point(client, users, field):
    client.force_login(users.programleder)
    typed = {"phases_text": "", field: "2018: 12.5" if field == "phases_text" else "12.5"}
    response = client.post(NEW, new_target(**typed))
    assert response.status_code == 400
    assert "Brug komma som decimaltegn, f.eks. 1,5" in response.content.decode()
    assert not Target.objects.filter(title="Nye forløb").exists()


def test_the_form_reads_a_thousands_point(client, users):
    client.force_login(users.programleder)
    response = client.post(NEW, new_target(target_low="1.750", phases_text="2018: 1.750"))
    assert response.status_code == 302
    target = Target.objects.get(title="Nye forløb")
    assert target.target_low == 1750
    assert [(p.year, p.value) for p in target.phases.all()] == [(2018, 1750)]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {
                "direction": "faldende",
                "baseline_low": "100",
                "target_low": "120",
                "phases_text": "",
            },
            "Et faldende mål kan ikke ligge over basis: målet 120 er større end basis 100.",
        ),
        (
            {"baseline_low": "100", "target_low": "80", "phases_text": ""},
            "Et stigende mål kan ikke ligge under basis: målet 80 er mindre end basis 100.",
        ),
        ({"direction": "faldende"}, "Et faldende mål med faser kræver en basis"),
        (
            {"phases_text": "2016: 5; 2018: 5"},
            "Fasen for 2016 ligger uden for målets periode 2018–2019.",
        ),
    ],
)
def test_the_form_refuses_a_target_against_its_direction_or_period(
    client, users, overrides, message
):
    client.force_login(users.programleder)
    response = client.post(NEW, new_target(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Target.objects.filter(title="Nye forløb").exists()


# --- The service ------------------------------------------------------------------------


def unsaved(**fields) -> Target:
    values = {
        "initiative": Initiative.objects.get(slug="smajobs"),
        "level": "output",
        "title": "Nye forløb",
        "kind": "antal",
        "basis": "periode",
        "start_date": dt.date(2018, 1, 1),
        "target_date": dt.date(2019, 12, 31),
    }
    values.update(fields)
    return Target(**values)


def test_the_service_stores_a_total_with_its_phases(users):
    target = services.target_save(
        target=unsaved(target_low=Decimal(120)),
        user=users.programleder,
        phases="2018: 50; 2019: 70",
    )
    target.refresh_from_db()
    assert target.target_low == 120
    assert [(p.year, p.value) for p in target.phases.all()] == [(2018, 50), (2019, 70)]


def test_the_service_refuses_a_total_that_does_not_agree_naming_both(users):
    with pytest.raises(ValidationError) as caught:
        services.target_save(
            target=unsaved(target_low=Decimal(120)),
            user=users.programleder,
            phases=[(2018, Decimal(50)), (2019, Decimal(60))],
        )
    assert any(
        "Målet 120 stemmer ikke med basis 0 + faserne 50 + 60 = 110" in m
        for m in caught.value.messages
    )
    assert not Target.objects.filter(title="Nye forløb").exists()


def test_the_service_reads_text_with_the_danish_parser(users):
    with pytest.raises(ValidationError) as caught:
        services.target_save(target=unsaved(), user=users.programleder, phases="2018: 12.5")
    assert caught.value.messages == ["Fasen for 2018: Brug komma som decimaltegn, f.eks. 1,5."]
    with pytest.raises(ValidationError) as caught:
        services.target_save(target=unsaved(target_low="12.5"), user=users.programleder, phases=[])
    assert caught.value.message_dict == {"target_low": ["Brug komma som decimaltegn, f.eks. 1,5."]}
    assert not Target.objects.filter(title="Nye forløb").exists()
    target = services.target_save(
        target=unsaved(target_low="1.750"), user=users.programleder, phases="2018: 1.750"
    )
    target.refresh_from_db()
    assert target.target_low == 1750
    assert [(p.year, p.value) for p in target.phases.all()] == [(2018, 1750)]


def test_the_service_refuses_a_decrease_above_its_baseline(users):
    with pytest.raises(ValidationError) as caught:
        services.target_save(
            target=unsaved(
                direction="faldende",
                baseline_low=Decimal(5),
                target_low=Decimal(4),
                target_high=Decimal(6),
            ),
            user=users.programleder,
            phases=[],
        )
    assert caught.value.message_dict == {
        "target_high": [
            "Et faldende mål kan ikke ligge over basis: målets øvre grænse 6 er større end "
            "basis 5. Ret målet, basis eller retningen."
        ]
    }


# --- The import -------------------------------------------------------------------------

HEADER = [*importing.TARGET_REQUIRED, "startdato"]


def target_csv(**cells) -> tuple[str, bytes]:
    row = {
        "program": "Prg",
        "indsatsområde": "Område",
        "niveau": "output",
        "mål": "Nye forløb",
        "enhed": "forløb",
        "retning": "stigende",
        "målår": "2019",
        "kumulativ": "ja",
        "startdato": "01.01.2018",
        "faser": "2018: 50; 2019: 70",
    }
    row.update(cells)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    writer.writerow([row.get(c, "") for c in HEADER])  # quotes the phases' ";"
    return "Mål.csv", out.getvalue().encode()


def import_problems(**cells) -> list[str]:
    with pytest.raises(importing.ImportError_) as caught:
        importing.parse([target_csv(**cells)])
    return [str(p) for p in caught.value.problems]


def test_the_import_stores_a_total_with_its_phases(django_capture_on_commit_callbacks):
    data = importing.parse([target_csv(**{"mål_fra": "120"})])
    with django_capture_on_commit_callbacks(execute=True):
        services.programme_import(data=data, user=None)
    target = Target.objects.get(title="Nye forløb")
    assert target.target_low == 120
    assert [(p.year, p.value) for p in target.phases.all()] == [(2018, 50), (2019, 70)]


def test_the_import_refuses_a_total_that_does_not_agree_naming_both():
    assert import_problems(**{"mål_fra": "120", "faser": "2018: 50; 2019: 60"}) == [
        "Mål, række 2, kolonne »faser«: Målet 120 stemmer ikke med basis 0 + faserne 50 + 60 "
        "= 110. Ret målet eller faserne (faserne lægges til basis)."
    ]


def test_the_import_refuses_a_decimal_point_and_reads_a_thousands_point():
    assert import_problems(**{"mål_fra": "12.5", "faser": ""}) == [
        "Mål, række 2, kolonne »mål_fra«: Brug komma som decimaltegn, f.eks. 1,5."
    ]
    assert import_problems(faser="2018: 12.5") == [
        "Mål, række 2, kolonne »faser«: Fasen for 2018: Brug komma som decimaltegn, f.eks. 1,5."
    ]
    data = importing.parse([target_csv(**{"mål_fra": "1.750", "faser": "2018: 1.750"})])
    assert data.targets[0].target_low == 1750
    assert data.targets[0].phases == [(2018, Decimal(1750))]


@pytest.mark.parametrize(
    ("cells", "problem"),
    [
        (
            {"retning": "faldende", "basisværdi": "5,5", "mål_fra": "6", "faser": ""},
            "kolonne »mål_fra«: Et faldende mål kan ikke ligge over basis: målet 6 er større "
            "end basis 5,5.",
        ),
        (
            {"basisværdi": "1.200", "mål_fra": "1.100", "faser": ""},
            "kolonne »mål_fra«: Et stigende mål kan ikke ligge under basis: målet 1.100 er "
            "mindre end basis 1.200.",
        ),
        ({"retning": "faldende"}, "kolonne »faser«: Et faldende mål med faser kræver en basis"),
        (
            {"faser": "2016: 50; 2019: 70"},
            "kolonne »faser«: Fasen for 2016 ligger uden for målets periode 2018–2019.",
        ),
    ],
)
def test_the_import_refuses_a_target_against_its_direction_or_period(cells, problem):
    found = import_problems(**cells)
    assert any(problem in p for p in found), found


def test_an_xlsx_numeric_cell_is_taken_as_it_is():
    from openpyxl import Workbook

    workbook = Workbook()
    ws = workbook.active
    ws.title = "Mål"
    ws.append(HEADER)
    cells = {
        "program": "Prg",
        "indsatsområde": "Område",
        "niveau": "output",
        "mål": "Nye forløb",
        "retning": "stigende",
        "basisværdi": 12.5,
        "basisår": 2017,
        "mål_fra": Decimal("1794.25"),
        "målår": 2019.0,
        "faser": "2018: 1.780; 2019: 1,75",
        "startdato": "01.01.2018",
    }
    ws.append([cells.get(c) for c in HEADER])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = importing.parse([("program.xlsx", buffer.getvalue())])
    target = data.targets[0]
    assert (target.baseline_low, target.baseline_year) == (Decimal("12.5"), 2017)
    assert target.target_low == Decimal("1794.25")
    assert target.target_date.year == 2019


def test_reading_a_csv_whose_sniffing_fails_leaves_csv_excel_alone():
    # Rows of unequal length: the Sniffer gives up, and the fallback picks ";".
    text = "program;mål\nPrg\n"
    with pytest.raises(csv.Error):
        csv.Sniffer().sniff(text, delimiters=";,\t")
    assert csv.excel.delimiter == ","
    sheets, _ = importing.read([("Mål.csv", text.encode())])
    assert sheets["Mål"].header == ["program", "mål"]  # read with ";"
    # ... without changing the dialect every other CSV reader in the process uses.
    assert csv.excel.delimiter == ","
    assert list(csv.reader(["a,b;c"])) == [["a", "b;c"]]
