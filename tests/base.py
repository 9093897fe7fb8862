"""Named users, one per role, and the reference data, shared by the tests.

What each role may do (DOMAIN.md "People and what they do"):
- tovholder: enters the status for their own initiative (Småjobs); reads the others.
- programleder: opens rounds, approves or returns reports, records scores, manages targets.
- baggrundsgruppe: reads dashboards; edits nothing.
- udvalg: reads and prints summaries; edits nothing.
- admin: municipal IT; manages users, roles and settings (a Django superuser).
- outsider: logged in, but holds no role in any programme; sees nothing.

The reference data is loaded once per session (``django_db_setup`` in conftest.py), and
every ``db`` test runs in a transaction rolled back at its end, so each starts from the
same loaded programme. Transactional tests (``transactional_db``, ``live_server``,
``django_db(transaction=True)``) empty the tables at their end, so ``reference`` and
:func:`load_reference` load the data again when it is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings as hypothesis_settings

if TYPE_CHECKING:
    from initiatives.models import Programme

# Models are imported inside the functions: this module is loaded as a pytest plugin,
# before Django's app registry is ready.
REFERENCE_FIXTURE = (
    Path(__file__).resolve().parent.parent / "fixtures" / "jobvaekstpakken-2018.json"
)
REFERENCE_SLUG = "jobvaekstpakken"
PASSWORD = "test-password-1234"

# `pytest --hypothesis-profile=thorough` runs the randomised and stress tests with their
# full counts (e.g. the 1.000 bad inputs per form that issue 19 asks for); `make test`
# runs fewer, so that the whole suite stays quick.
THOROUGH = "thorough"
hypothesis_settings.register_profile(THOROUGH)


def examples(thorough: int, quick: int) -> int:
    """How many examples (or rounds) a randomised or stress test runs: ``thorough`` under
    the thorough profile, ``quick`` in an ordinary run."""
    return thorough if hypothesis_settings.get_current_profile_name() == THOROUGH else quick


@dataclass
class Users:
    tovholder: object
    programleder: object
    baggrundsgruppe: object
    udvalg: object
    admin: object
    outsider: object


def load_session_reference() -> None:
    """Load the reference data into the test database, once for the whole session."""
    from django.core.management import call_command

    from jobvaekst.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True  # no per-test fixture has run yet; never the broker
    try:
        # The same command `make run` uses: loads the fixture and computes the figures.
        call_command("load_reference", verbosity=0)
    finally:
        app.conf.task_always_eager = before


def load_reference() -> Programme:
    """The reference programme, loaded first if the database does not have it (after a
    transactional test emptied the tables)."""
    from django.core.management import call_command

    from initiatives.models import Programme

    programme = Programme.objects.filter(slug=REFERENCE_SLUG).first()
    if programme is None:
        call_command("load_reference", verbosity=0)
        programme = Programme.objects.get(slug=REFERENCE_SLUG)
    return programme


def make_users(programme: Programme) -> Users:
    from django.contrib.auth import get_user_model

    from initiatives.models import Initiative, Membership

    User = get_user_model()

    def user(name: str, **extra):
        return User.objects.create_user(username=name, password=PASSWORD, **extra)

    users = Users(
        tovholder=user("tove"),
        programleder=user("per"),
        baggrundsgruppe=user("bente"),
        udvalg=user("ulla"),
        admin=user("ada", is_staff=True, is_superuser=True),
        outsider=user("otto"),
    )
    smajobs = Initiative.objects.get(slug="smajobs")
    Membership.objects.create(
        user=users.tovholder, programme=programme, initiative=smajobs, role="tovholder"
    )
    for role in ("programleder", "baggrundsgruppe", "udvalg"):
        Membership.objects.create(user=getattr(users, role), programme=programme, role=role)
    return users


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Hashing with PBKDF2 costs ~0.3 s per user; tests do not test the hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def reference(db) -> Programme:
    """The reference programme: loaded once per session; a rolled-back ``db`` test finds it
    as loaded, a transactional one gets it loaded again if an earlier one flushed it."""
    return load_reference()


@pytest.fixture
def users(reference) -> Users:
    return make_users(reference)


def open_round_2018_3(programme: Programme | None = None, *, programme_id: int | None = None):
    """The round after the reference data's last (2018-2), open for reports."""
    import datetime as dt

    from initiatives.models import ReportingRound

    return ReportingRound.objects.create(
        programme_id=programme_id if programme is None else programme.pk,
        year=2018,
        number=3,
        period_start=dt.date(2018, 5, 1),
        period_end=dt.date(2018, 6, 30),
        deadline=dt.date(2018, 7, 15),
        state="aaben",
    )


def grow_programme(programme: Programme, factor: int) -> list:
    """The programme grown for a query-count pin: six more rounds (2019-1 … 2019-6) with an
    approved report per initiative (with text and spending), a 2019 budget, ``factor``
    more targets with a phase and a status every round, and two assessments scored 4 on
    every parameter. Returns the new rounds; the caller recomputes."""
    import datetime as dt

    from evaluations.models import Assessment, ImplementationParameter, ParameterScore
    from initiatives.models import (
        EffectChainItem,
        Initiative,
        InitiativeBudget,
        ReportingRound,
        StatusReport,
        StatusUpdate,
        Target,
        TargetPhase,
    )

    rounds = [
        ReportingRound.objects.create(
            programme=programme,
            year=2019,
            number=n,
            period_start=dt.date(2019, 2 * n - 1, 1),
            period_end=dt.date(2019, 2 * n, 28),
            deadline=dt.date(2019, 2 * n, 28),
            state="lukket",
        )
        for n in range(1, 7)
    ]
    initiatives = list(Initiative.objects.filter(programme=programme))
    for initiative in initiatives:
        InitiativeBudget.objects.create(initiative=initiative, year=2019, allocated=800000)
        for r in rounds:
            StatusReport.objects.create(
                initiative=initiative,
                round=r,
                state="godkendt",
                budget_spent=1000,
                progress=f"Fremdrift for {initiative.name} i {r.code}.",
                challenges="Rekruttering tager tid.",
            )
    for i in range(factor):
        initiative = initiatives[i % len(initiatives)]
        EffectChainItem.objects.create(initiative=initiative, stage="output", text=f"Ekstra {i}")
        target = Target.objects.create(
            initiative=initiative,
            level="output",
            title=f"Ekstra mål {i}",
            kind="antal",
            orientation="vaekst",
            horizon="kort",
        )
        TargetPhase.objects.create(target=target, year=2019, value=10 + i)
        for n, r in enumerate(rounds):
            StatusUpdate.objects.create(target=target, round=r, value=n + i)
    for year in (2019, 2020):
        review = Assessment.objects.create(
            programme=programme,
            date=dt.date(year, 1, 15),
            title=f"Intern {year}",
            assessor="BusinessAalborg",
            kind="intern",
        )
        for parameter in ImplementationParameter.objects.all():
            ParameterScore.objects.create(assessment=review, parameter=parameter, score=4)
    return rounds
