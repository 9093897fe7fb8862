"""Recording a six-parameter assessment: programleder only, 1–5 or 'ikke scoret'."""

from __future__ import annotations

import pytest

from evaluations.models import Assessment, ImplementationParameter, ParameterScore, ScoreSnapshot

pytestmark = pytest.mark.django_db

LIST = "/vurderinger/jobvaekstpakken/"
NEW = "/vurderinger/jobvaekstpakken/ny/"


def form(**overrides) -> dict:
    data = {
        "title": "Intern status 2019",
        "date": "15.03.2019",
        "assessor": "BusinessAalborg",
        "kind": "intern",
        "initiative": "",
    }
    for p in ImplementationParameter.objects.all():
        data[f"p{p.pk}-score"] = ""
        data[f"p{p.pk}-justification"] = ""
    data.update(overrides)
    return data


def test_the_2018_assessment_is_listed_with_how_many_were_scored(client, users):
    client.force_login(users.udvalg)
    assert client.get("/vurderinger/").url == LIST
    page = client.get(LIST).content.decode()
    assert "Midtvejsevaluering af Jobvækstpakken" in page
    assert "gennemsnit af 1 af 6 parametre: 4,0" in page
    assert "3,0 (angivet samlet score i vurderingen: tilfredsstillende" in page
    assert page.count("<td>Ikke scoret</td>") == 5
    assert "Registrér en ny vurdering" not in page


def test_the_programleder_records_an_assessment_with_scale_texts(
    client, users, django_capture_on_commit_callbacks
):
    client.force_login(users.programleder)
    page = client.get(NEW).content.decode()
    assert "4 – Implementeringen er meget tilfredsstillende. Få forbedringspotentialer." in page
    first = ImplementationParameter.objects.get(order=1)
    second = ImplementationParameter.objects.get(order=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            NEW,
            form(
                **{
                    f"p{first.pk}-score": "4",
                    f"p{first.pk}-justification": "Tæt samarbejde.",
                    f"p{second.pk}-score": "2",
                    f"p{second.pk}-justification": "Koblingen er indirekte.",
                }
            ),
        )
    assert response.status_code == 302
    assessment = Assessment.objects.get(title="Intern status 2019")
    assert assessment.recorded_by == users.programleder
    assert ParameterScore.objects.filter(assessment=assessment, score__isnull=True).count() == 4
    snapshot = ScoreSnapshot.objects.get(assessment=assessment, initiative=None)
    assert (snapshot.mean, snapshot.n_scored) == (3.0, 2)


def test_a_score_needs_a_justification_and_a_date_must_be_danish(client, users):
    client.force_login(users.programleder)
    first = ImplementationParameter.objects.get(order=1)
    response = client.post(NEW, form(date="2019/03/15", **{f"p{first.pk}-score": "4"}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Skriv datoen som dd.mm.åååå" in page
    assert "Begrund scoren med et par sætninger." in page
    assert not Assessment.objects.filter(title="Intern status 2019").exists()


def test_a_score_outside_the_scale_is_refused(client, users):
    client.force_login(users.programleder)
    first = ImplementationParameter.objects.get(order=1)
    response = client.post(
        NEW, form(**{f"p{first.pk}-score": "6", f"p{first.pk}-justification": "x"})
    )
    assert response.status_code == 400
    assert not Assessment.objects.filter(title="Intern status 2019").exists()


@pytest.mark.parametrize("role", ["tovholder", "baggrundsgruppe", "udvalg"])
def test_only_the_programleder_may_record(client, users, role):
    client.force_login(getattr(users, role))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form()).status_code == 403
    assert Assessment.objects.count() == 1


def test_the_assessment_type_has_no_default(client, users):
    """An internal review must not be saved as an external evaluation by default."""
    client.force_login(users.programleder)
    page = client.get("/vurderinger/jobvaekstpakken/ny/").content.decode()
    assert '<option value="" selected>Vælg type</option>' in page
    data = {"title": "Egen gennemgang", "date": "01.06.2019", "assessor": "BA", "kind": ""}
    response = client.post("/vurderinger/jobvaekstpakken/ny/", data)
    assert "Vælg, om det er en ekstern evaluering eller en intern vurdering." in (
        response.content.decode()
    )
