"""The indicators in the API (/api/v1/indicators/, issue 10): the reference figures with
their qualifiers, the gap to the national level, attainment, who sees them, and the cost
of a page.

The expected values are the seeds' (COWI 2018 ch. 1–2; Beskæftigelsesudvalget 2014),
as tests/initiatives/test_indicators.py reads them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from initiatives.models import Area, Indicator, IndicatorObservation, Membership, Programme

pytestmark = pytest.mark.django_db

# Session and user, the page's COUNT and rows, then the observations with their areas.
LIST_QUERIES = 5


@pytest.fixture(autouse=True)
def _no_session_refresh(settings) -> None:
    # As in test_api_list_queries: growing the data must not trigger the session's refresh.
    settings.SESSION_REFRESH_SECONDS = 3600


def by_slug(body: dict) -> dict:
    return {row["slug"]: row for row in body["results"]}


def other_programme(name: str = "Andet program") -> Programme:
    return Programme.objects.create(
        slug="andet-program",
        name=name,
        start_date=dt.date(2019, 1, 1),
        end_date=dt.date(2021, 12, 31),
    )


def test_the_reference_indicators_with_the_35_to_80_and_the_computed_gap(client, users):
    token = Token.objects.create(user=users.baggrundsgruppe).key
    response = client.get("/api/v1/indicators/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    rows = by_slug(body)

    jobs = rows["nye-job-til-borgere-i-aalborg"]
    assert (jobs["programme"], jobs["purpose"], jobs["orientation"]) == (
        "jobvaekstpakken",
        "Jobrettet",
        "job",
    )
    assert jobs["home_area"] == "Aalborg Kommune"
    assert [
        (o["area"], o["period_label"], o["value"], o["qualifier"], o["text"])
        for o in jobs["observations"]
    ] == [
        ("Aalborg Kommune", "ved iværksættelsen af Jobvækstpakken", "35.0000", "ca", "ca. 35 %"),
        ("Aalborg Kommune", "på tidspunktet for midtvejsevalueringen", "80.0000", "eksakt", "80 %"),
    ]
    assert jobs["observations"][0]["period_start"] is None  # the report names no dates
    assert jobs["change_text"] == "fra ca. 35 % til 80 %"
    assert jobs["latest_text"] == "80 %"
    assert jobs["gap"] is None  # no national figure for this one
    assert jobs["source"]["name"].startswith("COWI: Jobvækstpakken – midtvejsevaluering")
    # No seed sets a target: the engine says so, as it does for targets.
    assert jobs["attainment"]["category"] == "Intet måltal"
    assert jobs["attainment"]["percent"] is None
    assert jobs["attainment"]["inputs"]["A"] == 80.0

    activation = rows["virksomhedsvendt-aktivering"]
    assert activation["purpose"] == "Kontekst"
    assert activation["gap"] == {
        "period": "september 2014",
        "text": "5,2 procentpoint under landsgennemsnittet",
        "difference": "-5.2000",
        "unit": "procentpoint",
        "computed": True,
        "favourable": False,
        "formula": "40,3 % − 45,5 % = −5,2 procentpoint",
    }
    group = next(o for o in activation["observations"] if o["area_kind"] == "gruppe")
    assert (group["area"], group["qualifier"], group["text"]) == (
        "København, Aarhus og Odense",
        "mindst",
        "mindst 44 %",
    )
    assert [o["area_kind"] for o in activation["observations"]] == [
        "kommune",
        "gruppe",
        "hele_landet",
    ]
    assert activation["observations"][0]["period_end"] == "2014-09-30"

    unemployment = rows["ledighed"]
    assert unemployment["gap"]["computed"] is False
    assert unemployment["gap"]["difference"] is None
    assert unemployment["gap"]["text"] == "ca. 1,5 procentpoint over landsgennemsnittet"
    assert unemployment["observations"][0]["value"] is None
    assert unemployment["observations"][0]["stated_gap"] == unemployment["gap"]["text"]
    assert unemployment["latest_text"] is None


def test_the_detail_is_the_same_as_the_list_row(client, users):
    client.force_login(users.udvalg)
    listed = by_slug(client.get("/api/v1/indicators/").json())["virksomhedsvendt-aktivering"]
    detail = client.get(f"/api/v1/indicators/{listed['id']}/")
    assert detail.status_code == 200
    assert detail.json() == listed


def test_a_target_on_an_indicator_gives_its_attainment(client, users):
    indicator = Indicator.objects.get(slug="nye-job-til-borgere-i-aalborg")
    indicator.baseline_value = 35
    indicator.target_value = 100
    indicator.save()
    client.force_login(users.tovholder)
    row = client.get(f"/api/v1/indicators/{indicator.pk}/").json()
    # (80 − 35) / (100 − 35) × 100 = 69,2 %
    assert row["attainment"]["basis"] == "beregnet"
    assert row["attainment"]["percent"] == pytest.approx(69.23, abs=0.01)
    assert row["attainment"]["formula"]


def test_a_user_of_another_programme_sees_only_its_own_indicators(client, users, reference):
    other = other_programme()
    area = Area.objects.get(name="Aalborg Kommune")
    own = Indicator.objects.create(
        programme=other, slug="egen", name="Egen indikator", unit="%", home_area=area,
        source_name="Opdigtet",
    )  # fmt: skip
    Membership.objects.create(user=users.outsider, programme=other, role="baggrundsgruppe")
    client.force_login(users.outsider)
    body = client.get("/api/v1/indicators/").json()
    assert [row["slug"] for row in body["results"]] == ["egen"]
    assert client.get(f"/api/v1/indicators/{own.pk}/").status_code == 200
    for indicator in Indicator.objects.filter(programme=reference):
        assert client.get(f"/api/v1/indicators/{indicator.pk}/").status_code == 403
    # And the reference programme's users do not see the other programme's indicator.
    client.force_login(users.baggrundsgruppe)
    assert "egen" not in by_slug(client.get("/api/v1/indicators/").json())
    assert client.get(f"/api/v1/indicators/{own.pk}/").status_code == 403


def test_someone_without_a_role_sees_no_indicators(client, users):
    client.force_login(users.outsider)
    assert client.get("/api/v1/indicators/").json()["count"] == 0
    indicator = Indicator.objects.first()
    assert client.get(f"/api/v1/indicators/{indicator.pk}/").status_code == 403
    assert client.get("/api/v1/indicators/999999/").status_code == 404


def test_anonymous_requests_for_indicators_are_refused(client, reference):
    indicator = Indicator.objects.first()
    for url in ("/api/v1/indicators/", f"/api/v1/indicators/{indicator.pk}/"):
        response = client.get(url)
        assert response.status_code == 401, url
        assert "results" not in response.json()
        assert "name" not in response.json()


def test_writing_indicators_is_not_allowed(client, users):
    client.force_login(users.programleder)
    assert client.post("/api/v1/indicators/", {"name": "x"}).status_code == 405


def grow(programme: Programme, factor: int = 10) -> None:
    """Ten times the indicators, each with observations in three areas over six periods."""
    areas = list(Area.objects.order_by("order"))
    for i in range(3 * (factor - 1)):
        indicator = Indicator.objects.create(
            programme=programme,
            slug=f"ekstra-{i}",
            name=f"Ekstra indikator {i}",
            unit="%",
            home_area=areas[0],
            source_name="Opdigtet til testen",
            order=10 + i,
            target_value=60,
        )
        IndicatorObservation.objects.bulk_create(
            IndicatorObservation(
                indicator=indicator,
                area=area,
                period_label=f"{year}",
                period_start=dt.date(year, 1, 1),
                period_end=dt.date(year, 12, 31),
                value=40 + n + year % 10,
                qualifier="ca" if n == 1 else "eksakt",
            )
            for n, area in enumerate(areas)
            for year in range(2015, 2021)
        )


def list_page(client) -> tuple[list[str], dict]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/indicators/")
    assert response.status_code == 200
    return [q["sql"] for q in captured], response.json()


def test_a_page_of_indicators_costs_the_same_queries_on_ten_times_the_data(
    client, users, reference
):
    client.force_login(users.baggrundsgruppe)
    queries, body = list_page(client)
    assert len(queries) == LIST_QUERIES, queries
    assert body["count"] == 3
    grow(reference)
    queries, body = list_page(client)
    assert len(queries) == LIST_QUERIES, queries
    assert body["count"] == 30
    extra = by_slug(body)["ekstra-0"]
    assert len(extra["observations"]) == 18
    assert extra["gap"]["text"] == "2 procentpoint under landsgennemsnittet"  # 2020: 40 vs 42
    assert extra["attainment"]["category"] != "Intet måltal"
