"""The reference data is faithful to COWI's mid-term evaluation (May 2018), figures 2–12.

The expected values below are read off the report (../shared/seeds/), not off the fixture.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings

from evaluations.models import Assessment, ImplementationParameter, ParameterScore, ScoreLevel
from initiatives.models import (
    EffectChainItem,
    Initiative,
    InitiativeBudget,
    Programme,
    StatusReport,
    StatusUpdate,
    SubInitiative,
    Target,
)

from ..base import REFERENCE_FIXTURE

pytestmark = pytest.mark.django_db

COWI_FIGURE = "figur {}"

# (figure, initiative, level, number of target rows) as the report's tables print them.
FIGURE_ROWS = {
    8: ("industri-og-byggeri", {"aktivitet": 2, "output": 2, "effekt": 3}),
    9: ("kongresturisme", {"aktivitet": 3, "output": 1, "effekt": 3}),
    10: ("detailhandel", {"aktivitet": 2, "output": 1, "effekt": 2}),
    11: ("smajobs", {"aktivitet": 1, "output": 3, "effekt": 1}),
    12: ("ivaerksaetteri", {"aktivitet": 3, "output": 0, "effekt": 0}),
}


def t(title: str) -> Target:
    return Target.objects.get(title=title)


def latest(target: Target) -> StatusUpdate:
    return target.updates.get()


def test_the_programme_and_its_five_initiatives(reference):
    assert reference.name == "Jobvækstpakken"
    assert reference.budget_per_year == Decimal("4000000")
    assert (reference.start_date.year, reference.end_date.year) == (2017, 2020)
    assert str(reference.decided_on) == "2016-10-13"
    assert list(Initiative.objects.values_list("name", flat=True)) == [
        "Industri og byggeri",
        "Kongresturisme",
        "Detailhandel",
        "Småjobs",
        "Iværksætteri",
    ]


def test_per_initiative_budgets_are_not_invented(reference):
    """The report gives only a span (0,5–1,25 mio. kr.), never one initiative's budget."""
    assert InitiativeBudget.objects.count() == 0
    assert "0,5 mio. kr. og 1,25 mio. kr." in reference.budget_note


def test_sub_initiatives_and_their_lead_partners(reference):
    names = set(
        SubInitiative.objects.filter(initiative__slug="industri-og-byggeri").values_list(
            "name", flat=True
        )
    )
    assert {
        "Byg i Nord",
        "Eksportpilot",
        "Vækst via Viden",
        "Tværgående kommunikationsindsats",
    } == names
    assert SubInitiative.objects.get(name__contains="Code of Care").lead_partner == "Code of Care"
    assert (
        Initiative.objects.get(slug="kongresturisme").lead_organisation
        == "Visit Aalborg Convention"
    )


@pytest.mark.parametrize(
    ("slug", "activities", "outputs", "effects"),
    [
        ("industri-og-byggeri", 9, 7, 5),  # figur 2
        ("kongresturisme", 5, 4, 2),  # figur 3
        ("smajobs", 6, 3, 1),  # figur 4
        ("ivaerksaetteri", 1, 3, 2),  # figur 5
        ("detailhandel", 4, 2, 2),  # figur 6
    ],
)
def test_effect_chains_of_figures_2_to_6(reference, slug, activities, outputs, effects):
    items = EffectChainItem.objects.filter(initiative__slug=slug)
    assert items.filter(stage="aktivitet").count() == activities
    assert items.filter(stage="output").count() == outputs
    assert items.filter(stage="effekt").count() == effects


def test_effect_chain_text_is_the_reports(reference):
    assert EffectChainItem.objects.filter(
        initiative__slug="kongresturisme",
        stage="effekt",
        text="Øget omsætning i turismeerhverv + afledte effekter",
    ).exists()
    assert (
        EffectChainItem.objects.get(text="Deltagelse i byggemøder").sub_initiative.name
        == "Byg i Nord"
    )


@pytest.mark.parametrize("figure", sorted(FIGURE_ROWS))
def test_every_target_row_of_figures_8_to_12_is_present(reference, figure):
    slug, per_level = FIGURE_ROWS[figure]
    targets = Target.objects.filter(initiative__slug=slug)
    assert {lvl: targets.filter(level=lvl).count() for lvl in per_level} == per_level
    assert all(COWI_FIGURE.format(figure) in s for s in targets.values_list("source", flat=True))


def test_congress_bids_from_20_in_2015_to_34_in_2020(reference):
    bids = t("Der afgives flere bids på kongresser")
    assert (bids.baseline_low, bids.baseline_year, bids.target_low) == (20, 2015, 34)
    assert bids.target_date.year == 2020
    assert bids.describe() == "fra 20 (2015) til 34 (2020)"


def test_congresses_held_and_overnight_stays(reference):
    held = t("Der afholdes flere kongresser i Aalborg")
    assert (held.baseline_low, held.target_low, held.level) == (17, 26, "output")
    stays = t("Antallet af overnatninger ifm. kongresser")
    assert (stays.baseline_low, stays.target_low) == (16000, 27000)
    assert stays.describe() == "fra 16.000 (2015) til 27.000 (2020)"


def test_turnover_is_a_baseline_range_to_a_target_range(reference):
    turnover = t("Øget årlig omsætning (mio. kr.)")
    assert (turnover.baseline_low, turnover.baseline_high) == (45, 50)
    assert (turnover.target_low, turnover.target_high) == (80, 85)
    assert turnover.kind == Target.Kind.AMOUNT
    assert turnover.describe() == "fra 45–50 (2015) til 80–85 (2020) mio. kr."


def test_new_jobs_is_a_range_85_to_140(reference):
    jobs = Target.objects.get(initiative__slug="kongresturisme", title="Antal nye jobs")
    assert (jobs.target_low, jobs.target_high) == (85, 140)
    assert jobs.is_range
    assert jobs.describe() == "85–140"


def test_byg_i_nord_is_phased_30_plus_80(reference):
    byg = Target.objects.get(sub_initiative__name="Byg i Nord", level="aktivitet")
    assert [(p.year, p.value) for p in byg.phases.all()] == [(2017, 30), (2018, 80)]
    assert byg.target_low is None  # the total is the sum of the phases, not a second figure
    assert byg.describe() == "30 (2017) + 80 (2018) = 110"


def test_eksportpilot_is_60_per_year_with_3_placements(reference):
    pilot = Target.objects.get(sub_initiative__name="Eksportpilot", level="aktivitet")
    assert (pilot.target_low, pilot.basis) == (60, Target.Basis.PER_YEAR)
    assert pilot.describe() == "60 pr. år"
    status = latest(pilot)
    assert status.value == 3
    assert str(status.observed_on) == "2018-01-01"
    assert (status.stated_low, status.stated_high, status.stated_text) == (1, 2, "1 - 2%")


def test_eksportpilot_new_jobs_0_of_21(reference):
    jobs = Target.objects.get(sub_initiative__name="Eksportpilot", level="effekt")
    assert jobs.target_low == 21
    assert latest(jobs).value == 0


def test_the_fund_is_1_mio_with_half_granted_stated_46_percent(reference):
    fund = t("Andel af den samlede pulje, der er bevilliget (mio. kr.)")
    assert (fund.target_low, fund.unit) == (1, "mio. kr.")
    status = latest(fund)
    assert status.value == Decimal("0.5")
    assert (status.stated_low, status.stated_text) == (46, "46 %")


def test_smajobs_staff_60_against_16_stated_plus_100(reference):
    staff = t("Antal jobcentermedarbejdere, der deltager i kompetenceudvikling")
    assert staff.target_low == 16
    status = latest(staff)
    assert status.value == 60
    assert status.stated_text == "+100 %"
    assert status.stated_in_words() == "+100 %"


def test_smajobs_general_effort_has_a_stated_figure_but_no_status(reference):
    """The report's own inconsistency is kept as it is, for the engine to flag."""
    general = t("Antal nye småjobs (Jobcenter Aalborg + Business Aalborg)")
    assert [(p.year, p.value) for p in general.phases.all()] == [(2017, 25), (2018, 40)]
    status = latest(general)
    assert status.value is None
    assert (status.status_text, status.stated_text) == ("-", "+100 %")


def test_congress_statuses_keep_stated_zero_and_invent_no_counts(reference):
    for title in (
        "Der afholdes flere kongresser i Aalborg",
        "Antallet af overnatninger ifm. kongresser",
        "Øget årlig omsætning (mio. kr.)",
    ):
        status = latest(t(title))
        assert status.value is None, title
        assert status.stated_low == 0
        assert status.status_text == "Der vurderes p.t. ikke at være stigning"


def test_qualitative_and_not_measurable_targets(reference):
    cooperation = Target.objects.get(target_text="Øget samarbejde")
    assert cooperation.kind == Target.Kind.QUALITATIVE
    assert latest(cooperation).assessment == StatusUpdate.Assessment.ACHIEVED
    fewer = t("Færre forgæves rekrutteringer")
    assert fewer.direction == Target.Direction.DECREASE
    assert not fewer.measurable
    assert latest(fewer).not_measurable


def test_byg_i_nord_keeps_the_evaluators_estimate(reference):
    status = latest(Target.objects.get(sub_initiative__name="Byg i Nord", level="aktivitet"))
    assert (status.stated_low, status.stated_high, status.stated_is_estimate) == (50, 70, True)
    assert status.value is None  # 256 placements "siden 2015" is not the extra count
    assert status.stated_in_words() == "50–70 % (skøn)"


def test_fora_and_entrepreneurs_have_counts_but_no_numeric_target(reference):
    fora = t("Antal nye fora (opsøgende arbejde ift. kongresser)")
    assert fora.target_low is None and latest(fora).value == 2 and latest(fora).stated_low == 100
    assert latest(t("Antal ansøgere til puljen")).value == 32
    grants = latest(t("Antallet af bevillinger"))
    assert grants.value == 7 and grants.stated_low is None


def test_detailhandel_targets_are_not_fixed(reference):
    targets = Target.objects.filter(initiative__slug="detailhandel")
    assert not targets.filter(target_low__isnull=False).exists()
    assert latest(targets.get(level="aktivitet", order=1)).status_text == "Under planlægning"


def test_all_reports_of_the_evaluation_round_are_approved(reference):
    assert StatusReport.objects.count() == 5
    assert set(StatusReport.objects.values_list("state", flat=True)) == {"godkendt"}
    assert {r.round.code for r in StatusReport.objects.all()} == {"2018-2"}


def test_the_2018_assessment_states_3_overall_and_4_for_organisation(reference):
    assessment = Assessment.objects.get()
    assert (assessment.stated_overall, assessment.kind, assessment.assessor) == (
        3,
        "ekstern",
        "COWI",
    )
    scores = {s.parameter.name: s.score for s in ParameterScore.objects.select_related("parameter")}
    assert scores.pop("Organisering og samarbejde") == 4
    assert len(scores) == 5
    assert set(scores.values()) == {None}  # not scored: never invented


def test_six_parameters_and_the_1_to_5_scale(reference):
    names = list(ImplementationParameter.objects.values_list("name", flat=True))
    assert names[:5] == [
        "Organisering og samarbejde",
        "Sammenhæng mellem aktiviteter og mål",
        "Kvalitet og relevans, målgruppens oplevelse",
        "Monitorering af indsatsen",
        "Forankring og bæredygtighed",
    ]
    assert names[5] == "Projektledelse og fremdrift"
    assert ScoreLevel.objects.get(score=5).meaning.startswith("Implementeringen er nyskabende")
    assert ScoreLevel.objects.get(score=1).meaning == "Implementeringen er meget kritisabel."


def test_load_reference_is_idempotent(reference):
    from django.core.management import call_command

    call_command("load_reference", verbosity=0)
    assert Programme.objects.count() == 1
    assert Target.objects.count() == 27


# A dozen figures read off the report, computed by code that runs both in this process
# (the suite's database: PostgreSQL in CI) and in a fresh SQLite database.
DOZEN_FIGURES_CODE = """
import json
from initiatives.models import Target, StatusUpdate, Programme
from evaluations.models import Assessment, ParameterScore
def t(title, **kw):
    return Target.objects.get(title=title, **kw)
def val(x):
    return None if x is None else float(x)
bids = t("Der afgives flere bids på kongresser")
jobs = t("Antal nye jobs")
byg = Target.objects.get(sub_initiative__name="Byg i Nord", level="aktivitet")
pilot = Target.objects.get(sub_initiative__name="Eksportpilot", level="aktivitet")
fund = t("Andel af den samlede pulje, der er bevilliget (mio. kr.)")
staff = t("Antal jobcentermedarbejdere, der deltager i kompetenceudvikling")
figures = {
    "bids": [val(bids.baseline_low), bids.baseline_year, val(bids.target_low),
             bids.target_date.year],
    "new_jobs": [val(jobs.target_low), val(jobs.target_high)],
    "byg_phases": [[p.year, val(p.value)] for p in byg.phases.all()],
    "eksportpilot": [val(pilot.target_low), pilot.basis, val(pilot.updates.get().value)],
    "fund": [val(fund.target_low), val(fund.updates.get().value),
             val(fund.updates.get().stated_low)],
    "staff": [val(staff.target_low), val(staff.updates.get().value),
              staff.updates.get().stated_text],
    "stays": [val(t("Antallet af overnatninger ifm. kongresser").baseline_low),
              val(t("Antallet af overnatninger ifm. kongresser").target_low)],
    "turnover": [val(t("Øget årlig omsætning (mio. kr.)").baseline_high),
                 val(t("Øget årlig omsætning (mio. kr.)").target_low)],
    "targets": Target.objects.count(),
    "budget": val(Programme.objects.get().budget_per_year),
    "overall": val(Assessment.objects.get().stated_overall),
    "scores": sorted(s.score or 0 for s in ParameterScore.objects.all()),
}
print(json.dumps(figures))
"""

DOZEN_FIGURES = {
    "bids": [20.0, 2015, 34.0, 2020],
    "new_jobs": [85.0, 140.0],
    "byg_phases": [[2017, 30.0], [2018, 80.0]],
    "eksportpilot": [60.0, "pr_aar", 3.0],
    "fund": [1.0, 0.5, 46.0],
    "staff": [16.0, 60.0, "+100 %"],
    "stays": [16000.0, 27000.0],
    "turnover": [50.0, 80.0],
    "targets": 27,
    "budget": 4000000.0,
    "overall": 3.0,
    "scores": [0, 0, 0, 0, 0, 4],  # 0 = not scored
}


def test_a_dozen_figures_on_the_suites_database(reference, capsys):
    exec(DOZEN_FIGURES_CODE, {})  # noqa: S102 - our own constant, shared with the SQLite run
    assert json.loads(capsys.readouterr().out) == DOZEN_FIGURES


@pytest.mark.slow
def test_the_fixture_loads_into_an_empty_sqlite_database(tmp_path):
    """Whatever database the suite runs on, the embedded default must load the fixture too."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "jobvaekst.settings",
    }
    env.pop("CELERY_BROKER_URL", None)
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
    out = subprocess.run(
        [*manage, "loaddata", str(REFERENCE_FIXTURE)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert "Installed 149 object(s)" in out.stdout
    figures = subprocess.run(
        [*manage, "shell", "--no-imports", "-c", DOZEN_FIGURES_CODE],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert json.loads(figures.stdout) == DOZEN_FIGURES
