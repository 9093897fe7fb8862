"""Programme indicators (issue 10): the reference data, the gap, attainment, constraints.

The expected reference values are read off the seeds (../shared/seeds/), not off the
fixture: COWI 2018 ch. 1–2 and the Beskæftigelsesudvalget paper on the company-facing
strategy (2014-003316).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from evaluations import attainment as engine
from evaluations.indicators import (
    Point,
    Series,
    benchmark_table,
    gap_text,
    indicator_attainment,
    indicator_frame,
    national_gap,
    programme_indicators,
)
from initiatives.models import Area, Indicator, IndicatorObservation, Programme

pytestmark = pytest.mark.django_db


def rows_by_slug(programme) -> dict:
    return {row.indicator.slug: row for row in programme_indicators(programme)}


# --- The reference data ------------------------------------------------------------------


def test_the_share_of_new_jobs_going_to_residents_rises_from_ca_35_to_80(reference):
    row = rows_by_slug(reference)["nye-job-til-borgere-i-aalborg"]
    assert row.purpose == "Jobrettet"
    assert row.home.area == "Aalborg Kommune"
    points = row.home.points
    assert [(p.period, p.value, p.qualifier) for p in points] == [
        ("ved iværksættelsen af Jobvækstpakken", Decimal("35"), "ca"),
        ("på tidspunktet for midtvejsevalueringen", Decimal("80"), "eksakt"),
    ]
    assert [p.text for p in points] == ["ca. 35 %", "80 %"]
    assert row.change_text == "fra ca. 35 % til 80 %"
    # The seed names the moments, not dates: none is invented.
    assert all(p.period_start is None and p.period_end is None for p in points)
    assert row.national is None and row.gap is None


def test_the_unemployment_gap_is_kept_as_the_reports_words_with_no_rates(reference):
    row = rows_by_slug(reference)["ledighed"]
    assert row.purpose == "Vækstrettet"
    assert row.indicator.direction == "faldende"
    assert not IndicatorObservation.objects.filter(
        indicator=row.indicator, value__isnull=False
    ).exists()
    assert row.gap is not None and not row.gap.computed
    assert row.gap.difference is None
    assert row.gap.text == "ca. 1,5 procentpoint over landsgennemsnittet"
    assert "5.026 nye arbejdspladser" in row.indicator.description


def test_the_2014_activation_share_against_the_national_level_with_the_gap_computed(reference):
    row = rows_by_slug(reference)["virksomhedsvendt-aktivering"]
    assert row.purpose == "Kontekst"
    assert [(p.area, p.text) for p in row.comparison] == [
        ("Aalborg Kommune", "40,3 %"),
        ("København, Aarhus og Odense", "mindst 44 %"),
        ("Hele landet", "45,5 %"),
    ]
    assert {p.period for p in row.comparison} == {"september 2014"}
    gap = row.gap
    assert gap.computed and gap.period == "september 2014"
    assert gap.difference == Decimal("-5.2")
    assert gap.text == "5,2 procentpoint under landsgennemsnittet"
    assert gap.formula == "40,3 % − 45,5 % = −5,2 procentpoint"
    assert gap.favourable is False  # more company-based activation is the aim


def test_the_three_large_cities_are_one_bound_not_three_invented_values(reference):
    group = Area.objects.get(name="København, Aarhus og Odense")
    assert group.kind == Area.Kind.GROUP
    (obs,) = IndicatorObservation.objects.filter(area=group)
    assert (obs.value, obs.qualifier, obs.stated_text) == (Decimal("44"), "mindst", "mindst 44 %")
    assert not Area.objects.filter(name__in=["København", "Aarhus", "Odense"]).exists()


def test_the_reference_indicators_name_their_sources_and_invent_no_targets(reference):
    indicators = Indicator.objects.filter(programme=reference)
    assert indicators.count() == 3
    assert IndicatorObservation.objects.count() == 6
    assert not indicators.filter(target_value__isnull=False).exists()
    assert not indicators.filter(baseline_value__isnull=False).exists()
    sources = dict(indicators.values_list("slug", "source_name"))
    assert "COWI" in sources["nye-job-til-borgere-i-aalborg"]
    assert "2014-003316" in sources["virksomhedsvendt-aktivering"]
    # No target, so the engine says "Intet måltal" and never a percentage.
    for row in programme_indicators(reference):
        assert row.attainment.percent is None
        assert row.attainment.category == engine.Category.NO_TARGET


def test_load_reference_adds_the_indicators_once_and_to_an_older_database(reference):
    call_command("load_reference", verbosity=0)
    assert (Indicator.objects.count(), IndicatorObservation.objects.count()) == (3, 6)
    assert Area.objects.count() == 3
    # A database loaded before issue 10 has the programme but no indicators.
    IndicatorObservation.objects.all().delete()
    Indicator.objects.all().delete()
    call_command("load_reference", verbosity=0)
    assert (Indicator.objects.count(), IndicatorObservation.objects.count()) == (3, 6)
    assert Area.objects.count() == 3
    assert Indicator.history.count() >= 3  # a first history record, as for targets


def test_the_indicators_read_with_two_queries_however_many_there_are(
    reference, django_assert_num_queries
):
    with django_assert_num_queries(2):
        rows = programme_indicators(reference)
        assert [r.gap.text if r.gap else "" for r in rows]
    viborg = Area.objects.create(name="Viborg Kommune", kind="kommune")
    extra = Indicator.objects.create(
        programme=reference,
        slug="ekstra",
        name="Ekstra",
        unit="antal",
        home_area=viborg,
        source_name="Test",
    )
    for year in (2019, 2020):
        IndicatorObservation.objects.create(
            indicator=extra, area=viborg, period_label=str(year), value=year - 2000
        )
    with django_assert_num_queries(2):
        rows = {r.indicator.slug: r for r in programme_indicators(reference)}
        assert len(rows) == 4 and rows["ekstra"].change_text == "fra 19 antal til 20 antal"


# --- Attainment through the engine ----------------------------------------------------------


@pytest.fixture
def programme() -> Programme:
    return Programme.objects.create(
        slug="p", name="P", start_date=dt.date(2017, 1, 1), end_date=dt.date(2020, 12, 31)
    )


@pytest.fixture
def home() -> Area:
    return Area.objects.create(name="Testby Kommune", kind="kommune")


def make_indicator(programme, home, **fields) -> Indicator:
    defaults = {"slug": "i", "name": "I", "unit": "%", "source_name": "Test"}
    return Indicator.objects.create(programme=programme, home_area=home, **{**defaults, **fields})


def test_an_indicators_attainment_is_the_engines_for_the_same_target(programme, home):
    indicator = make_indicator(
        programme,
        home,
        baseline_value=Decimal("35"),
        baseline_date=dt.date(2017, 1, 1),
        target_value=Decimal("80"),
        target_date=dt.date(2020, 12, 31),
    )
    IndicatorObservation.objects.create(
        indicator=indicator,
        area=home,
        period_label="2018",
        period_start=dt.date(2018, 1, 1),
        period_end=dt.date(2018, 12, 31),
        value=Decimal("57.5"),
    )
    (row,) = programme_indicators(programme, as_of=dt.date(2019, 1, 1))
    result = row.attainment
    assert result.percent == 50.0
    assert result.formula == "(57,5 − 35) / (80 − 35) × 100 = 50 %"
    # The expected level halfway through 2017–2020, by the engine's linear path.
    same = engine.attainment(
        engine.TargetSpec(
            target_id=indicator.pk,
            direction="stigende",
            qualitative=False,
            measurable=True,
            basis="niveau",
            baseline_low=35.0,
            baseline_high=None,
            target_low=80.0,
            target_high=None,
            phases=(),
            start_date=dt.date(2017, 1, 1),
            target_date=dt.date(2020, 12, 31),
            cumulative=False,
        ),
        engine.Observation(dt.date(2018, 12, 31), 57.5, "", False, "57,5 %", None, None, "", False),
        as_of=dt.date(2019, 1, 1),
        history=[(dt.date(2018, 12, 31), 57.5)],
    )
    assert result == same
    assert result.category == engine.Category.ON_TRACK


def test_a_falling_indicator_uses_the_decrease_formula(programme, home):
    indicator = make_indicator(
        programme,
        home,
        direction="faldende",
        baseline_value=Decimal("6"),
        target_value=Decimal("4"),
    )
    IndicatorObservation.objects.create(
        indicator=indicator, area=home, period_label="2019", value=Decimal("5")
    )
    (row,) = programme_indicators(programme)
    assert row.attainment.percent == 50.0
    assert row.attainment.formula == "(6 − 5) / (6 − 4) × 100 = 50 %"


def test_the_latest_figure_with_a_value_counts_not_a_later_text(programme, home):
    indicator = make_indicator(programme, home, target_value=Decimal("50"))
    home_series = Series(
        area=home.name,
        kind="kommune",
        is_home=True,
        points=(
            Point(home.name, "2018", None, None, Decimal("25"), "eksakt", "25 %", "", ""),
            Point(home.name, "2019", None, None, None, "eksakt", "ikke opgjort", "", ""),
        ),
    )
    result = indicator_attainment(indicator, home_series, as_of=dt.date(2020, 1, 1))
    assert result.percent == 50.0
    assert indicator_attainment(indicator, None, as_of=dt.date(2020, 1, 1)).category == (
        engine.Category.NO_STATUS
    )


# --- The gap, without a database ----------------------------------------------------------------


def series(area: str, kind: str, *points: tuple[str, str, str], home: bool = False) -> Series:
    return Series(
        area=area,
        kind=kind,
        is_home=home,
        points=tuple(
            Point(area, period, None, None, Decimal(value), qualifier, value, "", "")
            for period, value, qualifier in points
        ),
    )


@pytest.mark.parametrize(
    ("home_value", "home_q", "national_value", "national_q", "direction", "text", "favourable"),
    [
        (
            "5.9",
            "eksakt",
            "4.4",
            "eksakt",
            "faldende",
            "1,5 procentpoint over landsgennemsnittet",
            False,
        ),
        (
            "40.3",
            "eksakt",
            "45.5",
            "eksakt",
            "stigende",
            "5,2 procentpoint under landsgennemsnittet",
            False,
        ),
        (
            "47",
            "ca",
            "45.5",
            "eksakt",
            "stigende",
            "ca. 1,5 procentpoint over landsgennemsnittet",
            True,
        ),
        ("45.5", "eksakt", "45.5", "eksakt", "stigende", "på landsgennemsnittet", None),
    ],
)
def test_the_gap_to_the_national_level(
    home_value, home_q, national_value, national_q, direction, text, favourable
):
    gap = national_gap(
        series("Aalborg Kommune", "kommune", ("2018", home_value, home_q), home=True),
        series("Hele landet", "hele_landet", ("2018", national_value, national_q)),
        unit="%",
        direction=direction,
    )
    assert (gap.text, gap.favourable, gap.computed) == (text, favourable, True)


def test_the_gap_uses_the_latest_period_both_have_and_never_a_bound():
    home = series(
        "Aalborg Kommune", "kommune", ("2017", "5", "eksakt"), ("2018", "6", "eksakt"), home=True
    )
    national = series(
        "Hele landet", "hele_landet", ("2017", "4", "eksakt"), ("2018", "4", "mindst")
    )
    gap = national_gap(home, national, unit="%", direction="faldende")
    assert (gap.period, gap.difference) == ("2017", Decimal("1"))
    only_bound = series("Hele landet", "hele_landet", ("2018", "4", "mindst"))
    home_2018 = series("Aalborg Kommune", "kommune", ("2018", "6", "eksakt"), home=True)
    assert national_gap(home_2018, only_bound, unit="%", direction="faldende") is None


def test_a_gap_in_another_unit_is_in_that_unit():
    assert gap_text(Decimal("-1200"), "antal") == "1.200 antal under landsgennemsnittet"
    assert gap_text(Decimal("0.25"), "procentpoint") == (
        "0,25 procentpoint over landsgennemsnittet"
    )


# --- Constraints ----------------------------------------------------------------------------------


def refused(**fields) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorObservation.objects.create(**fields)


def test_the_database_refuses_bad_observations(programme, home):
    indicator = make_indicator(programme, home)
    base = {"indicator": indicator, "area": home, "period_label": "2018"}
    IndicatorObservation.objects.create(**base, value=Decimal("10"))
    refused(**base, value=Decimal("11"))  # one per indicator, area and period
    refused(indicator=indicator, area=home, period_label="2019")  # neither value nor text
    refused(indicator=indicator, area=home, period_label="2020", qualifier="ca", stated_text="ca.")
    refused(
        indicator=indicator,
        area=home,
        period_label="2021",
        value=1,
        period_start=dt.date(2021, 12, 31),
        period_end=dt.date(2021, 1, 1),
    )
    refused(indicator=indicator, area=home, period_label="2022", value=1, qualifier="omkring")
    assert IndicatorObservation.objects.filter(indicator=indicator).count() == 1


def test_the_database_refuses_bad_indicators_and_a_second_country(programme, home):
    make_indicator(programme, home)
    for fields in (
        {"slug": "i"},  # the slug is taken in this programme
        {"slug": "pct", "target_value": Decimal("120")},
        {"slug": "neg", "baseline_value": Decimal("-1")},
        {"slug": "dir", "direction": "op"},
        {"slug": "purpose", "purpose": "andet"},
        {
            "slug": "dates",
            "baseline_date": dt.date(2020, 1, 1),
            "target_date": dt.date(2019, 1, 1),
        },
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_indicator(programme, home, **fields)
    make_indicator(programme, home, slug="gap", unit="procentpoint", target_value=Decimal("-2"))
    Area.objects.get_or_create(name="Hele landet", kind="hele_landet")  # the reference's
    with pytest.raises(IntegrityError), transaction.atomic():
        Area.objects.create(name="Danmark", kind="hele_landet")
    assert Indicator.objects.filter(programme=programme).count() == 2


def test_a_percentage_outside_0_100_is_refused_by_validation(programme, home):
    indicator = make_indicator(programme, home)
    obs = IndicatorObservation(
        indicator=indicator, area=home, period_label="2018", value=Decimal("140")
    )
    with pytest.raises(ValidationError, match="mellem 0 og 100"):
        obs.full_clean()


def test_rows_describe_themselves_in_danish(programme, home):
    indicator = make_indicator(programme, home, name="Andel")
    obs = IndicatorObservation.objects.create(
        indicator=indicator, area=home, period_label="2018", value=Decimal("44"), qualifier="mindst"
    )
    assert str(obs) == "Andel – Testby Kommune – 2018"
    assert obs.in_words() == "mindst 44 %"
    assert (str(indicator), str(home)) == ("Andel", "Testby Kommune")


def test_the_benchmark_table_and_the_chart_frame_of_the_2014_comparison(reference):
    row = rows_by_slug(reference)["virksomhedsvendt-aktivering"]
    table = benchmark_table(row)
    assert table.areas == ("Aalborg Kommune", "København, Aarhus og Odense", "Hele landet")
    assert table.rows == (("september 2014", ("40,3 %", "mindst 44 %", "45,5 %")),)
    frame = indicator_frame(row)
    assert list(frame["value"]) == [40.3, 44.0, 45.5]
    assert list(frame["qualifier"]) == ["eksakt", "mindst", "eksakt"]
    assert list(frame["is_home"]) == [True, False, False]


def test_a_figure_given_only_in_words_is_in_the_table_not_in_the_chart(reference):
    row = rows_by_slug(reference)["ledighed"]
    assert benchmark_table(row).rows == (
        ("midtvejsevalueringen, maj 2018", ("ca. 1,5 procentpoint over landsgennemsnittet",)),
    )
    assert indicator_frame(row).empty


def test_the_admin_shows_an_indicator_with_its_observations_and_history(client, users):
    from django.urls import reverse

    client.force_login(users.admin)
    indicator = Indicator.objects.get(slug="virksomhedsvendt-aktivering")
    html = client.get(
        reverse("admin:initiatives_indicator_change", args=[indicator.pk])
    ).content.decode()
    assert 'name="observations-0-period_label"' in html
    assert 'value="mindst 44 %"' in html
    history = reverse("admin:initiatives_indicator_history", args=[indicator.pk])
    assert client.get(history).status_code == 200
