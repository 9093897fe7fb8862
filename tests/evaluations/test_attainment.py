"""The goal-attainment engine: pure maths, no database (DOMAIN.md, "Goal attainment").

The named cases are the report's own figures (COWI 2018, Figures 8–12) and one worked
example per shape (docs/attainment-rules.md); the hypothesis properties pin down that the
expected attainment runs from exactly 0 % to exactly 100 %, monotonicity in both
directions, the ceiling rule, averages within 0–100, the increase/decrease mirror, and
that a target's result does not depend on which other targets share its batch.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import math
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from evaluations import attainment as engine
from evaluations.attainment import (
    Category,
    Observation,
    Result,
    TargetSpec,
    Thresholds,
    attainment,
    attainment_batch,
    forecast,
    mean_capped,
    results,
    specs_to_frame,
)

from ..base import examples

START = date(2017, 1, 1)
END = date(2020, 12, 31)
REPORT = date(2018, 4, 30)  # the mid-term evaluation's data are "as of" spring 2018


def spec(**kw) -> TargetSpec:
    values = {
        "target_id": 1,
        "direction": "stigende",
        "qualitative": False,
        "measurable": True,
        "basis": "periode",
        "baseline_low": None,
        "baseline_high": None,
        "target_low": None,
        "target_high": None,
        "phases": (),
        "start_date": START,
        "target_date": END,
        "cumulative": False,
    }
    values.update(kw)
    return TargetSpec(**values)


def obs(value: float | None = None, **kw) -> Observation:
    values = {
        "as_of": REPORT,
        "value": value,
        "assessment": "",
        "not_measurable": False,
        "status_text": "",
        "stated_low": None,
        "stated_high": None,
        "stated_text": "",
        "stated_is_estimate": False,
    }
    values.update(kw)
    return Observation(**values)


def run(s: TargetSpec, o: Observation | None, *, as_of: date = REPORT, history=()) -> Result:
    return attainment(s, o, as_of=as_of, history=history)


def _norm(x):
    """Exact comparison key: floats by bit pattern, NaN and None both as None."""
    if isinstance(x, float):
        return None if math.isnan(x) else x.hex()
    if isinstance(x, dict):
        return {k: _norm(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_norm(v) for v in x]
    return x


def assert_same(a: Result, b: Result) -> None:
    for f in dataclasses.fields(Result):
        left, right = getattr(a, f.name), getattr(b, f.name)
        assert _norm(left) == _norm(right), f"{f.name}: {left!r} != {right!r}"
        assert type(left) is type(right), f"{f.name}: {type(left)} != {type(right)}"


# --- The basic calculation ---------------------------------------------------------------


def test_eksportpilot_per_year_target_is_within_the_stated_1_to_2_percent():
    s = spec(basis="pr_aar", target_low=60.0, cumulative=True)
    r = run(s, obs(3.0, stated_low=1.0, stated_high=2.0, stated_text="1 - 2%"))
    assert r.target == 240.0  # 60 a year × 4 calendar years 2017–2020
    assert r.percent == 1.25
    assert r.basis == "beregnet"
    assert not r.flagged
    assert "1,25 %" in r.formula
    assert "(3 − 0) / (240 − 0) × 100 = 1,25 %" in r.formula
    # One complete calendar year (2017) is due by 30 April 2018: expected 60 of 240.
    assert r.expected_value == 60.0
    assert r.expected_percent == 25.0
    # 1,25 % reached of 25 % expected is 5 % of what was due: "store udfordringer".
    assert r.category is Category.CRITICAL


def test_eksportpilot_new_jobs_zero_of_21_is_zero_percent_not_missing():
    r = run(spec(target_low=21.0), obs(0.0))
    assert r.percent == 0.0
    assert r.basis == "beregnet"


def test_per_year_expected_counts_a_year_as_complete_on_31_december():
    s = spec(basis="pr_aar", target_low=60.0, cumulative=True)
    assert run(s, obs(3.0), as_of=date(2018, 12, 30)).expected_value == 60.0
    assert run(s, obs(3.0), as_of=date(2018, 12, 31)).expected_value == 120.0
    assert run(s, obs(3.0), as_of=date(2016, 6, 1)).expected_value == 0.0
    assert run(s, obs(3.0), as_of=date(2025, 6, 1)).expected_value == 240.0


def test_per_year_target_without_a_period_has_no_total():
    r = run(spec(basis="pr_aar", target_low=60.0, cumulative=True, start_date=None), obs(3.0))
    assert r.target is None
    assert r.percent is None
    assert r.category is Category.NO_TARGET


def test_range_with_a_baseline_range_uses_the_midpoint_and_both_ends():
    # Turnover from 45–50 to 80–85 mio. kr.
    s = spec(baseline_low=45.0, baseline_high=50.0, target_low=80.0, target_high=85.0)
    r = run(s, obs(60.0))
    assert r.baseline == 47.5
    assert r.target == 80.0 and r.target_high == 85.0
    assert r.percent == (60 - 47.5) / (80 - 47.5) * 100
    assert r.percent_high == (60 - 47.5) / (85 - 47.5) * 100
    assert "B = (45 + 50) / 2 = 47,5" in r.formula
    assert "38,46 %" in r.formula and "33,33 %" in r.formula


def test_a_range_whose_high_end_equals_the_baseline_has_no_high_percent():
    r = run(spec(baseline_low=10.0, target_low=20.0, target_high=10.0), obs(15.0))
    assert r.percent == 50.0
    assert r.percent_high is None


def test_decrease_beyond_the_target_is_kept_raw():
    s = spec(direction="faldende", baseline_low=100.0, target_low=60.0)
    r = run(s, obs(50.0))
    assert r.percent == 125.0
    assert r.category is Category.ACHIEVED
    assert "(100 − 50) / (100 − 60) × 100 = 125 %" in r.formula


def test_decrease_that_got_worse_is_negative():
    s = spec(direction="faldende", baseline_low=100.0, target_low=60.0)
    r = run(s, obs(120.0))
    assert r.percent == -50.0
    assert r.category is Category.CRITICAL
    assert "= −50 %" in r.formula


def test_increase_below_the_baseline_is_negative():
    r = run(spec(baseline_low=20.0, target_low=34.0), obs(13.0))
    assert r.percent == -50.0
    assert r.category is Category.CRITICAL


def test_over_achievement_375_percent_with_stated_plus_100_is_not_flagged():
    # Småjobs: 60 staff in competence development against a target of 16.
    r = run(spec(target_low=16.0), obs(60.0, stated_low=100.0, stated_text="+100 %"))
    assert r.percent == 375.0
    assert r.category is Category.ACHIEVED
    assert not r.flagged
    assert r.stated_text == "+100 %"


def test_stated_plus_100_flags_a_computed_figure_well_below_100():
    r = run(spec(target_low=16.0), obs(8.0, stated_low=100.0, stated_text="+100 %"))
    assert r.percent == 50.0
    assert r.flagged
    assert "+100 %" in r.flag_reason and "50 %" in r.flag_reason


def test_fund_half_granted_is_50_percent_and_stated_46_is_within_5_points():
    r = run(spec(target_low=1.0), obs(0.5, stated_low=46.0, stated_text="46 %"))
    assert r.percent == 50.0
    assert not r.flagged
    assert r.flag_reason == ""
    assert r.stated_low == 46.0


def test_a_single_stated_figure_more_than_5_points_off_is_flagged():
    r = run(spec(target_low=1.0), obs(0.5, stated_low=40.0, stated_text="40 %"))
    assert r.flagged
    assert r.flag_reason == "Angivet 40 % afviger 10 point fra beregnet 50 %"


def test_a_stated_range_flags_only_outside_its_ends_plus_tolerance():
    s = spec(basis="pr_aar", target_low=60.0)
    inside = obs(3.0, stated_low=1.0, stated_high=2.0, stated_text="1 - 2%")
    assert not run(s, inside).flagged
    far = obs(30.0, stated_low=1.0, stated_high=2.0, stated_text="1 - 2%")
    r = run(s, far)  # 12,5 % > 2 + 5
    assert r.flagged
    assert r.flag_reason.startswith("Angivet 1 - 2% afviger")


def test_target_equal_to_baseline_gives_no_computed_percent():
    # Zero denominator: T − B = 0.
    r = run(spec(baseline_low=10.0, target_low=10.0), obs(12.0))
    assert r.percent is None
    assert r.basis == "ingen"
    assert r.category is Category.NO_TARGET
    assert r.expected_value is None
    assert "T = B = 10" in r.formula


def test_target_equal_to_baseline_uses_an_assessment_when_given():
    r = run(spec(baseline_low=10.0, target_low=10.0), obs(assessment="delvist"))
    assert r.percent == 50.0
    assert r.basis == "vurderet"


# --- Phases and expected values ---------------------------------------------------------


def test_byg_i_nord_phases_partly_due():
    s = spec(phases=((2017, 30.0), (2018, 80.0)), target_date=date(2018, 12, 31))
    r = run(s, obs(40.0))
    assert r.target == 110.0
    assert r.target_high is None
    assert r.expected_value == 30.0  # only 2017's phase has ended by 30 April 2018
    assert r.expected_percent == 30.0 / 110.0 * 100
    assert "T = 30 + 80 = 110" in r.formula
    assert run(s, obs(40.0), as_of=date(2018, 12, 31)).expected_value == 110.0
    assert run(s, obs(40.0), as_of=date(2017, 12, 31)).expected_value == 30.0
    assert run(s, obs(40.0), as_of=date(2017, 12, 30)).expected_value == 0.0


def test_linear_expected_value_is_interpolated_and_clamped():
    s = spec(baseline_low=20.0, target_low=34.0, start_date=date(2016, 1, 1))
    half = date(2016, 1, 1) + (END - date(2016, 1, 1)) / 2
    r = run(s, obs(27.0), as_of=half)
    fraction = (half - date(2016, 1, 1)).days / (END - date(2016, 1, 1)).days
    assert r.expected_value == 20.0 + fraction * 14.0
    assert run(s, obs(27.0), as_of=date(2030, 1, 1)).expected_value == 34.0
    assert run(s, obs(27.0), as_of=date(2010, 1, 1)).expected_value == 20.0


def test_missing_dates_give_no_expected_value_and_compare_with_the_target():
    s = spec(target_low=100.0, start_date=None, target_date=None)
    r = run(s, obs(95.0))
    assert r.expected_value is None and r.expected_percent is None
    assert r.category is Category.ON_TRACK  # 95 ≥ 90 % of 100
    assert run(s, obs(75.0)).category is Category.BEHIND
    assert run(s, obs(45.0)).category is Category.CRITICAL


@pytest.mark.parametrize(
    ("value", "category"),
    [(100.0, "Opnået"), (45.0, "På sporet"), (30.0, "Bagud"), (24.0, "Kritisk")],
)
def test_category_thresholds_are_shares_of_the_expected_percent(value, category):
    # Halfway through a 2-year period: expected ≈ 49,9 %. On track from 90 % of it
    # (≈ 44,9), critical below 50 % of it (≈ 24,9).
    s = spec(target_low=100.0, start_date=date(2018, 1, 1), target_date=date(2019, 12, 31))
    as_of = date(2018, 1, 1) + timedelta(days=364)
    r = run(s, obs(value), as_of=as_of)
    assert 49 < r.expected_percent < 51
    assert r.category == category


def test_thresholds_are_settings():
    s = spec(target_low=100.0, start_date=None, target_date=None)
    strict = Thresholds(on_track_share=99.0, critical_share=98.0)
    r = attainment(s, obs(95.0), as_of=REPORT, thresholds=strict)
    assert r.category is Category.CRITICAL
    assert r.explanation["thresholds"]["on_track_share"] == 99.0
    with pytest.raises(ValueError, match="Tærsklerne"):
        Thresholds(on_track_share=50.0, critical_share=60.0)


# --- Targets without a computed percentage ---------------------------------------------


def test_missing_status_has_no_percent():
    r = run(spec(target_low=34.0, baseline_low=20.0), None)
    assert r.percent is None
    assert r.category is Category.NO_STATUS
    assert r.basis == "ingen"
    assert r.stated_text == "" and r.stated_low is None
    assert not r.flagged


@pytest.mark.parametrize(
    ("target", "observation"),
    [
        (spec(target_low=10.0, measurable=False), obs(5.0)),
        (spec(target_low=10.0), obs(5.0, not_measurable=True, status_text="Ikke målbart p.t.")),
        (spec(qualitative=True, measurable=False), obs(assessment="opnaaet")),
    ],
)
def test_not_measurable_has_no_percent_never_zero(target, observation):
    r = run(target, observation)
    assert r.percent is None
    assert r.category is Category.NOT_MEASURABLE
    assert mean_capped([r.percent, 80.0]) == (80.0, 1)


@pytest.mark.parametrize(
    ("assessment", "percent", "label"),
    [("opnaaet", 100.0, "Opnået"), ("delvist", 50.0, "Delvist opnået"), ("ikke_opnaaet", 0.0, "")],
)
def test_qualitative_assessed(assessment, percent, label):
    # "Øget samarbejde": status "vurderes at være øget".
    s = spec(qualitative=True)
    r = run(s, obs(assessment=assessment, status_text="vurderes at være øget"))
    assert r.percent == percent
    assert r.basis == "vurderet"
    assert r.expected_value is None
    assert r.formula.startswith("Vurderet: ")
    assert label in r.formula


def test_assessed_figure_is_compared_with_the_share_of_the_period_gone():
    s = spec(qualitative=True)
    r = run(s, obs(assessment="delvist"), as_of=REPORT)
    fraction = (REPORT - START).days / (END - START).days
    assert r.expected_percent == fraction * 100.0  # about 33 %
    assert r.category is Category.ON_TRACK
    assert run(s, obs(assessment="opnaaet")).category is Category.ACHIEVED
    assert run(s, obs(assessment="ikke_opnaaet")).category is Category.CRITICAL


def test_byg_i_nord_estimate_is_kept_and_not_flagged():
    s = spec(phases=((2017, 30.0), (2018, 80.0)), target_date=date(2018, 12, 31))
    o = obs(
        None,
        stated_low=50.0,
        stated_high=70.0,
        stated_text="50-70 %",
        stated_is_estimate=True,
        status_text="Skønnet til ca. 50–70 % for 2017 til primo 2018",
    )
    r = run(s, o)
    assert r.percent is None
    # The evaluator's estimate is what the source says: partly achieved, as stated.
    assert r.category is Category.PARTLY
    assert r.basis == "angivet"
    assert not r.flagged
    assert (r.stated_low, r.stated_high, r.stated_is_estimate) == (50.0, 70.0, True)
    assert r.stated_text == "50-70 %"
    assert "Angivet i rapporten: 50–70 % (skøn)" in r.formula


def test_an_estimate_is_still_checked_against_a_computed_figure():
    o = obs(10.0, stated_low=50.0, stated_high=70.0, stated_is_estimate=True)
    r = run(spec(target_low=100.0), o)
    assert r.flagged
    assert r.stated_is_estimate


@pytest.mark.parametrize("target_low", [None, 100.0])
def test_smaajobs_dash_status_with_stated_plus_100_is_flagged(target_low):
    o = obs(None, status_text="-", stated_low=100.0, stated_text="+100 %")
    r = run(spec(target_low=target_low), o)
    assert r.percent is None
    assert r.flagged
    assert r.flag_reason == "Angivet målopnåelse uden data bag"
    assert r.category is Category.ACHIEVED
    assert r.basis == "angivet"


def test_congress_bids_stated_zero_with_a_dash_status_is_flagged_whatever_the_value():
    # Figure 9: bids "-" in the status column, 0 in the attainment column.
    o = obs(None, stated_low=0.0, stated_text="0", status_text="-")
    r = run(spec(baseline_low=20.0, target_low=34.0, start_date=date(2015, 12, 31)), o)
    assert r.flagged
    assert r.flag_reason == "Angivet målopnåelse uden data bag"
    assert r.category is Category.NOT_ACHIEVED
    assert r.basis == "angivet"


def test_congress_stated_zero_with_no_increase_assessed_is_not_achieved_as_stated():
    o = obs(
        None,
        stated_low=0.0,
        stated_text="0 %",
        status_text="Der vurderes p.t. ikke at være stigning",
    )
    r = run(spec(baseline_low=20.0, target_low=34.0, start_date=date(2015, 1, 1)), o)
    assert r.percent is None
    assert not r.flagged  # the status text is what the figure rests on
    assert r.stated_low == 0.0
    assert r.category is Category.NOT_ACHIEVED
    assert r.basis == "angivet"
    assert "Der vurderes p.t. ikke at være stigning" in r.formula


def test_new_fora_has_a_value_and_a_stated_100_but_no_target():
    r = run(spec(target_low=None), obs(2.0, stated_low=100.0, stated_text="100 %"))
    assert r.percent is None  # nothing to compute against
    assert r.basis == "angivet"
    assert r.category is Category.ACHIEVED
    assert r.actual == 2.0
    assert not r.flagged  # the count 2 is the data behind it


def test_a_value_without_a_target_or_stated_figure_is_no_target():
    r = run(spec(target_low=None), obs(7.0, status_text="7"))
    assert r.category is Category.NO_TARGET
    assert r.basis == "ingen"


def test_a_status_text_alone_for_a_numeric_target_is_text_only_never_no_status():
    r = run(spec(target_low=34.0, baseline_low=20.0), obs(None, status_text="Under planlægning"))
    assert r.category is Category.TEXT_ONLY
    assert r.percent is None


def test_no_target_and_no_status_text_is_no_status():
    assert run(spec(), obs(None, status_text=" - ")).category is Category.NO_STATUS
    assert run(spec(), obs(None, status_text="Under planlægning")).category == "Intet måltal"


# --- Averages ---------------------------------------------------------------------------


def test_mean_capped_caps_at_100_and_skips_missing():
    assert mean_capped([375, 50, None]) == (75.0, 2)
    assert mean_capped([None, float("nan")]) == (None, 0)
    assert mean_capped([]) == (None, 0)
    assert mean_capped([-50.0, 50.0]) == (25.0, 2)  # floored at 0, as capped at 100


# --- Forecasts --------------------------------------------------------------------------

TREND = spec(target_low=100.0)


def test_forecast_on_time():
    history = [(date(2017, 1, 1), 0.0), (date(2018, 1, 1), 40.0)]
    assert forecast(TREND, history, target_value=100.0) == (2019, "forventes nået i 2019")


def test_forecast_late():
    history = [(date(2017, 1, 1), 0.0), (date(2018, 1, 1), 10.0), (date(2019, 1, 1), 20.0)]
    year, text = forecast(TREND, history, target_value=100.0)
    assert year == 2027  # 10 a year from 0 in 2017
    assert text == "forventes nået i 2027, efter måldatoen (2020)"


def test_forecast_never_when_the_trend_is_flat_or_the_wrong_way():
    down = [(date(2017, 1, 1), 40.0), (date(2018, 1, 1), 30.0)]
    flat = [(date(2017, 1, 1), 40.0), (date(2018, 1, 1), 40.0)]
    assert forecast(TREND, down, target_value=100.0) == (None, "nås ikke inden 2020")
    assert forecast(TREND, flat, target_value=100.0) == (None, "nås ikke inden 2020")


def test_forecast_for_a_decrease_target():
    s = spec(direction="faldende", baseline_low=100.0, target_low=60.0)
    history = [(date(2017, 1, 1), 100.0), (date(2018, 1, 1), 90.0)]
    assert forecast(s, history, target_value=60.0) == (
        2021,
        "forventes nået i 2021, efter måldatoen (2020)",
    )
    up = [(date(2017, 1, 1), 100.0), (date(2018, 1, 1), 110.0)]
    assert forecast(s, up, target_value=60.0) == (None, "nås ikke inden 2020")


def test_forecast_already_reached():
    history = [(date(2017, 1, 1), 50.0), (date(2018, 1, 1), 120.0)]
    assert forecast(TREND, history, target_value=100.0) == (None, "nået")


def test_forecast_needs_two_distinct_dates_a_target_and_a_target_date():
    one = [(date(2017, 1, 1), 10.0)]
    same_day = [(date(2017, 1, 1), 10.0), (date(2017, 1, 1), 20.0)]
    two = [(date(2017, 1, 1), 10.0), (date(2018, 1, 1), 20.0)]
    assert forecast(TREND, (), target_value=100.0) == (None, "")
    assert forecast(TREND, one, target_value=100.0) == (None, "")
    assert forecast(TREND, same_day, target_value=100.0) == (None, "")
    assert forecast(TREND, two, target_value=None) == (None, "")
    assert forecast(spec(target_date=None), two, target_value=100.0) == (None, "")


def test_forecast_never_before_the_latest_point():
    # The fitted line crosses 100 in early 2018, but the latest value (99) has not.
    history = [(date(2017, 1, 1), 0.0), (date(2018, 1, 1), 120.0), (date(2019, 1, 1), 99.0)]
    assert forecast(TREND, history, target_value=100.0) == (2019, "forventes nået i 2019")


def test_attainment_carries_the_forecast_only_for_computable_targets():
    history = [(date(2017, 1, 1), 0.0), (date(2018, 1, 1), 40.0)]
    r = run(TREND, obs(40.0), history=history)
    assert (r.forecast_year, r.forecast_text) == (2019, "forventes nået i 2019")
    assessed = run(spec(qualitative=True), obs(assessment="delvist"), history=history)
    assert (assessed.forecast_year, assessed.forecast_text) == (None, "")


# --- Text and explanation ---------------------------------------------------------------


def test_formula_uses_danish_number_formatting():
    r = run(spec(baseline_low=16000.0, target_low=27000.0), obs(18500.5))
    assert "(18.500,5 − 16.000) / (27.000 − 16.000) × 100 = 22,73 %" in r.formula
    assert r.percent == (18500.5 - 16000.0) / (27000.0 - 16000.0) * 100  # raw, not rounded


def test_explanation_is_json_and_names_the_inputs():
    s = spec(phases=((2017, 30.0), (2018, 80.0)), target_date=date(2018, 12, 31))
    r = run(s, obs(40.0), history=[(date(2017, 6, 30), 10.0)])
    data = json.loads(json.dumps(r.explanation))
    assert data["rule"] == "stigning"
    assert data["B"] == 0.0 and data["T"] == 110.0 and data["A"] == 40.0
    assert data["phases"] == [[2017, 30.0], [2018, 80.0]]
    assert data["as_of"] == "2018-04-30" and data["start"] == "2017-01-01"
    assert data["target_date"] == "2018-12-31"
    assert data["expected_rule"] == "faser"
    assert data["thresholds"] == {
        "on_track_share": 90.0,
        "critical_share": 50.0,
        "discrepancy_points": 5.0,
    }
    assert data["engine_version"] == engine.ENGINE_VERSION


def test_the_engine_imports_nothing_from_django():
    tree = ast.parse(Path(engine.__file__).read_text())
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            modules.add((node.module or "").split(".")[0])
    assert "django" not in modules
    # Plain Python (the standard library) plus numpy and pandas, nothing else.
    assert modules - {"numpy", "pandas"} <= sys.stdlib_module_names


def test_batch_of_nothing_is_an_empty_frame():
    out = attainment_batch(specs_to_frame([]))
    assert len(out) == 0
    assert "percent" in out.columns


def test_batch_returns_keys_and_results_in_the_input_order():
    items = [(spec(target_id=i, target_low=10.0), obs(float(i)), REPORT, ()) for i in range(1, 4)]
    out = attainment_batch(specs_to_frame(items))
    assert list(out["target_id"]) == [1, 2, 3]
    assert list(out["percent"]) == [10.0, 20.0, 30.0]
    # Expected ≈ 33 %: 10 is under half of it, 20 under 90 % of it, 30 above.
    assert list(out["category"]) == ["Kritisk", "Bagud", "På sporet"]
    assert set(engine.OUTPUT_KEY_COLUMNS) <= set(out.columns)
    assert "spec_target_low" not in out.columns  # the inputs stay in the input frame


# --- Properties -------------------------------------------------------------------------

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
# Round numbers make equalities (T == B, A == T, a phase due on the day) likely.
number = st.one_of(st.sampled_from([0.0, 1.0, 10.0, 20.0, 34.0, 60.0, 100.0]), finite)
maybe = st.one_of(st.none(), number)
day = st.one_of(
    st.sampled_from([date(2017, 1, 1), date(2018, 12, 31), date(2019, 6, 30), END]),
    st.dates(min_value=date(2014, 1, 1), max_value=date(2026, 12, 31)),
)


@st.composite
def target_specs(draw, target_id: int = 1) -> TargetSpec:
    phases = draw(
        st.one_of(
            st.just(()),
            st.lists(st.tuples(st.integers(2015, 2022), number), max_size=4).map(
                lambda ps: tuple(sorted(ps, key=lambda p: p[0]))
            ),
        )
    )
    return TargetSpec(
        target_id=target_id,
        direction=draw(st.sampled_from(["stigende", "faldende"])),
        qualitative=draw(st.booleans()),
        measurable=draw(st.sampled_from([True, True, True, False])),
        basis=draw(st.sampled_from(["periode", "pr_aar", "niveau", ""])),
        baseline_low=draw(maybe),
        baseline_high=draw(maybe),
        target_low=draw(maybe),
        target_high=draw(maybe),
        phases=phases,
        start_date=draw(st.one_of(st.none(), day)),
        target_date=draw(st.one_of(st.none(), day)),
        cumulative=draw(st.booleans()),
    )


@st.composite
def observations(draw) -> Observation | None:
    if draw(st.integers(0, 5)) == 0:
        return None
    stated_text = draw(st.sampled_from(["", "+100 %", "1 - 2%", "46 %", " +5 %", "-"]))
    return Observation(
        as_of=draw(day),
        value=draw(maybe),
        assessment=draw(st.sampled_from(["", "", "opnaaet", "delvist", "ikke_opnaaet"])),
        not_measurable=draw(st.sampled_from([False, False, False, True])),
        status_text=draw(st.sampled_from(["", "-", " - ", "Der vurderes p.t. ikke", "\t"])),
        stated_low=draw(st.one_of(st.none(), st.sampled_from([0.0, 46.0, 100.0]), finite)),
        stated_high=draw(st.one_of(st.none(), st.sampled_from([2.0, 70.0]), finite)),
        stated_text=stated_text,
        stated_is_estimate=draw(st.booleans()),
    )


histories = st.lists(st.tuples(day, maybe), max_size=5)


@st.composite
def cases(draw, target_id: int = 1):
    return (draw(target_specs(target_id)), draw(observations()), draw(day), draw(histories))


thresholds = st.builds(
    Thresholds,
    on_track_share=st.sampled_from([90.0, 100.0, 75.0]),
    critical_share=st.sampled_from([0.0, 50.0, 75.0]),
    discrepancy_points=st.sampled_from([0.0, 5.0, 20.0]),
)


def same(a: Result, b: Result) -> None:
    for f in dataclasses.fields(Result):
        left, right = getattr(a, f.name), getattr(b, f.name)
        assert _norm(left) == _norm(right), f"{f.name}: {left!r} != {right!r}"


@pytest.mark.slow
@settings(
    max_examples=examples(150, 20), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.lists(cases(), min_size=1, max_size=12), thresholds)
def test_a_targets_result_does_not_depend_on_its_batch(items, th):
    """The worker computes hundreds of targets in one frame, a page one: same figures."""
    items = [(dataclasses.replace(s, target_id=i), o, d, h) for i, (s, o, d, h) in enumerate(items)]
    together = results(attainment_batch(specs_to_frame(items), thresholds=th))
    assert len(together) == len(items)
    for (s, o, as_of, history), result in zip(items, together, strict=True):
        same(attainment(s, o, as_of=as_of, history=history, thresholds=th), result)


def seeded_mix() -> list[tuple]:
    """3.000 items of every shape, drawn from a fixed seed."""
    rng = np.random.default_rng(2018)
    shapes = ["plain", "range", "phases", "pr_aar", "decrease", "qualitative", "none", "nm"]
    items = []
    for i in range(3000):
        shape = shapes[i % len(shapes)]
        start = date(2016, 1, 1) + timedelta(days=int(rng.integers(0, 700)))
        end = start + timedelta(days=int(rng.integers(-30, 2000)))
        b = float(rng.choice([0.0, 20.0, 45.0]))
        t = float(rng.choice([16.0, 34.0, 60.0, 20.0]))
        s = spec(
            target_id=i,
            direction="faldende" if shape == "decrease" else "stigende",
            qualitative=shape == "qualitative",
            measurable=shape != "nm",
            basis="pr_aar" if shape == "pr_aar" else "periode",
            baseline_low=b if shape != "none" else None,
            baseline_high=b + 5.0 if shape == "range" else None,
            target_low=None if shape == "none" else (b - t if shape == "decrease" else t + b),
            target_high=t + b + 5.0 if shape == "range" else None,
            phases=((2017, 30.0), (2018, float(rng.integers(0, 100)))) if shape == "phases" else (),
            start_date=start if rng.random() > 0.05 else None,
            target_date=end,
            cumulative=bool(rng.random() < 0.5),
        )
        value = None if rng.random() < 0.1 else float(rng.normal(40, 30))
        o = obs(
            value,
            assessment=str(rng.choice(["", "opnaaet", "delvist"])),
            stated_low=None if rng.random() < 0.5 else float(rng.integers(0, 120)),
            stated_text=str(rng.choice(["", "+100 %"])),
            status_text=str(rng.choice(["", "-", "tekst"])),
        )
        history = [
            (start + timedelta(days=int(rng.integers(0, 1500))), float(rng.normal(30, 20)))
            for _ in range(int(rng.integers(0, 6)))
        ]
        as_of = start + timedelta(days=int(rng.integers(0, 1500)))
        items.append((s, None if rng.random() < 0.05 else o, as_of, history))
    return items


@pytest.mark.slow
def test_a_large_seeded_mix_gives_the_same_figures_in_one_batch_as_one_by_one():
    items = seeded_mix()
    # The same spec object in several rows, as the recomputation passes a target's rounds.
    items += [(items[0][0], o, d, h) for _, o, d, h in items[1:40]]
    out = attainment_batch(specs_to_frame(items))
    together = results(out)
    for (s, o, as_of, history), result in zip(items[::7], together[::7], strict=True):
        same(attainment(s, o, as_of=as_of, history=history), result)
    assert out["forecast_year"].notna().sum() > 100  # the forecast path was exercised
    assert out["flagged"].sum() > 100
    assert result_columns_empty() == {name: [] for name in engine.RESULT_COLUMNS}


def result_columns_empty() -> dict:
    return engine.result_columns(attainment_batch(specs_to_frame([])))


# --- The rules as properties, over every shape and both directions ------------------------


@st.composite
def dated_specs(draw) -> TargetSpec:
    """Any shape with a period of some length (start before the target date)."""
    s = draw(target_specs())
    start = draw(st.dates(min_value=date(2014, 1, 1), max_value=date(2025, 12, 30)))
    end = draw(st.dates(min_value=start + timedelta(days=1), max_value=date(2026, 12, 31)))
    return dataclasses.replace(s, start_date=start, target_date=end)


def _is_ceiling(r: Result) -> bool:
    return r.explanation["ceiling"]


@pytest.mark.slow
@settings(max_examples=examples(400, 40), deadline=None)
@given(dated_specs(), observations())
def test_expected_attainment_is_0_at_the_start_and_exactly_100_at_the_target_date(s, o):
    at_start = attainment(s, o, as_of=s.start_date)
    at_end = attainment(s, o, as_of=s.target_date)
    after = attainment(s, o, as_of=s.target_date + timedelta(days=400))
    if _is_ceiling(at_end):
        # A ceiling has no path: it is met or not (DOMAIN.md).
        assert at_start.expected_percent is None and at_end.expected_percent is None
        return
    assert at_start.expected_percent == 0.0
    assert at_end.expected_percent == 100.0
    assert after.expected_percent == 100.0
    if at_end.expected_value is not None:
        # The expected value lands on the target itself, not on B alone or beyond T.
        assert math.isclose(at_end.expected_value, at_end.target, rel_tol=1e-9, abs_tol=1e-6)


def _valid(s: TargetSpec, r: Result) -> bool:
    """A target the entry rules accept: an increase above its baseline, a decrease below."""
    if r.target is None or r.baseline is None or _is_ceiling(r):
        return False
    return r.target < r.baseline if s.direction == "faldende" else r.target > r.baseline


@pytest.mark.slow
@settings(max_examples=examples(400, 40), deadline=None)
@given(target_specs(), finite, finite, day)
def test_attainment_is_monotone_in_the_actual_for_every_shape_and_direction(s, a1, a2, as_of):
    s = dataclasses.replace(s, qualitative=False, measurable=True)
    lo, hi = sorted([a1, a2])
    r_lo = attainment(s, obs(lo), as_of=as_of)
    r_hi = attainment(s, obs(hi), as_of=as_of)
    assume(r_lo.basis == "beregnet" and _valid(s, r_lo))
    if s.direction == "faldende":
        assert r_lo.percent >= r_hi.percent  # less is better
    else:
        assert r_lo.percent <= r_hi.percent


@settings(max_examples=examples(300, 30), deadline=None)
@given(target_specs(), finite, day)
def test_a_ceiling_is_met_exactly_when_the_actual_is_at_most_the_target(s, a, as_of):
    s = dataclasses.replace(
        s,
        direction="faldende",
        qualitative=False,
        measurable=True,
        baseline_low=None,
        baseline_high=None,
    )
    r = attainment(s, obs(a), as_of=as_of)
    assume(r.target is not None)
    assert r.percent is None  # never a percentage against an invented B = 0
    assert (r.category is Category.ACHIEVED) == (a <= r.target)
    assert r.category in (Category.ACHIEVED, Category.NOT_ACHIEVED)
    assert r.explanation["distance"] == a - r.target


@given(st.lists(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=False))))
def test_averages_lie_within_0_and_100(percents):
    mean, n = mean_capped(percents)
    assert n == sum(1 for p in percents if p is not None and not math.isnan(p))
    assert (mean is None) == (n == 0)
    if mean is not None:
        assert 0.0 <= mean <= 100.0


def test_a_ceiling_of_1750_is_met_by_1700_and_missed_by_1900_with_the_distance():
    s = spec(direction="faldende", target_low=1750.0)  # "max. 1.750", no baseline
    over = run(s, obs(1900.0))
    assert over.category is Category.NOT_ACHIEVED
    assert over.percent is None
    assert "150 over loftet" in over.formula
    under = run(s, obs(1700.0))
    assert under.category is Category.ACHIEVED
    assert under.percent is None
    assert "50 under loftet" in under.formula


def test_phases_over_a_baseline_add_to_it_and_reach_100_percent_at_the_target_date():
    s = spec(baseline_low=70.0, phases=((2017, 30.0), (2018, 80.0)), target_date=date(2018, 12, 31))
    r = run(s, obs(100.0))
    assert r.target == 180.0  # T = B + Σ phases
    assert "T = 70 + 30 + 80 = 180" in r.formula
    assert r.expected_value == 100.0  # 70 + 2017's 30, due by 30.04.2018
    assert r.percent == (100.0 - 70.0) / (180.0 - 70.0) * 100
    assert run(s, obs(100.0), as_of=date(2018, 12, 31)).expected_percent == 100.0


def test_a_yearly_rate_that_is_not_cumulative_compares_the_year_with_its_amount():
    s = spec(basis="pr_aar", target_low=60.0, cumulative=False, target_date=date(2025, 12, 31))
    r = run(s, obs(50.0, as_of=date(2025, 12, 31)), as_of=date(2025, 12, 31))
    assert r.target == 60.0
    assert round(r.percent, 2) == 83.33  # 50 of that year's 60, not of 9 years' 540
    assert "pr. år" in r.formula


def test_phases_of_a_decrease_are_reductions_from_its_baseline():
    s = spec(
        direction="faldende",
        baseline_low=200.0,
        phases=((2017, 30.0), (2018, 80.0)),
        target_date=date(2018, 12, 31),
    )
    r = run(s, obs(150.0))
    assert r.target == 90.0  # 200 − 30 − 80
    assert "T = 200 − 30 − 80 = 90" in r.formula
    assert r.expected_value == 170.0  # 2017's 30 is due by 30.04.2018
    assert r.percent == (200.0 - 150.0) / (200.0 - 90.0) * 100


def test_a_decreasing_range_headlines_its_lenient_end_and_keeps_the_stretch():
    s = spec(direction="faldende", baseline_low=100.0, target_low=60.0, target_high=80.0)
    r = run(s, obs(70.0))
    assert r.target == 80.0 and r.target_high == 60.0
    assert r.percent == 150.0  # against 80, the end nearer the baseline: met
    assert r.percent_high == 75.0  # against the stretch figure 60
    assert r.category is Category.ACHIEVED
    assert "strækmål 60" in r.formula


def test_an_assessed_figure_is_compared_with_a_stated_one():
    r = run(spec(qualitative=True), obs(assessment="opnaaet", stated_low=0.0, stated_text="0"))
    assert r.basis == "vurderet"
    assert r.flagged
    assert r.flag_reason == "Angivet 0 afviger 100 point fra beregnet 100 %"


def _neg(x: float | None) -> float | None:
    return None if x is None else -x


@settings(max_examples=examples(300, 30), deadline=None)
@given(case=cases())
def test_a_decrease_is_the_mirror_of_an_increase(case):
    """Negating B, T, A (and every level), swapping a range's ends and flipping the
    direction changes nothing, for targets with a baseline (without one a decrease is a
    ceiling, which has no mirror). Phases and yearly rates are amounts of change in the
    target's direction, so they stay as they are.

    Proof: (B − A) / (B − T) and ((−A) − (−B)) / ((−T) − (−B)) have the same exact
    numerator and denominator, and IEEE rounding is symmetric, so they are equal (up to
    the sign of a zero); the lenient end of one is the mirrored lenient end of the other;
    likewise the expected share, the trend's slope and its crossing time t*.
    """
    s, o, as_of, history = case
    assume(s.baseline_low is not None or s.baseline_high is not None)
    rate = s.basis == "pr_aar" and not [v for _, v in s.phases if v is not None]
    flipped = "stigende" if s.direction == "faldende" else "faldende"
    mirror_spec = dataclasses.replace(
        s,
        direction=flipped,
        baseline_low=_neg(s.baseline_high),
        baseline_high=_neg(s.baseline_low),
        target_low=s.target_low if rate else _neg(s.target_high),
        target_high=s.target_high if rate else _neg(s.target_low),
    )
    mirror_obs = None if o is None else dataclasses.replace(o, value=_neg(o.value))
    mirror_history = [(d, _neg(v)) for d, v in history]
    r = attainment(s, o, as_of=as_of, history=history)
    m = attainment(mirror_spec, mirror_obs, as_of=as_of, history=mirror_history)
    for name in (
        "percent",
        "percent_high",
        "basis",
        "expected_percent",
        "category",
        "stated_low",
        "stated_high",
        "flagged",
        "flag_reason",
        "forecast_year",
        "forecast_text",
    ):
        assert getattr(r, name) == getattr(m, name), name
    for name in ("baseline", "target", "target_high", "actual", "expected_value"):
        assert getattr(m, name) == _neg(getattr(r, name)), name
