"""The status form at scale: its queries do not grow with the number of targets.

An initiative with many targets must cost the tovholder no more round trips than one with
a few: the form reads every target's update in a fixed number of queries, and a save
writes the changed updates and their history in bulk and asks for one recomputation.
The counts are pinned exactly, so a query that sneaks in (or one per target) is noticed.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import AttainmentSnapshot
from initiatives.models import Initiative, ReportingRound, StatusReport, StatusUpdate, Target

from ..base import open_round_2018_3

pytestmark = pytest.mark.django_db

URL = reverse(
    "reporting:report", kwargs={"programme": "jobvaekstpakken", "code": "2018-3", "slug": "smajobs"}
)

# Session, user, round, initiative, report, the tovholder's roles, then the form's four:
# previous values, this round's updates, targets and their phases.
GET_QUERIES = 10
# The GET's ten; the service's targets and previous values, the version check and the
# reload, the report's validation (6) and its save with history; the targets for the
# signal; the updates read in one query, and one stale mark for all. In a test the
# transaction is a savepoint (2 more).
POST_QUERIES_CHANGED = 29  # plus one bulk UPDATE of the updates and one history INSERT
POST_QUERIES_UNCHANGED = 27  # nothing to write but the report
POST_QUERIES = 34  # the first save: creates the report (5), INSERTs the updates (2)


@pytest.fixture
def open_round(reference) -> ReportingRound:
    return open_round_2018_3(reference)


@pytest.fixture(autouse=True)
def _no_session_refresh(settings) -> None:
    # The session is rewritten at most once a minute (SESSION_REFRESH_SECONDS); growing the
    # data can take longer than that, and the refresh is not the form's doing.
    settings.SESSION_REFRESH_SECONDS = 3600


def grow(n: int) -> None:
    """n more Småjobs targets, each with a figure in the previous round (2018-2)."""
    smajobs = Initiative.objects.get(slug="smajobs")
    previous = ReportingRound.objects.get(year=2018, number=2)
    for i in range(n):
        target = Target.objects.create(
            initiative=smajobs,
            level="output",
            title=f"Ekstra mål {i}",
            kind="antal",
            target_low=100,
            orientation="vaekst",
            horizon="kort",
        )
        StatusUpdate.objects.create(target=target, round=previous, value=10 + i)


def form(client, **fields) -> dict:
    """What the browser sends back: the form as the page renders it, every figure raised
    by ``step`` (0: confirmed unchanged), with a comment."""
    step = fields.pop("step", 1)
    page = client.get(URL)
    data = {"version": str(page.context["report"].version), "action": "gem"}
    data.update(progress="Godt i gang", challenges="", next_steps="", budget_spent="")
    for tf in page.context["target_forms"]:
        prefix = f"t{tf.target.pk}"
        if tf.qualitative:
            data[f"{prefix}-assessment"] = "delvist"
        else:
            value = (tf.previous or Decimal(0)) + step
            data[f"{prefix}-value"] = f"{value:f}".replace(".", ",")
            if step == 0 and tf.previous is not None:
                data[f"{prefix}-confirm_unchanged"] = "on"
        data[f"{prefix}-comment"] = fields.get("comment", "")
    return data


def queries(fn) -> CaptureQueriesContext:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return captured


def test_the_status_form_runs_the_same_queries_on_ten_times_the_targets(client, users, open_round):
    client.force_login(users.tovholder)
    assert len(queries(lambda: client.get(URL))) == GET_QUERIES  # no report yet
    assert client.post(URL, form(client)).status_code == 302
    assert len(queries(lambda: client.get(URL))) == GET_QUERIES  # the report exists
    n_before = Target.objects.filter(initiative__slug="smajobs").count()
    grow(10 * n_before)
    captured = queries(lambda: client.get(URL))
    assert len(captured) == GET_QUERIES, "\n".join(q["sql"] for q in captured)
    page = client.get(URL).content.decode()
    assert "Ekstra mål 49" in page  # the grown data is what the form shows


@pytest.mark.parametrize(
    ("step", "saves_before", "expected"),
    [(1, 0, POST_QUERIES), (2, 1, POST_QUERIES_CHANGED), (1, 1, POST_QUERIES_UNCHANGED)],
    ids=["first-save", "figures-changed", "nothing-changed"],
)
def test_saving_the_status_runs_the_same_queries_on_eight_times_the_targets(
    client, users, open_round, django_capture_on_commit_callbacks, step, saves_before, expected
):
    client.force_login(users.tovholder)

    def save() -> list[str]:
        for _ in range(saves_before):
            assert client.post(URL, form(client, step=1)).status_code == 302
        data = form(client, step=step)
        with django_capture_on_commit_callbacks() as callbacks:
            captured = queries(lambda: client.post(URL, data))
        assert len(callbacks) == 1  # one recompute request for every changed target
        return [q["sql"] for q in captured]

    assert len(save()) == expected
    StatusReport.objects.filter(round=open_round).delete()
    StatusUpdate.objects.filter(round=open_round).delete()
    # Eight times Småjobs' targets. Not more: SQLite takes at most 999 parameters in a
    # query, so there a bulk write of ~45 history rows or more is split in two.
    grow(35)
    captured = save()
    assert len(captured) == expected, "\n".join(captured)
    grown = Target.objects.filter(initiative__slug="smajobs", title__startswith="Ekstra")
    assert StatusUpdate.objects.filter(round=open_round, target__in=grown).count() == 35
    last = StatusUpdate.objects.get(round=open_round, target__title="Ekstra mål 34")
    assert last.value == 44 + step
    assert last.history.first().history_user == users.tovholder


def test_a_save_of_many_targets_marks_each_changed_targets_figures_stale(client, users, open_round):
    grow(30)
    client.force_login(users.tovholder)
    assert client.post(URL, form(client)).status_code == 302
    smajobs = Target.objects.filter(initiative__slug="smajobs")
    snapshots = AttainmentSnapshot.objects.filter(target__in=smajobs)
    AttainmentSnapshot.objects.update(stale=False)  # as the worker leaves them
    assert client.post(URL, form(client, step=2)).status_code == 302
    assert snapshots.filter(stale=True).count() == snapshots.count() > 0
    assert not AttainmentSnapshot.objects.exclude(target__in=smajobs).filter(stale=True).exists()
