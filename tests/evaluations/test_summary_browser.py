"""The committee summary in Chromium: readable, accessible, and printed without chrome."""

from __future__ import annotations

import pytest

from ..base import PASSWORD, load_reference, make_users
from ..initiatives.test_pages_browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(transactional_db):
    return make_users(load_reference())


def test_a_committee_member_reads_and_prints_the_programme_summary(page, live_server, people):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Brugernavn").fill("ulla")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("link", name="Udskrift", exact=True).click()
    assert serious_violations(page) == []
    page.get_by_role("link", name="Vis opsamlingen for hele programmet").click()
    assert page.get_by_role("heading", name="Kort fortalt").is_visible()
    assert serious_violations(page) == []
    # The charts are images that loaded (not broken) and have a text alternative.
    images = page.locator("figure.doc-chart img")
    assert images.count() >= 2
    for i in range(images.count()):
        assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
        assert images.nth(i).get_attribute("alt")

    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()  # no navigation on paper
    assert not page.get_by_role("link", name="Hent som PDF").is_visible()
    assert page.get_by_role("heading", name="Målene").is_visible()
    pdf = page.pdf(format="A4")  # the browser's own print to A4 works
    assert pdf.startswith(b"%PDF")
