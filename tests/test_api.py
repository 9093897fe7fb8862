"""The read-only API: authentication, the page's permission rules, and its own schema.

schemathesis generates requests from the served OpenAPI schema and checks every
response against it (status codes, content type, body schema).
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

ENDPOINTS = ["programmes", "initiatives", "targets", "rounds", "assessments", "indicators"]


@pytest.fixture
def token(users) -> str:
    return Token.objects.create(user=users.baggrundsgruppe).key


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_requests_are_refused(client, reference, endpoint):
    response = client.get(f"/api/v1/{endpoint}/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "results" not in response.json()


def test_a_machine_reads_targets_with_their_attainment_and_explanation(client, token):
    response = client.get("/api/v1/targets/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 27
    staff = next(
        t
        for t in body["results"]
        if t["title"].startswith("Antal jobcentermedarbejdere, der deltager")
    )
    latest = staff["latest_attainment"]
    assert latest["round"] == "2018-2"
    assert latest["percent"] == 375.0
    assert latest["formula"] == "(60 − 0) / (16 − 0) × 100 = 375 %"
    assert latest["inputs"]["A"] == 60.0


def test_a_wrong_token_is_refused(client, reference):
    assert client.get("/api/v1/targets/", HTTP_AUTHORIZATION="Token forkert").status_code == 401


def test_the_browser_session_works_too(client, users):
    client.force_login(users.udvalg)
    body = client.get("/api/v1/assessments/").json()
    assert body["results"][0]["title"] == "Midtvejsevaluering af Jobvækstpakken"
    scores = {s["parameter"]: s["score"] for s in body["results"][0]["scores"]}
    assert scores["Organisering og samarbejde"] == 4
    assert list(scores.values()).count(None) == 5  # ikke scoret stays empty


def test_someone_without_a_role_sees_nothing(client, users):
    client.force_login(users.outsider)
    for endpoint in ENDPOINTS:
        assert client.get(f"/api/v1/{endpoint}/").json()["count"] == 0, endpoint
    # It exists, but is not theirs: refused, as on the pages (and an unknown one is 404).
    assert client.get("/api/v1/programmes/jobvaekstpakken/").status_code == 403
    assert client.get("/api/v1/initiatives/smajobs/").status_code == 403
    assert client.get("/api/v1/initiatives/findes-ikke/").status_code == 404


def test_lists_are_paginated(client, token):
    first = client.get("/api/v1/targets/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert (first["count"], len(first["results"]), first["next"]) == (27, 27, None)
    beyond = client.get("/api/v1/targets/?page=2", HTTP_AUTHORIZATION=f"Token {token}")
    assert beyond.status_code == 404


def test_writing_is_not_allowed(client, token):
    response = client.post("/api/v1/targets/", {"title": "x"}, HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 405


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_every_response_matches_the_openapi_schema(live_server, tmp_path):
    """schemathesis on loopback, as a client would call it: every operation, all checks."""
    from tests.base import examples, load_reference, make_users

    users = make_users(load_reference())
    key = Token.objects.create(user=users.baggrundsgruppe).key
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{live_server.url}/api/v1/schema/",
            "--header",
            f"Authorization: Token {key}",
            "--checks",
            "all",
            "--max-examples",
            str(examples(30, 10)),
            "--seed",
            "1",
            "--report-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "No issues found" in output
    assert "Selected: 12/12" in output  # list and detail of all six endpoints were tried
