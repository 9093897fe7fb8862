"""The status-report workflow at the service level: draft, submit, return, approve.

Permissions, validation (Danish messages, nothing half-saved), optimistic locking and
the audit trail. The pages on top of these services come next (issue 4).
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from evaluations.models import AttainmentSnapshot
from initiatives import services
from initiatives.models import Initiative, ReportingRound, StatusReport, StatusUpdate, Target
from initiatives.services import ConflictError, ReportInput, UpdateInput

from ..base import examples, load_reference, make_users, open_round_2018_3

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_round(reference) -> ReportingRound:
    return open_round_2018_3(reference)


def staff_target() -> Target:
    return Target.objects.get(
        title="Antal jobcentermedarbejdere, der deltager i kompetenceudvikling"
    )


def smajobs_report(round_) -> StatusReport:
    return services.status_report_for(
        initiative=Initiative.objects.get(slug="smajobs"), round_=round_
    )


def data(value="70", **extra) -> ReportInput:
    item = UpdateInput(target_id=staff_target().pk, value=Decimal(value), **extra)
    return ReportInput(progress="Godt i gang", updates=[item])


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run on_commit callbacks (the recompute) as a committed transaction would."""

    def run(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    return run


def test_draft_submit_return_resubmit_approve_updates_the_figure(users, open_round, run_on_commit):
    def save(**kwargs):
        return run_on_commit(services.status_report_save, **kwargs)

    def review(**kwargs):
        return run_on_commit(services.status_report_review, **kwargs)

    report = save(
        report=smajobs_report(open_round), user=users.tovholder, version=0, data=data("70")
    )
    assert (report.state, report.version) == ("kladde", 1)
    report = save(report=report, user=users.tovholder, version=1, data=data("70"), submit=True)
    assert report.state == "indsendt" and report.submitted_by == users.tovholder
    snapshot = AttainmentSnapshot.objects.get(target=staff_target(), round=open_round)
    assert snapshot.pending_approval and snapshot.actual == 60.0  # not approved yet

    report = review(
        report=report,
        user=users.programleder,
        version=2,
        approve=False,
        comment="Tallet skal være fra maj.",
    )
    assert (report.state, report.review_comment) == ("returneret", "Tallet skal være fra maj.")
    report = save(report=report, user=users.tovholder, version=3, data=data("72"), submit=True)
    report = review(report=report, user=users.programleder, version=4, approve=True)
    assert report.state == "godkendt"
    snapshot.refresh_from_db()
    assert snapshot.actual == 72.0
    assert snapshot.percent == pytest.approx(450.0)
    assert not snapshot.pending_approval


@pytest.mark.parametrize("role", ["baggrundsgruppe", "udvalg", "outsider"])
def test_read_only_roles_cannot_save_a_report(users, open_round, role):
    with pytest.raises(PermissionDenied):
        services.status_report_save(
            report=smajobs_report(open_round), user=getattr(users, role), version=0, data=data()
        )
    assert not StatusReport.objects.filter(round=open_round).exists()


def test_a_tovholder_cannot_save_another_initiatives_report(users, open_round):
    other = services.status_report_for(
        initiative=Initiative.objects.get(slug="kongresturisme"), round_=open_round
    )
    with pytest.raises(PermissionDenied):
        services.status_report_save(
            report=other, user=users.tovholder, version=0, data=ReportInput(progress="x")
        )


def test_a_tovholder_cannot_approve_their_own_report(users, open_round):
    report = services.status_report_save(
        report=smajobs_report(open_round),
        user=users.tovholder,
        version=0,
        data=data(),
        submit=True,
    )
    with pytest.raises(PermissionDenied):
        services.status_report_review(report=report, user=users.tovholder, version=1, approve=True)
    report.refresh_from_db()
    assert report.state == "indsendt"


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"value": Decimal("-1")}, "kan ikke være negativ"),
        ({"value": None, "not_measurable": True}, "Skriv en kommentar om, hvorfor"),
        ({"value": Decimal("5"), "assessment": "opnaaet"}, "kun gives for kvalitative mål"),
        ({"value": Decimal("50")}, "Tallet er faldet fra 60 til 50"),
    ],
)
def test_bad_input_gets_a_danish_message_and_nothing_is_saved(users, open_round, item, message):
    # The staff target counts cumulatively from 60 (round 2018-2).
    Target.objects.filter(pk=staff_target().pk).update(cumulative=True)
    bad = ReportInput(progress="x", updates=[UpdateInput(target_id=staff_target().pk, **item)])
    with pytest.raises(ValidationError) as excinfo:
        services.status_report_save(
            report=smajobs_report(open_round), user=users.tovholder, version=0, data=bad
        )
    assert message in " ".join(excinfo.value.messages)
    assert not StatusUpdate.objects.filter(round=open_round).exists()
    assert not StatusReport.objects.filter(round=open_round, version__gt=0).exists()


def test_a_fall_in_a_cumulative_count_is_accepted_with_a_comment(users, open_round):
    report = services.status_report_save(
        report=smajobs_report(open_round),
        user=users.tovholder,
        version=0,
        data=data("50", comment="Tre medarbejdere er stoppet."),
    )
    assert StatusUpdate.objects.get(round=open_round).value == 50
    assert report.version == 1


def test_a_second_save_of_the_same_version_is_refused_and_overwrites_nothing(users, open_round):
    report = services.status_report_save(
        report=smajobs_report(open_round), user=users.tovholder, version=0, data=data("70")
    )
    services.status_report_save(
        report=report,
        user=users.programleder,
        version=1,
        data=ReportInput(progress="Programlederens tekst", updates=[]),
    )
    with pytest.raises(ConflictError) as excinfo:
        services.status_report_save(
            report=report,
            user=users.tovholder,
            version=1,
            data=ReportInput(progress="Tovholderens tekst", updates=[]),
        )
    assert "er ændret af per" in str(excinfo.value)
    assert "Intet er gemt" in str(excinfo.value)
    assert "Fremdrift: »Programlederens tekst«" in excinfo.value.changes
    report.refresh_from_db()
    assert (report.progress, report.version) == ("Programlederens tekst", 2)


def test_a_closed_round_takes_no_reports(users, reference):
    closed = ReportingRound.objects.get(year=2018, number=2)
    with pytest.raises(ValidationError, match="ikke åben"):
        services.status_report_save(
            report=smajobs_report(closed), user=users.tovholder, version=1, data=data()
        )


def test_every_save_is_in_the_history_with_its_author(users, open_round):
    report = services.status_report_save(
        report=smajobs_report(open_round), user=users.tovholder, version=0, data=data("70")
    )
    services.status_report_save(
        report=report, user=users.tovholder, version=1, data=data("71"), submit=True
    )
    services.status_report_review(report=report, user=users.programleder, version=2, approve=True)
    authors = [h.history_user.username for h in report.history.order_by("history_date")]
    assert authors[-3:] == ["tove", "tove", "per"]
    update = StatusUpdate.objects.get(round=open_round)
    values = [h.value for h in update.history.order_by("history_date")]
    assert values[-2:] == [70, 71]


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_threads_saving_the_same_report_lose_no_update():
    """10 threads × 100 saves (30 outside the thorough profile): every accepted save
    raises the version by exactly one."""
    saves = examples(100, 30)
    people = make_users(load_reference())
    round_ = open_round_2018_3(people.tovholder.memberships.get().programme)
    report = services.status_report_save(
        report=smajobs_report(round_),
        user=people.tovholder,
        version=0,
        data=ReportInput(progress="start"),
    )
    accepted: list[str] = []
    refused: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        try:
            for i in range(saves):
                current = StatusReport.objects.get(pk=report.pk)
                text = f"tråd {n} gem {i}"
                try:
                    services.status_report_save(
                        report=current,
                        user=people.tovholder,
                        version=current.version,
                        data=ReportInput(progress=text),
                    )
                except ConflictError as exc:
                    with lock:
                        refused.append(str(exc))
                else:
                    with lock:
                        accepted.append(text)
        finally:
            connection.close()  # each thread has its own connection; leave none open

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report.refresh_from_db()
    assert len(accepted) + len(refused) == 10 * saves
    assert report.version == 1 + len(accepted)  # exactly one step per accepted save
    assert all("Intet er gemt" in message for message in refused)
    saved = [h.progress for h in report.history.filter(progress__startswith="tråd")]
    assert sorted(saved) == sorted(accepted)  # every accepted save is in the history: none lost
    print(f"accepted {len(accepted)}, refused {len(refused)}, lost 0")


def smajobs_targets() -> list[Target]:
    return list(Target.objects.filter(initiative__slug="smajobs").order_by("pk"))


def test_only_the_updates_that_changed_get_a_new_history_entry(users, open_round):
    first, second, *_ = smajobs_targets()

    def save(version: int, first_value: str, second_value: str) -> None:
        services.status_report_save(
            report=smajobs_report(open_round),
            user=users.tovholder if version < 2 else users.programleder,
            version=version,
            data=ReportInput(
                updates=[
                    UpdateInput(target_id=first.pk, value=Decimal(first_value)),
                    UpdateInput(target_id=second.pk, value=Decimal(second_value)),
                ]
            ),
        )

    save(0, "70", "5")
    save(1, "70", "5")  # nothing changed
    save(2, "70.00", "6")  # the same number written differently is no change
    first_update = StatusUpdate.objects.get(target=first, round=open_round)
    second_update = StatusUpdate.objects.get(target=second, round=open_round)
    assert [(h.history_type, h.value) for h in first_update.history.all()] == [("+", 70)]
    history = list(second_update.history.order_by("history_date", "history_id"))
    assert [(h.history_type, h.value) for h in history] == [("+", 5), ("~", 6)]
    assert [h.history_user for h in history] == [users.tovholder, users.programleder]
    assert {h.history_change_reason for h in history} == {None}
    assert second_update.updated_at > first_update.updated_at
    assert history[-1].updated_at == second_update.updated_at


def test_one_bad_update_among_many_saves_nothing(users, open_round):
    targets = smajobs_targets()
    items = [UpdateInput(target_id=t.pk, value=Decimal(90)) for t in targets]
    items[-1] = UpdateInput(target_id=targets[-1].pk, value=Decimal("1234567890123.5"))
    with pytest.raises(ValidationError) as excinfo:
        services.status_report_save(
            report=smajobs_report(open_round),
            user=users.tovholder,
            version=0,
            data=ReportInput(progress="x", updates=items),
        )
    assert "value" in excinfo.value.message_dict  # the field's own check, as full_clean()
    assert not StatusUpdate.objects.filter(round=open_round).exists()
    assert not StatusReport.objects.filter(round=open_round, version__gt=0).exists()


def test_a_target_of_another_initiative_is_refused(users, open_round):
    other = Target.objects.filter(initiative__slug="kongresturisme").first()
    with pytest.raises(ValidationError, match="hører ikke til denne indsats"):
        services.status_report_save(
            report=smajobs_report(open_round),
            user=users.tovholder,
            version=0,
            data=ReportInput(updates=[UpdateInput(target_id=other.pk, value=Decimal(1))]),
        )
    assert not StatusUpdate.objects.filter(round=open_round).exists()


def test_a_save_asks_once_for_the_figures_of_every_changed_target(
    users, open_round, django_capture_on_commit_callbacks
):
    items = [UpdateInput(target_id=t.pk, value=Decimal(90)) for t in smajobs_targets()]
    AttainmentSnapshot.objects.update(stale=False)
    with django_capture_on_commit_callbacks() as callbacks:
        services.status_report_save(
            report=smajobs_report(open_round),
            user=users.tovholder,
            version=0,
            data=ReportInput(updates=items),
        )
    assert len(callbacks) == 1  # one recompute task, not one per target
    stale = set(AttainmentSnapshot.objects.filter(stale=True).values_list("target_id", flat=True))
    assert stale == {t.pk for t in smajobs_targets()}
