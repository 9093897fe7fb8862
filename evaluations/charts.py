"""The dashboards' charts as plotly figure JSON, ready for ``json_script``.

The browser draws them with our own plotly.js bundle (static/vendor/plotly, see
static/js/charts.js); no library is inlined in a page and nothing comes from a CDN.
Every chart has a text summary and a table beside it in the template, and category
colours always travel with the category's name, so colour never carries meaning alone.
Numbers use Danish separators (``1.234,5``) through ``layout.separators``.

The figures are built as plain dicts, not as ``plotly.graph_objects`` figures:
validating a ``go.Figure`` cost 3–7 ms per target chart, more than half of the
initiative page's time with its 20 targets. :func:`_figure` gives exactly the JSON that
``as_json(go.Figure(data, layout=layout))`` gave (the same keys in the same order, the
default template, unset ``None`` properties dropped, non-finite numbers as ``null``);
tests/evaluations/test_charts_perf_pages.py holds the plotly versions and compares.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from math import isfinite

from jobvaekst.numbers import format_number, format_percent

CATEGORY_COLOURS = {
    "Opnået": "#1a7f37",
    "På sporet": "#0969da",
    "Bagud": "#9a6700",
    "Kritisk": "#cf222e",
    "Delvist opnået": "#bc4c00",
    "Ikke opnået": "#a40e26",
    "Ikke målbart": "#57606a",
    "Kun statustekst": "#6e7781",
    "Ingen status": "#8c959f",
    "Intet måltal": "#8250df",
}
COLOURS = {
    "actual": "#0b4f8a",
    "expected": "#6e7781",
    "target": "#1a7f37",
    "forecast": "#9a6700",
    "stated": "#8250df",
    "baseline": "#57606a",
    "allocated": "#8c959f",
    "spent": "#0b4f8a",
    "home": "#0b4f8a",
    "national": "#57606a",
    "benchmark": "#afb8c1",
}
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13}


def _layout(**extra) -> dict:
    layout = {
        "separators": ",.",  # Danish: decimal comma, thousands point
        "font": FONT,
        "margin": {"l": 48, "r": 16, "t": 16, "b": 40},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hoverlabel": {"font": FONT},
        "legend": {"orientation": "h", "y": -0.2},
    }
    layout.update(extra)
    return layout


def as_json(fig) -> dict:
    """A plain dict for ``json_script`` from a plotly ``go.Figure`` (numpy values become
    JSON numbers). The charts here no longer build figures; kept for callers that do."""
    import plotly.io as pio

    return json.loads(pio.to_json(fig, validate=False))


_PLAIN = (str, int, bool)


@cache
def plotly_template() -> dict:
    """plotly's default template, as plotly writes it into every figure's layout.

    Computed once per process and shared by every figure: treat it as read-only.
    """
    import plotly.graph_objects as go

    return as_json(go.Figure())["layout"]["template"]


def _clean(value):
    """A value as plotly's JSON writes it: dict keys sorted, ``None`` properties unset
    (dropped), lists kept in order, and NaN or ±infinity as ``null``."""
    if isinstance(value, dict):
        return {k: _clean(value[k]) for k in sorted(value) if value[k] is not None}
    if isinstance(value, list):
        # The data series: most items are plain numbers or strings, checked inline.
        return [
            v if v is None or type(v) in _PLAIN or (type(v) is float and isfinite(v)) else _clean(v)
            for v in value
        ]
    if isinstance(value, float) and not isfinite(value):
        return None
    return value


def _trace(kind: str, **props) -> dict:
    """One trace: its properties in plotly's order (alphabetical), then ``type``."""
    trace = _clean(props)
    trace["type"] = kind
    return trace


def _figure(data: list[dict], layout: dict) -> dict:
    """The figure's JSON: the traces, and the layout (sorted) with the default template."""
    return {"data": data, "layout": {**_clean(layout), "template": plotly_template()}}


def sparkline(points: list[tuple[str, float | None]]) -> dict | None:
    """A small trend line of capped mean attainment over rounds; None without data."""
    if not any(v is not None for _, v in points):
        return None
    x = [code for code, _ in points]
    y = [None if v is None else min(v, 100.0) for _, v in points]
    return _figure(
        [
            _trace(
                "scatter",
                x=x,
                y=y,
                mode="lines+markers",
                line={"color": COLOURS["actual"], "width": 2},
                marker={"size": 5},
                hovertemplate="%{x}: %{y:.0f} %<extra></extra>",
                connectgaps=False,
            )
        ],
        _layout(
            height=90,
            margin={"l": 32, "r": 8, "t": 6, "b": 22},
            showlegend=False,
            xaxis={"type": "category", "showgrid": False, "tickfont": {"size": 10}},
            yaxis={"range": [0, 105], "tickvals": [0, 50, 100], "ticksuffix": " %"},
        ),
    )


def radar(parameters: list[str], series: list[tuple[str, list[int | None]]]) -> dict | None:
    """The six-parameter spider chart, one trace per assessment (oldest first)."""
    if not parameters or not any(s is not None for _, scores in series for s in scores):
        return None
    palette = ["#8c959f", "#0969da", "#1a7f37", "#9a6700", "#8250df", "#cf222e"]
    traces = []
    for i, (title, scores) in enumerate(series):
        colour = palette[(len(series) - 1 - i) % len(palette)] if i < len(series) - 1 else "#0b4f8a"
        traces.append(
            _trace(
                "scatterpolar",
                r=[*scores, scores[0]],
                theta=[*parameters, parameters[0]],
                name=title,
                mode="lines+markers",
                line={"color": colour, "width": 3 if i == len(series) - 1 else 1.5},
                marker={"size": 8},
                connectgaps=False,
                hovertemplate="%{theta}: %{r}<extra>" + title + "</extra>",
            )
        )
    return _figure(
        traces,
        _layout(
            height=380,
            margin={"l": 110, "r": 110, "t": 30, "b": 30},
            polar={
                "radialaxis": {"range": [0, 5], "tickvals": [1, 2, 3, 4, 5], "angle": 90},
                "angularaxis": {"direction": "clockwise"},
            },
            legend={"orientation": "h", "y": -0.1},
        ),
    )


def count_bars(rows: list[tuple[str, int]], *, title: str) -> dict | None:
    """Horizontal bars of target counts, e.g. vækstrettet against jobrettet."""
    if not any(n for _, n in rows):
        return None
    labels = [label for label, _ in rows]
    counts = [n for _, n in rows]
    return _figure(
        [
            _trace(
                "bar",
                x=counts,
                y=labels,
                orientation="h",
                marker={"color": COLOURS["actual"]},
                text=[f"{n} mål" for n in counts],
                textposition="auto",
                hovertemplate="%{y}: %{x} mål<extra></extra>",
                name=title,
            )
        ],
        _layout(
            height=60 + 34 * len(rows),
            margin={"l": 110, "r": 16, "t": 8, "b": 28},
            showlegend=False,
            xaxis={"title": {"text": "Antal mål"}, "rangemode": "tozero", "dtick": 1},
            yaxis={"autorange": "reversed"},
        ),
    )


def budget_bars(rows: list[tuple[str, float | None, float | None]]) -> dict | None:
    """Allocated against spent per initiative and year: ``(label, allocated, spent)``."""
    if not any(a is not None or s is not None for _, a, s in rows):
        return None
    labels = [label for label, _, _ in rows]
    return _figure(
        [
            _trace(
                "bar",
                name="Bevilget",
                x=labels,
                y=[a for _, a, _ in rows],
                marker={"color": COLOURS["allocated"]},
                hovertemplate="%{x}: %{y:,.0f} kr.<extra>Bevilget</extra>",
            ),
            _trace(
                "bar",
                name="Forbrugt",
                x=labels,
                y=[s for _, _, s in rows],
                marker={"color": COLOURS["spent"]},
                hovertemplate="%{x}: %{y:,.0f} kr.<extra>Forbrugt</extra>",
            ),
        ],
        _layout(
            height=320,
            barmode="group",
            yaxis={"title": {"text": "kr."}, "tickformat": ",.0f"},
            xaxis={"type": "category"},
        ),
    )


@dataclass(frozen=True)
class BenchmarkBar:
    """One area's figure in an indicator's comparison, as its bar shows it."""

    area: str
    value: float
    text: str  # "40,3 %", "mindst 44 %": the bar's label, qualifier included
    is_home: bool
    is_national: bool
    is_bound: bool  # "mindst"/"højst": the bar is a bound, not the figure


def benchmark_bars(bars: list[BenchmarkBar], *, unit: str, period: str) -> dict | None:
    """The home area against the other areas in one period, as horizontal bars.

    The home area is dark and first, the country mid-grey and the other areas light; a
    bound ("mindst 44 %") is hatched and keeps its word in the label, so neither colour
    nor pattern carries the meaning alone. None with fewer than two areas: one bar
    compares nothing.
    """
    if len(bars) < 2:
        return None

    def colour(bar: BenchmarkBar) -> str:
        if bar.is_home:
            return COLOURS["home"]
        return COLOURS["national"] if bar.is_national else COLOURS["benchmark"]

    unit_text = f" {unit}" if unit else ""
    return _figure(
        [
            _trace(
                "bar",
                x=[b.value for b in bars],
                y=[b.area for b in bars],
                orientation="h",
                marker={
                    "color": [colour(b) for b in bars],
                    "line": {"color": COLOURS["national"], "width": 1},
                    "pattern": {"shape": ["/" if b.is_bound else "" for b in bars]},
                },
                text=[b.text for b in bars],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}: %{text}<extra>" + period + "</extra>",
                name=period,
            )
        ],
        _layout(
            height=60 + 40 * len(bars),
            # The area names set the left margin (automargin): "København, Aarhus og
            # Odense" is long, and a fixed margin would crowd the bars on a phone.
            margin={"l": 8, "r": 90, "t": 8, "b": 36},
            showlegend=False,
            xaxis={
                "title": {"text": f"{'Andel' if unit == '%' else unit or 'Værdi'}, {period}"},
                "rangemode": "tozero",
                "ticksuffix": unit_text if unit == "%" else None,
                "tickformat": ",~f",
            },
            yaxis={"autorange": "reversed", "type": "category", "automargin": True},
        ),
    )


@dataclass(frozen=True)
class SeriesPoint:
    """One round of one target, as the target chart and its table show it."""

    code: str
    period_end: date
    actual: float | None
    expected: float | None
    percent: float | None
    category: str
    stated_low: float | None
    stated_high: float | None
    stated_text: str


def target_chart(
    points: list[SeriesPoint],
    *,
    unit: str,
    baseline: float | None,
    target_low: float | None,
    target_high: float | None,
    forecast_year: int | None,
    forecast_text: str,
    start: date | None = None,
    end: date | None = None,
) -> dict | None:
    """Actual series, expected trajectory, target line (or band), forecast and stated %.

    With the target's start and target dates the x axis spans the whole period, and the
    expected trajectory runs from the baseline at the start to the target at the end.

    Values use the left axis in the target's unit; stated attainment percentages (what a
    report wrote) use the right axis, so no count is ever derived from a stated %.
    """
    has_values = any(p.actual is not None for p in points)
    has_stated = any(p.stated_low is not None for p in points)
    if not has_values and not has_stated:
        return None
    x = [p.period_end.isoformat() for p in points]
    first_x = min(start, points[0].period_end).isoformat() if start else x[0]
    last_day = max(d for d in (end, points[-1].period_end) if d is not None)
    if forecast_year is not None:
        last_day = max(last_day, date(forecast_year, 7, 1))
    last_x = last_day.isoformat()
    unit_text = f" {unit}" if unit else ""
    traces: list[dict] = []
    if has_values:
        if target_low is not None and target_high is not None:
            traces.append(
                _trace(
                    "scatter",
                    x=[first_x, last_x, last_x, first_x],
                    y=[target_low, target_low, target_high, target_high],
                    fill="toself",
                    fillcolor="rgba(26,127,55,0.15)",
                    line={"color": COLOURS["target"], "width": 1},
                    name=f"Målinterval {format_number(target_low)}–{format_number(target_high)}",
                    hoverinfo="skip",
                    mode="lines",
                )
            )
        elif target_low is not None:
            traces.append(
                _trace(
                    "scatter",
                    x=[first_x, last_x],
                    y=[target_low, target_low],
                    mode="lines",
                    line={"color": COLOURS["target"], "width": 2},
                    name=f"Mål {format_number(target_low)}{unit_text}",
                    hoverinfo="skip",
                )
            )
        if baseline:
            traces.append(
                _trace(
                    "scatter",
                    x=[first_x, last_x],
                    y=[baseline, baseline],
                    mode="lines",
                    line={"color": COLOURS["baseline"], "width": 1, "dash": "dot"},
                    name=f"Basis {format_number(baseline)}",
                    hoverinfo="skip",
                )
            )
        if any(p.expected is not None for p in points):
            ex = list(x)
            ey = [p.expected for p in points]
            if start is not None and start < points[0].period_end:
                ex, ey = [start.isoformat(), *ex], [baseline or 0, *ey]
            if end is not None and end > points[-1].period_end and target_low is not None:
                ex, ey = [*ex, end.isoformat()], [*ey, target_low]
            traces.append(
                _trace(
                    "scatter",
                    x=ex,
                    y=ey,
                    mode="lines",
                    line={"color": COLOURS["expected"], "width": 2, "dash": "dash"},
                    name="Forventet forløb",
                    hovertemplate="%{x|%d.%m.%Y}: forventet %{y:,.4~f}<extra></extra>",
                )
            )
        traces.append(
            _trace(
                "scatter",
                x=x,
                y=[p.actual for p in points],
                mode="lines+markers",
                line={"color": COLOURS["actual"], "width": 3},
                marker={"size": 8},
                name="Faktisk",
                hovertemplate="%{x|%d.%m.%Y}: %{y:,.4~f}" + unit_text + "<extra>Faktisk</extra>",
            )
        )
        last = next((p for p in reversed(points) if p.actual is not None), None)
        if forecast_year is not None and last is not None and target_low is not None:
            traces.append(
                _trace(
                    "scatter",
                    x=[last.period_end.isoformat(), date(forecast_year, 7, 1).isoformat()],
                    y=[last.actual, target_low],
                    mode="lines+markers",
                    line={"color": COLOURS["forecast"], "width": 2, "dash": "dot"},
                    marker={"symbol": "star", "size": 10},
                    name=f"Prognose: {forecast_text}",
                    hoverinfo="skip",
                )
            )
    if has_stated:
        low = [p.stated_low for p in points]
        high = [p.stated_high for p in points]
        traces.append(
            _trace(
                "scatter",
                x=x,
                y=low,
                mode="markers",
                marker={
                    "symbol": "diamond-open",
                    "size": 12,
                    "color": COLOURS["stated"],
                    "line": {"width": 2},
                },
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [
                        (h - lo) if h is not None and lo is not None else 0
                        for lo, h in zip(low, high, strict=True)
                    ],
                    "arrayminus": [0] * len(points),
                    "color": COLOURS["stated"],
                },
                text=[p.stated_text or "" for p in points],
                name="Angivet målopnåelse (%)",
                yaxis="y2" if has_values else "y",
                hovertemplate="%{x|%d.%m.%Y}: angivet %{text}<extra></extra>",
            )
        )
    layout = _layout(
        height=300,
        xaxis={
            "type": "date",
            "tickformat": "%b %Y",
            "hoverformat": "%d.%m.%Y",
            "range": [first_x, last_x] if first_x != last_x else None,
        },
        yaxis={
            "title": {"text": (unit or "Værdi") if has_values else "Angivet målopnåelse (%)"},
            "rangemode": "tozero",
            "tickformat": ",~f",
        },
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 60, "r": 60 if (has_values and has_stated) else 16, "t": 12, "b": 40},
    )
    if has_values and has_stated:
        layout["yaxis2"] = {
            "title": {"text": "Angivet målopnåelse (%)"},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "ticksuffix": " %",
            "tickformat": ".0f",
            "showgrid": False,
        }
    return _figure(traces, layout)


def describe_trend(points: list[tuple[str, float | None, int]]) -> str:
    """The trend line in words: "Fra 12 % (2017-1) til 45 % (2018-2), 6 mål med tal"."""
    with_value = [(code, v, n) for code, v, n in points if v is not None]
    if not with_value:
        return "Ingen data endnu."
    first, last = with_value[0], with_value[-1]
    if first is last:
        return f"{format_percent(last[1], 1)} i {last[0]} ({last[2]} mål med tal)."
    return (
        f"Fra {format_percent(first[1], 1)} i {first[0]} til {format_percent(last[1], 1)} "
        f"i {last[0]} ({last[2]} mål med tal)."
    )


def describe_target(row, points: list[SeriesPoint]) -> str:
    """A target's chart in words, for everyone who does not see the chart."""
    snap = row.snapshot
    if snap is None and row.latest is None:
        return "Ingen data endnu."
    parts = [f"Mål: {row.in_words}."]
    if row.latest is not None:
        parts.append(f"Seneste status: {row.latest_in_words} ({row.round_code}).")
    if snap is not None:
        if snap.percent is not None:
            basis = " (vurderet)" if snap.basis == "vurderet" else ""
            parts.append(f"Målopnåelse {format_percent(snap.percent)}{basis}: {snap.category}.")
        else:
            parts.append(f"Ingen beregnet målopnåelse: {snap.category}.")
        if snap.expected_percent is not None:
            parts.append(f"Forventet på dette tidspunkt: {format_percent(snap.expected_percent)}.")
        if snap.stated_text:
            estimate = " (skøn)" if snap.stated_is_estimate else ""
            parts.append(f"Angivet i rapporten: {snap.stated_text}{estimate}.")
        if snap.forecast_text:
            parts.append(f"Prognose: {snap.forecast_text}.")
    n_values = sum(1 for p in points if p.actual is not None)
    if points:
        parts.append(f"{n_values} af {len(points)} runder har en målt værdi.")
    return " ".join(parts)
