"""A tovholder fills and submits a status report with the keyboard alone (WCAG 2.1.1).

Every field is reached with Tab (never clicked), every focus is visible, and the report
reaches the programleder.
"""

from __future__ import annotations

import pytest

from initiatives.models import StatusReport, StatusUpdate

from ..base import PASSWORD, load_reference, make_users, open_round_2018_3

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF = "Aktivitet: Antal jobcentermedarbejdere, der deltager i kompetenceudvikling"
COMPETENCES = "Output: Antal jobcentermedarbejdere, der har opnået nye kompetencer"


@pytest.fixture
def people(transactional_db):
    programme = load_reference()
    open_round_2018_3(programme)
    return make_users(programme)


def tab_to(page, locator, *, limit: int = 150) -> int:
    """Press Tab until ``locator`` has the focus; fail if it is never reached."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            outline = locator.evaluate(
                "el => { const s = getComputedStyle(el);"
                " return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0"
                " || s.boxShadow !== 'none'; }"
            )
            assert outline, f"focus is not visible on {locator}"
            return presses
    pytest.fail(f"{locator} is not reachable with Tab")


def test_a_status_report_is_filled_and_submitted_with_the_keyboard_only(page, live_server, people):
    page.goto(f"{live_server.url}/login/")
    tab_to(page, page.get_by_label("Brugernavn"))
    page.keyboard.type("tove")
    tab_to(page, page.get_by_label("Adgangskode"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/opgaver/")

    page.goto(f"{live_server.url}/rapportering/jobvaekstpakken/2018-3/smajobs/")
    staff = page.get_by_role("group", name=STAFF).get_by_label("Værdi")
    tab_to(page, staff)
    page.keyboard.press("Control+A")
    page.keyboard.type("70")
    unchanged = page.get_by_role("group", name=COMPETENCES).get_by_label(
        "Uændret siden sidste runde"
    )
    tab_to(page, unchanged)
    page.keyboard.press("Space")
    assert unchanged.is_checked()
    tab_to(page, page.get_by_label("Fremdrift"))
    page.keyboard.type("Alt udfyldt med tastaturet.")
    tab_to(page, page.get_by_role("button", name="Indsend til programlederen"))
    page.keyboard.press("Enter")
    page.wait_for_load_state()

    assert "indsendt til programlederen" in page.get_by_role("status").inner_text()
    report = StatusReport.objects.get(initiative__slug="smajobs", round__number=3)
    assert report.state == "indsendt"
    assert report.progress == "Alt udfyldt med tastaturet."
    staff_update = StatusUpdate.objects.get(
        round=report.round, target__title__contains="deltager i kompetenceudvikling"
    )
    assert staff_update.value == 70


def test_an_error_is_reached_from_the_summary_with_the_keyboard(page, live_server, people):
    """The summary takes the focus; its link puts the focus in the field at fault."""
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Brugernavn").fill("tove")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_label("Adgangskode").press("Enter")
    page.wait_for_url(f"{live_server.url}/opgaver/")
    page.goto(f"{live_server.url}/rapportering/jobvaekstpakken/2018-3/smajobs/")
    staff = page.get_by_role("group", name=STAFF).get_by_label("Værdi")
    staff.fill("tres")
    page.get_by_role("button", name="Gem kladde").click()
    page.wait_for_load_state()

    summary = page.locator("#fejl")
    assert summary.evaluate("el => el === document.activeElement")  # the summary has focus
    link = summary.get_by_role("link", name="Skriv et tal")
    presses = tab_to(page, link)
    assert presses == 1  # the first stop after the summary
    page.keyboard.press("Enter")
    assert staff.evaluate("el => el === document.activeElement")
    assert staff.get_attribute("aria-invalid") == "true"
    page.keyboard.press("Control+A")
    page.keyboard.type("70")
    page.keyboard.press("Enter")  # submits the form with its first button, "Gem kladde"
    page.wait_for_load_state()
    assert "Kladden er gemt." in page.get_by_role("status").inner_text()
