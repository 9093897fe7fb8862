"""Security headers on every response: pages, downloads, the API, errors and the login."""

from __future__ import annotations

import pytest

from .test_permission_matrix import _pages

pytestmark = pytest.mark.django_db

EXTRA = [
    "/login/",
    "/udskrift/jobvaekstpakken/program/pdf/",
    "/udskrift/jobvaekstpakken/program/",
    "/initiativer/smajobs/?_export=csv",
    "/api/v1/assessments/",
    "/findes-ikke/",  # 404
    "/admin/login/",
    "/sso/login/",  # 404 unless SSO is configured
    "/sso/callback/?code=x&state=y",
]


def check(response) -> list[str]:
    problems = []
    csp = response.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    if not csp:
        problems.append("no Content-Security-Policy")
    if "'unsafe-inline'" in directives.get("script-src", ["'unsafe-inline'"]):
        problems.append("script-src allows 'unsafe-inline' (or is missing)")
    if directives.get("frame-ancestors") != ["'none'"]:
        problems.append("frame-ancestors is not 'none'")
    if "max-age=31536000" not in response.get("Strict-Transport-Security", ""):
        problems.append("no HSTS")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if response.get("Referrer-Policy") != "same-origin":
        problems.append("no Referrer-Policy")
    if response.get("X-Frame-Options") != "DENY":
        problems.append("no X-Frame-Options")
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("role", ["anonymous", "admin", "baggrundsgruppe"])
def test_every_response_carries_the_security_headers(client, users, settings, role):
    settings.SECURE_HSTS_SECONDS = 31536000
    if role != "anonymous":
        client.force_login(getattr(users, role))
    urls = sorted({url for _, url, method, _, _ in _pages() if method == "get"} | set(EXTRA))
    failures = []
    for url in urls:
        response = client.get(url, secure=True)
        failures += [f"{url} ({response.status_code}): {p}" for p in check(response)]
    assert failures == []
    assert len(urls) >= 35  # the matrix's pages and the extras above
