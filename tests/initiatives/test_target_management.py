"""The programleder creates and edits targets; a change to a target with statuses needs a reason."""

from __future__ import annotations

import pytest

from evaluations.models import AttainmentSnapshot
from initiatives.models import Target

pytestmark = pytest.mark.django_db

NEW = "/initiativer/smajobs/maal/ny/"


def edit_url(target: Target) -> str:
    return f"/initiativer/{target.initiative.slug}/maal/{target.pk}/"


def fields(target: Target | None = None, **overrides) -> dict:
    data = {
        "sub_initiative": "",
        "level": "output",
        "order": "4",
        "title": "Nye fleksjob",
        "definition": "",
        "kind": "antal",
        "unit": "fleksjob",
        "direction": "stigende",
        "basis": "periode",
        "baseline_low": "",
        "baseline_high": "",
        "baseline_year": "",
        "target_low": "",
        "target_high": "",
        "target_text": "",
        "start_date": "01.01.2019",
        "target_date": "31.12.2020",
        "cumulative": "on",
        "orientation": "job",
        "horizon": "kort",
        "measurable": "on",
        "phases_text": "2019:10; 2020:15",
        "reason": "",
    }
    if target is not None:
        for name in data:
            if hasattr(target, name) and name not in ("sub_initiative",):
                value = getattr(target, name)
                data[name] = "" if value is None else value
        data["sub_initiative"] = target.sub_initiative_id or ""
        data["start_date"] = target.start_date.strftime("%d.%m.%Y")
        data["target_date"] = target.target_date.strftime("%d.%m.%Y")
        data["cumulative"] = "on" if target.cumulative else ""
        data["measurable"] = "on" if target.measurable else ""
        data["phases_text"] = ""
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def test_the_programleder_creates_a_phased_target(
    client, users, django_capture_on_commit_callbacks
):
    client.force_login(users.programleder)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, fields())
    assert response.status_code == 302
    target = Target.objects.get(title="Nye fleksjob")
    assert [(p.year, p.value) for p in target.phases.all()] == [(2019, 10), (2020, 15)]
    assert target.describe() == "10 (2019) + 15 (2020) = 25"
    assert AttainmentSnapshot.objects.filter(target=target).count() == 1
    assert target.history.get().history_user == users.programleder


def test_changing_a_target_with_statuses_needs_a_reason_which_is_kept(client, users):
    client.force_login(users.programleder)
    staff = Target.objects.get(
        title="Antal jobcentermedarbejdere, der deltager i kompetenceudvikling"
    )
    response = client.post(edit_url(staff), fields(staff, target_low="20"))
    assert response.status_code == 400
    assert "Skriv, hvorfor det ændres." in response.content.decode()
    staff.refresh_from_db()
    assert staff.target_low == 16
    response = client.post(
        edit_url(staff), fields(staff, target_low="20", reason="Flere medarbejdere i 2019.")
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.target_low == 20
    page = client.get(edit_url(staff) + "historik/").content.decode()
    assert "begrundelse: Flere medarbejdere i 2019." in page
    assert "Målværdi (fra)</strong>: 16 → 20" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"target_low": "140", "target_high": "85"}, "Den øvre grænse skal være mindst"),
        ({"phases_text": "2019 ti"}, "er ikke en fase"),
        ({"phases_text": "2019:1; 2019:2"}, "Hvert år må kun have én fase."),
        ({"target_low": "mange"}, "Skriv et tal"),
        ({"start_date": "2019-13-45"}, "Skriv datoen som dd.mm.åååå."),
    ],
)
def test_bad_target_input_is_refused_in_danish(client, users, overrides, message):
    client.force_login(users.programleder)
    response = client.post(NEW, fields(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Target.objects.filter(title="Nye fleksjob").exists()


@pytest.mark.parametrize("role", ["tovholder", "baggrundsgruppe", "udvalg"])
def test_only_the_programleder_manages_targets(client, users, role):
    client.force_login(getattr(users, role))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, fields()).status_code == 403
    assert not Target.objects.filter(title="Nye fleksjob").exists()
