"""Issue 4's end-to-end story in real Chromium, through the pages only.

A tovholder fills in the Småjobs report, saves a draft and submits; the programleder
returns it with a comment; the tovholder corrects and resubmits; the programleder
approves; once the real Celery worker (on Redis) has recomputed, the initiative page
shows the new attainment. axe checks every page.
"""

from __future__ import annotations

import time

import pytest

from ..base import PASSWORD, load_reference, make_users, open_round_2018_3
from .test_pages_browser import serious_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

STAFF = "Aktivitet: Antal jobcentermedarbejdere, der deltager i kompetenceudvikling"
COMPETENCES = "Output: Antal jobcentermedarbejdere, der har opnået nye kompetencer"


@pytest.fixture
def people(transactional_db):
    programme = load_reference()
    open_round_2018_3(programme)
    return make_users(programme)


def log_in_as(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"{live_server.url}/opgaver/")


def staff_value(page):
    return page.get_by_role("group", name=STAFF).get_by_label("Værdi")


def wait_for_row_text(page, row_text: str, expected: str, *, timeout: float = 60) -> str:
    """Reload the page until the worker's figure shows in the row (or fail, saying what)."""
    deadline = time.monotonic() + timeout
    while True:
        text = page.get_by_role("row").filter(has_text=row_text).inner_text()
        if expected in text or time.monotonic() > deadline:
            return text
        time.sleep(0.5)
        page.reload()


def test_report_returned_corrected_and_approved_shows_the_new_attainment(
    page, live_server, people, celery_worker_process
):
    log_in_as(page, live_server, "tove")
    page.get_by_role("link", name="Rapportering", exact=True).click()
    assert serious_violations(page) == []
    page.get_by_role("link", name="2018-3 (maj.–jun. 2018)").click()
    assert serious_violations(page) == []
    page.get_by_role("link", name="Småjobs").click()
    assert staff_value(page).input_value() == "60"  # prefilled from 2018-2
    assert serious_violations(page) == []

    staff_value(page).fill("68")
    page.get_by_label("Fremdrift").fill("To nye forløb er startet.")
    # The other staff figure is left at last round's value: a draft keeps it as it is.
    page.get_by_role("button", name="Gem kladde").click()
    assert "Kladden er gemt." in page.get_by_role("status").inner_text()
    assert staff_value(page).input_value() == "68"
    # Submitting asks once to confirm every value carried forward, and focuses the answer.
    page.get_by_role("button", name="Indsend til programlederen").click()
    question = page.get_by_role("alert")
    assert "Bekræft, at dette mål er uændret" in question.inner_text()
    assert COMPETENCES.removeprefix("Output: ") in question.inner_text()
    confirm = page.get_by_role("button", name="Bekræft, og indsend til programlederen")
    assert confirm.evaluate("button => button === document.activeElement")
    assert serious_violations(page) == []
    confirm.click()
    assert "indsendt til programlederen" in page.get_by_role("status").inner_text()

    log_in_as(page, live_server, "per")
    page.goto(f"{live_server.url}/rapportering/jobvaekstpakken/2018-3/smajobs/")
    assert serious_violations(page) == []
    page.get_by_label("Kommentar til tovholderen").fill("Tallet skal være pr. 30. juni.")
    page.get_by_role("button", name="Returnér til tovholderen").click()
    assert "er returneret" in page.get_by_role("status").inner_text()

    log_in_as(page, live_server, "tove")
    page.goto(f"{live_server.url}/rapportering/jobvaekstpakken/2018-3/smajobs/")
    assert "Tallet skal være pr. 30. juni." in page.get_by_role("note").inner_text()
    staff_value(page).fill("72")
    page.get_by_role("button", name="Indsend til programlederen").click()

    log_in_as(page, live_server, "per")
    page.goto(f"{live_server.url}/rapportering/jobvaekstpakken/2018-3/smajobs/")
    page.get_by_role("button", name="Godkend").click()
    assert "er godkendt" in page.get_by_role("status").inner_text()

    page.goto(f"{live_server.url}/initiativer/smajobs/")
    # The approval queued a recompute on Redis; the worker process computes it.
    row_text = wait_for_row_text(page, "deltager i kompetenceudvikling", "450 % (over mål)")
    assert "450 % (over mål)" in row_text, celery_worker_process.log()[-3000:]  # 72 of 16
    assert serious_violations(page) == []
