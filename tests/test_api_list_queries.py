"""The API's lists at scale: a page costs the same queries whatever the data holds.

Each list is one page of 50 with its relations loaded in bulk (the targets with only
their newest figure), so a client paging through ten times the programme sees no more
round trips per page. The counts are pinned exactly.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.models import Assessment, ImplementationParameter, ParameterScore
from initiatives.models import (
    Initiative,
    Membership,
    Programme,
    ReportingRound,
    Target,
    TargetPhase,
)

pytestmark = pytest.mark.django_db

# Session and user, then the page's COUNT and rows, then what the page prefetches.
QUERIES = {
    "programmes": 4,
    "initiatives": 4,
    "rounds": 4,
    "targets": 6,  # phases, and the newest shown snapshot of each target
    "assessments": 6,  # scores, and the score summaries
}


@pytest.fixture(autouse=True)
def _no_session_refresh(settings) -> None:
    # The session is rewritten at most once a minute (SESSION_REFRESH_SECONDS); growing the
    # data can take longer than that, and the refresh is not the API's doing.
    settings.SESSION_REFRESH_SECONDS = 3600


def grow(user, factor: int = 10) -> None:
    """Ten times the programme: targets with phases, rounds, assessments, programmes."""
    programme = Programme.objects.get(slug="jobvaekstpakken")
    smajobs = Initiative.objects.get(slug="smajobs")
    for year in (2019, 2020):
        for n in range(1, 7):
            ReportingRound.objects.create(
                programme=programme,
                year=year,
                number=n,
                period_start=dt.date(year, 2 * n - 1, 1),
                period_end=dt.date(year, 2 * n - 1, 28),
                deadline=dt.date(year, 2 * n, 15),
                state="lukket" if year == 2019 else "planlagt",
            )
    for i in range(27 * (factor - 1)):
        target = Target.objects.create(
            initiative=smajobs,
            level="output",
            title=f"Ekstra mål {i}",
            kind="antal",
            target_low=100 + i,
            orientation="vaekst",
            horizon="kort",
        )
        TargetPhase.objects.create(target=target, year=2019, value=10 + i)
        TargetPhase.objects.create(target=target, year=2020, value=20 + i)
    parameters = list(ImplementationParameter.objects.all())
    for i in range(factor):
        review = Assessment.objects.create(
            programme=programme,
            date=dt.date(2019, 1, 1) + dt.timedelta(days=i),
            title=f"Intern vurdering {i}",
            assessor="BusinessAalborg",
            kind="intern",
        )
        for initiative in [None, smajobs]:
            for parameter in parameters:
                ParameterScore.objects.create(
                    assessment=review, parameter=parameter, initiative=initiative, score=3
                )
    for i in range(factor):
        other = Programme.objects.create(
            slug=f"ekstra-{i}",
            name=f"Ekstra program {i}",
            start_date=dt.date(2019, 1, 1),
            end_date=dt.date(2021, 12, 31),
        )
        Membership.objects.create(user=user, programme=other, role="baggrundsgruppe")
        for n in range(1, 6):
            Initiative.objects.create(programme=other, slug=f"ekstra-{i}-{n}", number=n, name="X")
    call_command("recompute", "--all", verbosity=0)


def page(client, endpoint: str) -> tuple[list[str], dict]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/v1/{endpoint}/")
    assert response.status_code == 200
    return [q["sql"] for q in captured], response.json()


def test_every_list_runs_the_same_queries_on_ten_times_the_data(client, users):
    client.force_login(users.baggrundsgruppe)
    before = {}
    for endpoint, expected in QUERIES.items():
        queries, body = page(client, endpoint)
        assert len(queries) == expected, (endpoint, queries)
        before[endpoint] = body["count"]
    grow(users.baggrundsgruppe)
    for endpoint, expected in QUERIES.items():
        queries, body = page(client, endpoint)
        assert len(queries) == expected, (endpoint, queries)
        assert body["count"] > before[endpoint], endpoint  # the grown data is what it lists
        assert len(body["results"]) == min(body["count"], 50)


def test_the_grown_targets_show_their_phases_and_newest_figure(client, users):
    client.force_login(users.baggrundsgruppe)
    grow(users.baggrundsgruppe, factor=3)
    listed = []
    url = "/api/v1/targets/"
    while url:
        body = client.get(url).json()
        listed += body["results"]
        url = body["next"]
    assert len(listed) == body["count"] == 27 * 3
    extra = next(t for t in listed if t["title"] == "Ekstra mål 20")
    assert extra["phases"] == [
        {"year": 2019, "value": "30.00"},
        {"year": 2020, "value": "40.00"},
    ]
    # 2019-6 is the newest round that is not merely planned (2020 is planned).
    assert extra["latest_attainment"]["round"] == "2019-6"
    assert extra["latest_attainment"]["category"] == "Ingen status"
