"""The initiative page's targets table: every kind of cell, and each target's latest status.

``target_rows`` loads only each target's latest update; it must be the one a reader
would pick by reading every update.
"""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django_tables2 import RequestConfig

from evaluations import selectors
from evaluations.models import AttainmentSnapshot
from evaluations.tables import TargetTable
from initiatives.models import Initiative, ReportingRound, StatusReport, StatusUpdate, Target

from ..base import open_round_2018_3

STAFF_TARGET = "Antal jobcentermedarbejdere, der deltager i kompetenceudvikling"

pytestmark = pytest.mark.django_db

SORTS = ["", "title", "-title", "level", "-attainment", "category", "sub_initiative", "-stated"]


def rendered(rows, query: str) -> str:
    request = RequestFactory().get(f"/initiativer/x/?{query}")
    table = TargetTable(rows)
    RequestConfig(request, paginate=False).configure(table)
    return table.as_html(request)


@pytest.mark.parametrize("sort", SORTS)
def test_the_targets_table_shows_every_kind_of_cell(reference, sort):
    # Stale, flagged and pending figures, a missing snapshot, text that must be escaped,
    # targets with and without a sub-initiative; in every sort order.
    AttainmentSnapshot.objects.filter(target__initiative__slug="ivaerksaetteri").update(stale=True)
    AttainmentSnapshot.objects.filter(target__initiative__slug="smajobs").update(
        pending_approval=True
    )
    target = Target.objects.filter(initiative__slug="kongresturisme").first()
    Target.objects.filter(pk=target.pk).update(title="Kongresser <i>& møder</i>")
    AttainmentSnapshot.objects.filter(target=target).delete()
    round_ = ReportingRound.objects.get(year=2018, number=2)
    rows = []
    for initiative in Initiative.objects.order_by("number"):
        rows += selectors.target_rows(initiative=initiative, round_=round_)
    html = rendered(rows, f"sort={sort}" if sort else "")
    assert "Kongresser &lt;i&gt;&amp; møder&lt;/i&gt;" in html
    assert "<i>&" not in html
    assert "opdateres… (beregnet" in html and "afventer godkendelse" in html
    assert html.count("<tr ") == len(rows)


def test_an_empty_targets_table_says_so(reference):
    assert "Ingen mål matcher." in rendered([], "")


def test_a_page_without_a_round_shows_no_computed_figure(reference):
    rows = selectors.target_rows(initiative=Initiative.objects.get(slug="smajobs"))
    html = rendered(rows, "sort=-attainment")
    assert all(row.snapshot is None for row in rows)
    assert html.count("<tr ") == len(rows)
    assert "Kritisk" not in html and "Opnået" not in html  # no category without a figure


def latest_the_slow_way(target: Target, round_: ReportingRound | None) -> StatusUpdate | None:
    """The newest update up to ``round_`` whose report is approved."""
    approved = set(
        StatusReport.objects.filter(
            initiative=target.initiative, state=StatusReport.State.APPROVED
        ).values_list("round_id", flat=True)
    )
    updates = sorted(
        (u for u in target.updates.select_related("round") if u.round_id in approved),
        key=lambda u: (u.round.year, u.round.number),
        reverse=True,
    )
    if round_ is not None:
        updates = [u for u in updates if u.round.code_key <= round_.code_key]
    return updates[0] if updates else None


def test_each_row_has_the_latest_status_up_to_the_round(reference):
    later = open_round_2018_3(reference)
    target = Target.objects.get(sub_initiative__name="Eksportpilot", level="aktivitet")
    StatusUpdate.objects.create(target=target, round=later, value=30)
    StatusReport.objects.create(initiative=target.initiative, round=later, state="godkendt")
    other = Target.objects.get(title=STAFF_TARGET)  # a draft's value is never the latest
    StatusUpdate.objects.create(target=other, round=later, value=99)
    StatusReport.objects.create(initiative=other.initiative, round=later, state="kladde")
    mid_term = ReportingRound.objects.get(year=2018, number=2)
    for initiative in Initiative.objects.all():
        for round_ in (None, mid_term, later, ReportingRound.objects.order_by("year").first()):
            for row in selectors.target_rows(initiative=initiative, round_=round_):
                expected = latest_the_slow_way(row.target, round_)
                assert row.latest == expected
                if expected is not None:
                    assert row.round_code == expected.round.code
                    assert row.latest_in_words == expected.describe()
    # The new figure shows from 2018-3, not in the mid-term picture.
    by_round = {
        r: next(
            row
            for row in selectors.target_rows(initiative=target.initiative, round_=r)
            if row.target == target
        )
        for r in (mid_term, later)
    }
    assert by_round[later].round_code == "2018-3"
    assert by_round[mid_term].round_code != "2018-3"
    draft_row = next(
        row
        for row in selectors.target_rows(initiative=other.initiative, round_=later)
        if row.target == other
    )
    assert draft_row.round_code == "2018-2"  # the approved one, not the draft's 99
    staff_row = next(
        row
        for row in selectors.target_rows(
            initiative=other.initiative, round_=later, approved_only=False
        )
        if row.target == other
    )
    assert staff_row.round_code == "2018-3"
