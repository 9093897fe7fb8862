"""axe (WCAG 2.1 A/AA) on every page, for each role that sees it differently: 0 serious
or critical violations.

Each role logs in through the login page and visits every page it may see; pages it may
not see are skipped (the permission matrix tests those). The figure printed is the
number of pages checked for the role.
"""

from __future__ import annotations

import pytest

from .base import PASSWORD, load_reference, make_users
from .initiatives.test_pages_browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/opgaver/",
    "/oversigt/",
    "/oversigt/?runde=2018-2",
    "/initiativer/",
    "/initiativer/industri-og-byggeri/",
    "/initiativer/kongresturisme/",
    "/initiativer/detailhandel/",
    "/initiativer/smajobs/",
    "/initiativer/ivaerksaetteri/",
    "/initiativer/smajobs/?kategori=Opnået&sort=-attainment",
    "/initiativer/smajobs/maal/ny/",
    "/initiativer/kongresturisme/maal/8/",
    "/initiativer/kongresturisme/maal/8/historik/",
    "/rapportering/",
    "/rapportering/jobvaekstpakken/2018-2/",
    "/rapportering/jobvaekstpakken/2018-2/smajobs/",
    "/rapportering/jobvaekstpakken/2018-2/smajobs/historik/",
    "/vurderinger/jobvaekstpakken/",
    "/vurderinger/jobvaekstpakken/ny/",
    "/udskrift/jobvaekstpakken/",
    "/udskrift/jobvaekstpakken/program/",
    "/udskrift/jobvaekstpakken/indsats/smajobs/",
    "/udskrift/jobvaekstpakken/arkiv/",
    "/data/",
    "/tilgaengelighed/",
]
# One user per distinct view of the pages: the tovholder edits their own report, the
# programleder manages, the administrator also reaches the admin, and udvalg reads. The
# Baggrundsgruppe holds exactly udvalg's permissions (initiatives/rules.py) and so gets
# the same markup; checking it again would check the same HTML twice.
ROLES = {
    "tovholder": "tove",
    "programleder": "per",
    "udvalg": "ulla",
    "admin": "ada",
}


@pytest.fixture
def people(transactional_db):
    return make_users(load_reference())


def test_the_login_page_has_no_serious_violations(page, live_server, people):
    page.goto(f"{live_server.url}/login/")
    assert serious_violations(page) == []


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_a_role_has_no_serious_violations(page, live_server, people, role):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Brugernavn").fill(ROLES[role])
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"{live_server.url}/opgaver/")
    checked = 0
    found: list[str] = []
    for url in PAGES:
        response = page.goto(f"{live_server.url}{url}")
        if response.status != 200:
            continue  # not this role's page
        found += [f"{url} ({role}): {v}" for v in serious_violations(page)]
        checked += 1
    print(f"axe: {checked} pages for {role}, {len(found)} serious/critical")
    assert found == []
    assert checked >= 15  # every role reads the dashboards, summaries and reports
