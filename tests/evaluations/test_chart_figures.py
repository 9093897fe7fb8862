"""The charts and numbers of the dashboards, built fast, are exactly what they were.

The figures used to be plotly ``go.Figure`` objects (slow to validate: most of the
initiative page's time at scale); they are now plain dicts. Every figure must still be
byte for byte the JSON plotly writes for the same traces and layout, since charts.js
draws it. The fast number formatting of the tables must give the texts of
``format_number`` and ``format_percent`` for any value.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal

import plotly.graph_objects as go
import pytest
from django.utils import translation
from django.utils.html import json_script
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluations import charts
from evaluations.charts import SeriesPoint
from evaluations.templatetags.dashboard import chart_json, fast_number, fast_percent
from jobvaekst.numbers import format_number, format_percent


def plotly_json(fig: dict) -> str:
    """What plotly itself writes for the figure's traces and layout (validating them)."""
    layout = {k: v for k, v in fig["layout"].items() if k != "template"}
    return json.dumps(charts.as_json(go.Figure(fig["data"], layout=layout)))


def assert_as_plotly_writes_it(fig: dict | None) -> None:
    assert fig is not None
    assert json.dumps(fig) == plotly_json(fig)


values = st.one_of(
    st.none(),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.integers(min_value=-1000, max_value=1000).map(float),
)
dates = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2025, 12, 31))


@st.composite
def series(draw) -> list[SeriesPoint]:
    ends = sorted(set(draw(st.lists(dates, min_size=1, max_size=8))))
    points = []
    for i, end in enumerate(ends):
        low = draw(values)
        points.append(
            SeriesPoint(
                code=f"{end.year}-{i + 1}",
                period_end=end,
                actual=draw(values),
                expected=draw(values),
                percent=draw(values),
                category=draw(st.sampled_from(list(charts.CATEGORY_COLOURS))),
                stated_low=low,
                stated_high=draw(values) if low is not None else None,
                stated_text=draw(st.sampled_from(["", "50 %", "40–60 % <skøn> & mere"])),
            )
        )
    return points


@settings(max_examples=150, deadline=None)
@given(
    points=series(),
    unit=st.sampled_from(["", "virksomheder", "kr."]),
    baseline=values,
    target_low=values,
    target_high=values,
    forecast_year=st.one_of(st.none(), st.integers(min_value=2016, max_value=2024)),
    start=st.one_of(st.none(), dates),
    end=st.one_of(st.none(), dates),
)
def test_a_target_chart_is_the_json_plotly_writes(
    points, unit, baseline, target_low, target_high, forecast_year, start, end
):
    fig = charts.target_chart(
        points,
        unit=unit,
        baseline=baseline,
        target_low=target_low,
        target_high=target_high,
        forecast_year=forecast_year,
        forecast_text="nås i 2020",
        start=start,
        end=end,
    )
    if fig is None:
        assert all(p.actual is None and p.stated_low is None for p in points)
        return
    assert_as_plotly_writes_it(fig)


def test_a_one_day_chart_has_no_x_range_and_a_missing_number_is_null():
    end = dt.date(2018, 4, 30)
    point = SeriesPoint("2018-2", end, math.nan, math.inf, None, "Bagud", None, None, "")
    fig = charts.target_chart(
        [point, SeriesPoint("2018-2", end, 3.0, -math.inf, None, "Bagud", None, None, "")],
        unit="",
        baseline=None,
        target_low=None,
        target_high=None,
        forecast_year=None,
        forecast_text="",
    )
    assert "range" not in fig["layout"]["xaxis"]  # plotly unsets a None property
    actual = next(t for t in fig["data"] if t["name"] == "Faktisk")
    assert actual["y"] == [None, 3.0]  # NaN is not JSON: plotly writes null
    expected = next(t for t in fig["data"] if t["name"] == "Forventet forløb")
    assert expected["y"] == [None, None]  # so is infinity
    assert_as_plotly_writes_it(fig)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=8), values), min_size=1, max_size=12))
def test_a_sparkline_is_the_json_plotly_writes(points):
    fig = charts.sparkline(points)
    if fig is None:
        assert all(v is None for _, v in points)
        return
    assert_as_plotly_writes_it(fig)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(min_size=1, max_size=10), min_size=1, max_size=6, unique=True),
    st.lists(st.text(max_size=12), min_size=1, max_size=4),
    st.data(),
)
def test_a_radar_is_the_json_plotly_writes(parameters, titles, data):
    score = st.one_of(st.none(), st.integers(min_value=1, max_value=5))
    series = [
        (t, data.draw(st.lists(score, min_size=len(parameters), max_size=len(parameters))))
        for t in titles
    ]
    fig = charts.radar(parameters, series)
    if fig is None:
        return
    assert_as_plotly_writes_it(fig)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.text(max_size=10), st.integers(min_value=0, max_value=50)), max_size=5),
    st.lists(st.tuples(st.text(max_size=10), values, values), max_size=8),
)
def test_count_and_budget_bars_are_the_json_plotly_writes(counts, budget):
    for fig in (charts.count_bars(counts, title="Sigt"), charts.budget_bars(budget)):
        if fig is not None:
            assert_as_plotly_writes_it(fig)


def test_every_figure_carries_plotlys_default_template():
    fig = charts.sparkline([("2018-1", 10.0)])
    template = json.loads(plotly_json(fig))["layout"]["template"]
    assert fig["layout"]["template"] == template
    assert list(fig["layout"])[-1] == "template"  # where plotly writes it


def test_chart_json_is_json_script_byte_for_byte():
    end = dt.date(2018, 4, 30)
    point = SeriesPoint("2018-2", end, 3.0, 2.0, 50.0, "Bagud", 10.0, 20.0, "<b>&</b>")
    target = charts.target_chart(
        [point],
        unit="<kr.>",
        baseline=1.0,
        target_low=5.0,
        target_high=None,
        forecast_year=2020,
        forecast_text="nås & mere",
        start=dt.date(2017, 1, 1),
        end=dt.date(2020, 12, 31),
    )
    sparkline = charts.sparkline([("<b>&", 10.0), ("</script>", 20.0)])
    copied = json.loads(json.dumps(sparkline))  # an equal template, not the shared one
    for fig in (target, sparkline, copied, {"data": [], "layout": {}}, {"a": "</script>"}):
        assert chart_json(fig, "trend-x") == json_script(fig, "trend-x")
    assert "</script>" not in chart_json(sparkline, "trend-x")[:-9]


finite = st.floats(min_value=-1e14, max_value=1e14, allow_nan=False, allow_infinity=False)


@settings(max_examples=400, deadline=None)
@given(st.one_of(finite, st.floats(min_value=-2, max_value=2), st.sampled_from([-0.0, 0.005])))
def test_fast_number_formatting_is_format_number(value):
    assert fast_number(value) == format_number(value)
    for decimals in range(0, 6):
        assert fast_percent(value, decimals) == format_percent(value, decimals)


def outcome(function, *args):
    try:
        return function(*args)
    except Exception as exc:  # the same failure is the same outcome
        return type(exc)


@pytest.mark.parametrize(
    "value", [None, 0, 16000, Decimal("1234.50"), 1e300, math.inf, 1.005, 2.675, -0.004, 125.0]
)
def test_fast_number_formatting_gives_the_same_text_for_edge_cases(value):
    assert outcome(fast_number, value) == outcome(format_number, value)
    if value is not None:
        assert outcome(fast_percent, value) == outcome(format_percent, value)


def test_fast_number_formatting_rounds_as_people_do():
    assert fast_number(1.005) == "1,01"
    assert fast_number(16000.0) == "16.000"
    assert fast_percent(375.0) == "375 % (over mål)"
    assert fast_percent(-0.004) == "0 % (under basis)"
    assert fast_percent(-12.5, 1) == "−12,5 % (under basis)"


def test_fast_number_formatting_follows_the_language_separators():
    assert fast_number(1234.5) == "1.234,5"
    with translation.override("en"):
        assert fast_number(1234.5) == format_number(1234.5) == "1,234.5"
        assert fast_percent(1234.5) == format_percent(1234.5)
    assert fast_number(1234.5) == "1.234,5"
