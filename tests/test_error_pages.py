"""Error pages are Danish, say what to do next, and keep the security headers."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_no_access_says_so_in_danish_with_the_reason(client, users):
    client.force_login(users.outsider)
    response = client.get("/initiativer/smajobs/")
    text = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Ingen adgang</h1>" in text
    assert "Du har ikke adgang til denne indsats." in text
    assert "Forbidden" not in text


def test_a_missing_page_says_so_in_danish(client, users):
    client.force_login(users.baggrundsgruppe)
    response = client.get("/findes-ikke/")
    text = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Siden findes ikke</h1>" in text
    assert "/findes-ikke/" in text
    assert "Not Found" not in text


@pytest.mark.parametrize(
    ("view", "status", "heading"),
    [
        (defaults.server_error, 500, "Der skete en fejl"),
        (defaults.bad_request, 400, "Forespørgslen kan ikke bruges"),
    ],
)
def test_server_and_request_errors_are_danish_pages(view, status, heading):
    request = RequestFactory().get("/oversigt/")
    response = view(request) if status == 500 else view(request, ValueError("x"))
    text = response.content.decode()
    assert response.status_code == status
    assert f"<h1>{heading}</h1>" in text
    assert '<html lang="da">' in text
