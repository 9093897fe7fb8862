"""The first pages in real Chromium: log in, find an initiative, read its targets.

axe checks each page against the WCAG 2.1 A/AA rules; a serious or critical violation
fails the test and names the rule and the elements.
"""

from __future__ import annotations

import pytest

from ..base import PASSWORD, load_reference, make_users

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    # Only the violations come back: axe skips collecting every passing node's details.
    "resultTypes": ["violations"],
}


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def people(transactional_db):
    return make_users(load_reference())


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/initiativer/")
    assert page.url.startswith(f"{live_server.url}/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"{live_server.url}/initiativer/")


def test_a_baggrundsgruppe_member_finds_the_congress_targets(page, live_server, people):
    page.goto(f"{live_server.url}/login/")
    assert serious_violations(page) == []
    log_in(page, live_server, "bente")
    assert page.get_by_role("heading", name="Indsatsområder").is_visible()
    cards = page.locator(".card h3")
    assert cards.all_inner_texts() == [
        "1. Industri og byggeri",
        "2. Kongresturisme",
        "3. Detailhandel",
        "4. Småjobs",
        "5. Iværksætteri",
    ]
    assert serious_violations(page) == []

    page.get_by_role("link", name="2. Kongresturisme").click()
    assert page.get_by_role("heading", name="Kongresturisme", exact=True).is_visible()
    row = page.get_by_role("row").filter(has_text="Der afgives flere bids på kongresser")
    assert "fra 20 (2015) til 34 (2020)" in row.inner_text()
    assert page.get_by_role("heading", name="Effektkæde").is_visible()
    assert serious_violations(page) == []


def test_the_skip_link_is_the_first_stop_for_the_keyboard(page, live_server, people):
    log_in(page, live_server, "ulla")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Gå til indhold"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "indhold"


def test_a_wrong_password_is_explained_in_danish(page, live_server, people):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Brugernavn").fill("bente")
    page.get_by_label("Adgangskode").fill("forkert-kode")
    page.get_by_role("button", name="Log ind").click()
    assert (
        page.get_by_role("alert").inner_text().startswith("Brugernavn eller adgangskode er forkert")
    )
    assert page.get_by_label("Brugernavn").input_value() == "bente"
