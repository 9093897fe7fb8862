"""The database itself refuses rows that break the model's invariants.

Each test writes straight through the ORM, past every form and service, and expects the
database to say no. The savepoint (transaction.atomic) lets the test go on afterwards.
The rows are the test's own programme "p", beside the session's reference data, so the
counts are of its own rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from evaluations.models import Assessment, ImplementationParameter, ParameterScore
from initiatives.models import (
    Initiative,
    InitiativeBudget,
    Programme,
    ReportingRound,
    StatusReport,
    StatusUpdate,
    Target,
    TargetPhase,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme() -> Programme:
    return Programme.objects.create(
        slug="p", name="P", start_date=dt.date(2017, 1, 1), end_date=dt.date(2020, 12, 31)
    )


@pytest.fixture
def initiative(programme) -> Initiative:
    return Initiative.objects.create(programme=programme, slug="i", number=1, name="I")


@pytest.fixture
def round_(programme) -> ReportingRound:
    return ReportingRound.objects.create(
        programme=programme,
        year=2018,
        number=2,
        period_start=dt.date(2018, 3, 1),
        period_end=dt.date(2018, 4, 30),
        deadline=dt.date(2018, 5, 15),
    )


@pytest.fixture
def target(initiative) -> Target:
    return Target.objects.create(
        initiative=initiative, level="aktivitet", title="Mål", kind="antal", target_low=10
    )


@pytest.fixture
def score_parts(programme):
    assessment = Assessment.objects.create(
        programme=programme, date=dt.date(2018, 5, 15), title="A", assessor="X", kind="ekstern"
    )
    # The reference data has the six parameters; one more, after them.
    parameter = ImplementationParameter.objects.create(name="Testparameter", order=99)
    return assessment, parameter


def refused(make) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


@pytest.mark.parametrize("score", [0, 6, 100])
def test_a_score_outside_1_to_5_is_refused(score_parts, score):
    assessment, parameter = score_parts
    refused(
        lambda: ParameterScore.objects.create(
            assessment=assessment, parameter=parameter, score=score
        )
    )
    assert not ParameterScore.objects.filter(assessment=assessment).exists()


@pytest.mark.parametrize("score", [1, 5, None])
def test_scores_1_to_5_and_not_scored_are_accepted(score_parts, score):
    assessment, parameter = score_parts
    ParameterScore.objects.create(assessment=assessment, parameter=parameter, score=score)
    assert ParameterScore.objects.get(assessment=assessment).score == score


def test_a_stated_overall_score_outside_1_to_5_is_refused(programme):
    refused(
        lambda: Assessment.objects.create(
            programme=programme,
            date=dt.date(2018, 5, 15),
            title="A",
            assessor="X",
            kind="ekstern",
            stated_overall=Decimal("5.5"),
        )
    )


def test_one_programme_score_per_parameter_per_assessment(score_parts):
    assessment, parameter = score_parts
    ParameterScore.objects.create(assessment=assessment, parameter=parameter, score=3)
    refused(
        lambda: ParameterScore.objects.create(assessment=assessment, parameter=parameter, score=4)
    )


def test_a_negative_initiative_budget_is_refused(initiative):
    refused(
        lambda: InitiativeBudget.objects.create(
            initiative=initiative, year=2018, allocated=Decimal("-1")
        )
    )
    assert not InitiativeBudget.objects.filter(initiative=initiative).exists()


def test_a_negative_programme_budget_is_refused():
    refused(
        lambda: Programme.objects.create(
            slug="neg",
            name="Neg",
            start_date=dt.date(2017, 1, 1),
            end_date=dt.date(2020, 12, 31),
            budget_per_year=Decimal("-4000000"),
        )
    )


def test_negative_budget_spent_is_refused(initiative, round_):
    refused(
        lambda: StatusReport.objects.create(
            initiative=initiative, round=round_, budget_spent=Decimal("-0.01")
        )
    )


def test_two_updates_for_the_same_target_in_one_round_are_refused(target, round_):
    StatusUpdate.objects.create(target=target, round=round_, value=3)
    refused(lambda: StatusUpdate.objects.create(target=target, round=round_, value=4))
    assert StatusUpdate.objects.get(target=target).value == 3


def test_a_target_range_with_low_above_high_is_refused(initiative):
    refused(
        lambda: Target.objects.create(
            initiative=initiative,
            level="effekt",
            title="Nye jobs",
            kind="antal",
            target_low=140,
            target_high=85,
        )
    )
    assert not Target.objects.filter(initiative=initiative, title="Nye jobs").exists()


def test_a_baseline_range_with_low_above_high_is_refused(initiative):
    refused(
        lambda: Target.objects.create(
            initiative=initiative,
            level="effekt",
            title="Omsætning",
            kind="beloeb",
            baseline_low=50,
            baseline_high=45,
            target_low=80,
            target_high=85,
        )
    )


def test_an_update_update_breaking_the_range_is_refused(target):
    """Constraints also hold for bulk updates, which skip model validation."""
    refused(lambda: Target.objects.filter(pk=target.pk).update(target_high=5))
    target.refresh_from_db()
    assert target.target_high is None


def test_a_phase_is_unique_per_year_and_non_negative(target):
    TargetPhase.objects.create(target=target, year=2017, value=30)
    refused(lambda: TargetPhase.objects.create(target=target, year=2017, value=80))
    refused(lambda: TargetPhase.objects.create(target=target, year=2018, value=-1))


def test_a_round_number_outside_1_to_6_is_refused(programme):
    refused(
        lambda: ReportingRound.objects.create(
            programme=programme,
            year=2018,
            number=7,
            period_start=dt.date(2018, 1, 1),
            period_end=dt.date(2018, 2, 28),
            deadline=dt.date(2018, 3, 15),
        )
    )


def test_a_not_measurable_update_cannot_carry_a_value(target, round_):
    refused(
        lambda: StatusUpdate.objects.create(
            target=target, round=round_, not_measurable=True, value=5
        )
    )
