"""The headline implementation score (issue 16): what the assessment states, never a mean
of fewer than all the parameters.

COWI 2018 states 3 overall ("tilfredsstillende med visse forbedringspotentialer") and only
"Organisering og samarbejde" (4) survives of the six scores. The reader must see 3, with
"gennemsnit af 1 af 6 parametre: 4,0" beneath it, on every page, in the PDF and the API.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import replace

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from evaluations.models import Assessment, ImplementationParameter, ParameterScore
from evaluations.scoring import (
    MEAN,
    NOT_ASSESSED,
    STATED,
    implementation_score,
    score_headline,
)
from initiatives.models import Initiative

OVERVIEW = "/oversigt/"
PRINT = "/udskrift/jobvaekstpakken/program/"
PDF = "/udskrift/jobvaekstpakken/program/pdf/"
ASSESSMENTS = "/vurderinger/jobvaekstpakken/"
API = "/api/v1/assessments/"
WORDS = "tilfredsstillende med visse forbedringspotentialer"


def text(response) -> str:
    """The page as a reader sees it: tags and chart data removed, spaces collapsed."""
    html = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def headline_on(page_html: str) -> str:
    """The big number of the overview's "Implementering" key figure."""
    return re.search(r'class="big score-headline">([^<]*)<', page_html).group(1)


# --- The rule, without a database -------------------------------------------------------


def test_2018_the_stated_3_is_the_headline_and_the_mean_of_one_stands_beneath():
    summary = implementation_score([4, None, None, None, None, None], stated_overall=3.0)
    h = replace(summary, stated_overall_text=WORDS).headline
    assert (h.value, h.basis, h.text) == (3.0, STATED, "3,0")
    assert h.label == f"angivet samlet score i vurderingen: {WORDS}"
    assert h.mean_text == "gennemsnit af 1 af 6 parametre: 4,0"
    assert h.sentence == (
        "Implementeringen er senest vurderet til 3,0 på en skala fra 1 til 5 "
        f"(angivet samlet score i vurderingen: {WORDS}; gennemsnit af 1 af 6 parametre: 4,0)."
    )


def test_no_stated_overall_and_all_six_scored_makes_the_mean_the_headline():
    h = score_headline(implementation_score([4, 3, 4, 3, 4, 3]))
    assert (h.value, h.basis, h.text) == (3.5, MEAN, "3,5")
    assert h.label == "gennemsnit af 6 af 6 parametre"
    assert h.mean_text is None  # it is the headline, not beneath it
    assert h.inline == "3,5 (gennemsnit af 6 af 6 parametre)"


def test_no_stated_overall_and_two_of_six_scored_has_no_headline_number():
    h = score_headline(implementation_score([4, 2, None, None, None, None]))
    assert (h.value, h.basis, h.text, h.label) == (None, None, NOT_ASSESSED, "")
    assert h.mean_text == "gennemsnit af 2 af 6 parametre: 3,0"
    assert h.inline == "ikke samlet vurderet (gennemsnit af 2 af 6 parametre: 3,0)"
    assert h.sentence == (
        "Implementeringen er ikke samlet vurderet (gennemsnit af 2 af 6 parametre: 3,0)."
    )


def test_edge_cases_nothing_scored_two_decimals_and_a_complete_mean_under_a_stated_one():
    nothing = score_headline(implementation_score([None] * 6))
    assert (nothing.value, nothing.text, nothing.mean_text) == (
        None,
        "Ikke samlet vurderet",
        "0 af 6 parametre scoret",
    )
    stated_only = score_headline(implementation_score([None] * 6, stated_overall=3.25))
    assert (stated_only.value, stated_only.text, stated_only.label) == (
        3.25,
        "3,25",  # the assessment's own figure, not rounded to 3,2
        "angivet samlet score i vurderingen",
    )
    both = score_headline(implementation_score([2] * 6, stated_overall=3.0))
    assert (both.value, both.basis, both.mean_text) == (
        3.0,
        STATED,
        "gennemsnit af 6 af 6 parametre: 2,0",
    )
    no_parameters = score_headline(implementation_score([], n_parameters=0))
    assert no_parameters.value is None


@given(
    st.integers(1, 8).flatmap(
        lambda n: st.tuples(
            st.just(n), st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=n, max_size=n)
        )
    ),
    st.one_of(st.none(), st.sampled_from([1.0, 2.0, 2.5, 3.0, 3.25, 4.0, 5.0])),
)
def test_the_headline_is_the_stated_overall_or_a_mean_of_all_never_of_fewer(drawn, stated):
    n, scores = drawn
    summary = implementation_score(scores, n_parameters=n, stated_overall=stated)
    h = summary.headline
    if stated is not None:
        assert (h.value, h.basis) == (stated, STATED)
    elif h.value is not None:
        assert h.basis == MEAN and h.value == summary.mean
    if summary.n_scored < n:
        assert h.basis != MEAN  # a mean of fewer than all is never the headline…
        # …it stands beneath, with its count.
        assert h.mean_text.startswith(
            f"gennemsnit af {summary.n_scored} af {n} parametre: "
            if summary.mean is not None
            else f"0 af {n} parametre scoret"
        )
    if h.value is None:
        assert h.text == NOT_ASSESSED and h.basis is None


# --- What readers see, on the reference data --------------------------------------------


def _score_programme(*scores: int | None, stated: bool) -> None:
    """The 2018 assessment rescored for the whole programme, with or without its stated 3."""
    assessment = Assessment.objects.get()
    if not stated:
        assessment.stated_overall, assessment.stated_overall_text = None, ""
        assessment.save()
    for parameter, score in zip(
        ImplementationParameter.objects.order_by("order"), scores, strict=True
    ):
        ParameterScore.objects.filter(
            assessment=assessment, parameter=parameter, initiative=None
        ).update(score=score)
    call_command("recompute", "--all", verbosity=0)


@pytest.mark.django_db
def test_the_overview_headline_is_the_stated_3_with_the_mean_of_one_beneath(client, users):
    client.force_login(users.baggrundsgruppe)
    response = client.get(OVERVIEW)
    assert headline_on(response.content.decode()) == "3,0"
    page = text(response)
    assert (
        f"Implementering 3,0 angivet samlet score i vurderingen: {WORDS} "
        "gennemsnit af 1 af 6 parametre: 4,0 Midtvejsevaluering af Jobvækstpakken"
    ) in page
    # 4,0 is never the headline: wherever it appears it is the mean of one, with its count.
    assert page.count("4,0") == page.count("gennemsnit af 1 af 6 parametre: 4,0") > 0
    assert (
        "Seneste vurdering: Midtvejsevaluering af Jobvækstpakken (15.05.2018), samlet 3,0 "
        f"(angivet samlet score i vurderingen: {WORDS}; gennemsnit af 1 af 6 parametre: 4,0)."
    ) in page


@pytest.mark.django_db
def test_the_print_summary_and_the_assessments_list_say_3(client, users):
    client.force_login(users.udvalg)
    page = text(client.get(PRINT))
    assert (
        "Implementeringen er senest vurderet til 3,0 på en skala fra 1 til 5 "
        f"(angivet samlet score i vurderingen: {WORDS}; gennemsnit af 1 af 6 parametre: 4,0)."
    ) in page
    assert (
        "Samlet score: 3,0 (angivet samlet score i vurderingen: "
        f"{WORDS}; gennemsnit af 1 af 6 parametre: 4,0)."
    ) in page
    assert "vurderet til 4,0" not in page
    listed = text(client.get(ASSESSMENTS))
    assert (
        "Hele programmet: 3,0 (angivet samlet score i vurderingen: "
        f"{WORDS}; gennemsnit af 1 af 6 parametre: 4,0)"
    ) in listed


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.pdftools
def test_the_pdf_says_3(client, users, tmp_path):
    client.force_login(users.udvalg)
    path = tmp_path / "program.pdf"
    path.write_bytes(client.get(PDF).content)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    words = re.sub(r"\s+", " ", out.stdout.decode())
    assert "Implementeringen er senest vurderet til 3,0 på en skala fra 1 til 5" in words
    assert "gennemsnit af 1 af 6 parametre: 4,0" in words
    assert "Samlet score: 3,0" in words
    assert "vurderet til 4,0" not in words


@pytest.mark.django_db
def test_the_api_gives_the_stated_3_as_headline_and_keeps_its_old_fields(client, users):
    client.force_login(users.baggrundsgruppe)
    assessment = client.get(API).json()["results"][0]
    assert (assessment["headline"], assessment["headline_basis"]) == (3.0, "angivet")
    assert assessment["headline_text"] == "3,0"
    assert assessment["headline_label"] == f"angivet samlet score i vurderingen: {WORDS}"
    assert assessment["mean_text"] == "gennemsnit af 1 af 6 parametre: 4,0"
    # What existing clients read is unchanged.
    assert (assessment["stated_overall"], assessment["stated_overall_text"]) == ("3.00", WORDS)
    (programme,) = assessment["summaries"]
    assert {k: programme[k] for k in ("mean", "n_scored", "n_parameters", "stated_overall")} == {
        "mean": 4.0,
        "n_scored": 1,
        "n_parameters": 6,
        "stated_overall": 3.0,
    }
    assert (programme["headline"], programme["headline_basis"]) == (3.0, "angivet")


@pytest.mark.django_db
def test_without_a_stated_overall_six_of_six_make_the_mean_the_headline(client, users):
    _score_programme(4, 3, 4, 3, 4, 3, stated=False)
    client.force_login(users.udvalg)
    response = client.get(OVERVIEW)
    assert headline_on(response.content.decode()) == "3,5"
    assert "Implementering 3,5 gennemsnit af 6 af 6 parametre Midtvejs" in text(response)
    assert (
        "Implementeringen er senest vurderet til 3,5 på en skala fra 1 til 5 "
        "(gennemsnit af 6 af 6 parametre)."
    ) in text(client.get(PRINT))
    assessment = client.get(API).json()["results"][0]
    assert (assessment["headline"], assessment["headline_basis"]) == (3.5, "gennemsnit")
    assert assessment["mean_text"] is None


@pytest.mark.django_db
def test_without_a_stated_overall_two_of_six_give_no_headline_number(client, users):
    _score_programme(4, 2, None, None, None, None, stated=False)
    client.force_login(users.udvalg)
    response = client.get(OVERVIEW)
    assert headline_on(response.content.decode()) == "Ikke samlet vurderet"
    page = text(response)
    assert "Implementering Ikke samlet vurderet gennemsnit af 2 af 6 parametre: 3,0" in page
    assert "(15.05.2018), ikke samlet vurderet (gennemsnit af 2 af 6 parametre: 3,0)." in page
    summary = text(client.get(PRINT))
    assert (
        "Implementeringen er ikke samlet vurderet (gennemsnit af 2 af 6 parametre: 3,0)."
    ) in summary
    assert "vurderet til" not in summary
    assessment = client.get(API).json()["results"][0]
    assert (assessment["headline"], assessment["headline_basis"]) == (None, None)
    assert assessment["headline_text"] == "Ikke samlet vurderet"
    assert assessment["mean_text"] == "gennemsnit af 2 af 6 parametre: 3,0"


@pytest.mark.django_db
def test_an_initiative_card_shows_its_partial_mean_with_its_count_not_as_a_score(client, users):
    industri = Initiative.objects.get(slug="industri-og-byggeri")
    ParameterScore.objects.create(
        assessment=Assessment.objects.get(),
        parameter=ImplementationParameter.objects.get(order=1),
        initiative=industri,
        score=5,
    )
    call_command("recompute", "--all", verbosity=0)
    client.force_login(users.baggrundsgruppe)
    page = text(client.get(OVERVIEW))
    card = page[page.index("1. Industri og byggeri") : page.index("2. Kongresturisme")]
    assert "Implementering: ikke samlet vurderet (gennemsnit af 1 af 6 parametre: 5,0)" in card
    assert "5,0" not in card.replace("gennemsnit af 1 af 6 parametre: 5,0", "")
    api = client.get(API).json()["results"][0]
    card_score = next(s for s in api["summaries"] if s["initiative"] == industri.slug)
    assert (card_score["headline"], card_score["mean"]) == (None, 5.0)


@pytest.mark.django_db
def test_the_assessments_list_reads_no_row_per_headline(client, users, settings):
    # The stated overall's words come with the prefetched snapshots' assessment: more
    # assessments that state one must not cost a query each.
    settings.SESSION_REFRESH_SECONDS = 3600
    client.force_login(users.udvalg)
    with CaptureQueriesContext(connection) as before:
        assert client.get(ASSESSMENTS).status_code == 200
    programme = Assessment.objects.get().programme
    for year in (2019, 2020):
        Assessment.objects.create(
            programme=programme,
            date=dt.date(year, 1, 15),
            title=f"Intern {year}",
            assessor="BusinessAalborg",
            kind="intern",
            stated_overall=4,
            stated_overall_text="meget tilfredsstillende",
        )
    call_command("recompute", "--all", verbosity=0)
    with CaptureQueriesContext(connection) as after:
        page = text(client.get(ASSESSMENTS))
    assert len(after) == len(before)
    assert page.count("4,0 (angivet samlet score i vurderingen: meget tilfredsstillende;") == 2
