"""Every field of a target reaches the form, the export, the import and the API.

They share one list (``initiatives.models.TARGET_FIELDS``); a field added to a target
but forgotten by one of them would be lost on a round trip or hidden from a reader.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from evaluations.exporting import programme_workbook
from initiatives import importing, services
from initiatives.forms import TargetForm
from initiatives.models import TARGET_FIELDS, Initiative, Target

pytestmark = pytest.mark.django_db

EVERY_FIELD = {
    "level": "output",
    "title": "Andel i ordinære timer",
    "definition": "Andelen af småjobberne, der har ordinære timer efter et år.",
    "kind": "procent",
    "unit": "%",
    "direction": "stigende",
    "basis": "niveau",
    "baseline_low": Decimal("10"),
    "baseline_high": Decimal("12.5"),
    "baseline_year": 2016,
    "target_low": Decimal("40"),
    "target_high": Decimal("50"),
    "target_text": "Mindst 40 %, gerne 50 %",
    "start_date": dt.date(2017, 1, 1),
    "target_date": dt.date(2019, 12, 31),
    "cumulative": True,
    "orientation": "job",
    "horizon": "lang",
    "measurable": False,
    "source": "Jobcenter Aalborg, opgørelse 2018",
}


def test_the_example_sets_every_field():
    assert set(EVERY_FIELD) == set(TARGET_FIELDS)


def test_every_field_survives_an_export_and_an_import(reference):
    smajobs = Initiative.objects.get(slug="smajobs")
    target = Target(initiative=smajobs, **EVERY_FIELD)
    target.full_clean()
    target.save()
    exported = programme_workbook(reference)
    target.delete()

    services.programme_import(data=importing.parse([("jobvaekstpakken.xlsx", exported)]), user=None)

    again = Target.objects.get(initiative=smajobs, title=EVERY_FIELD["title"])
    assert {name: getattr(again, name) for name in TARGET_FIELDS} == EVERY_FIELD


def test_every_field_is_in_the_form_and_the_api(client, users):
    smajobs = Initiative.objects.get(slug="smajobs")
    target = Target.objects.create(initiative=smajobs, **EVERY_FIELD)
    form = TargetForm(instance=target, needs_reason=False)
    assert set(TARGET_FIELDS) <= set(form.fields)

    client.force_login(users.baggrundsgruppe)
    shown = client.get(f"/api/v1/targets/{target.pk}/").json()
    for name, value in EVERY_FIELD.items():
        if isinstance(value, Decimal):
            assert Decimal(shown[name]) == value, name
        else:
            assert shown[name] == (str(value) if isinstance(value, dt.date) else value), name
