"""The dashboards' charts.

- The overview's charts are only looked at (sparklines, the radar, bars): the functions
  here compute their geometry, and the templates in ``templates/evaluations/includes/``
  (``chart_*.html``) draw it as inline SVG on the server. No script is needed to see
  them; colours and strokes are CSS classes in static/css/app.css (the CSP forbids
  inline styles). Numbers in their labels go through the templates' ``num``/``pct``.
- The target charts of the initiative page are interactive (hover, dates): plain plotly
  figure dicts, passed with Django's ``json_script`` and drawn by static/js/charts.js
  with our own plotly.js bundle (static/vendor/plotly), never a CDN. Numbers use Danish
  separators (``1.234,5``) through ``layout.separators``.

Every chart has a text summary and a table beside it in the template, and category
colours always travel with the category's name, so colour never carries meaning alone.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from jobvaekst.numbers import format_number, format_percent

if TYPE_CHECKING:
    from .selectors import TargetRow

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
# The print charts (print_charts.py) and the target charts; the SVG charts have the same
# colours as CSS classes in app.css.
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

# --- The overview's SVG charts: geometry for the templates -----------------------------
#
# Coordinates are in the SVG's own units (its viewBox); the SVG scales to its box, text
# with it. SVG text does not lay itself out, so label columns are sized from an estimate
# of the text's width (generous: a label that is too wide is cut off at the edge).

FONT_SIZE = 12  # .chart-svg text in app.css
RADAR_FONT_SIZE = 14  # .radar-svg text: the radar is drawn smaller on a phone


def _width(text: str, size: float = FONT_SIZE) -> float:
    return len(text) * size * 0.65


def _r(value: float) -> float:
    return round(value, 1)


@dataclass(frozen=True)
class Dot:
    """A marked point: where it is drawn and what it stands for."""

    x: float
    y: float
    label: str
    value: float | None = None


@dataclass(frozen=True)
class Tick:
    """A value axis' tick: its position along the axis and its value."""

    at: float
    value: float


def _runs(points: list[tuple[float, float] | None]) -> list[str]:
    """SVG polyline ``points`` for each run of two or more neighbouring points; a missing
    point (None) breaks the line, as a round without a figure must."""
    runs: list[str] = []
    current: list[str] = []
    for point in [*points, None]:
        if point is None:
            if len(current) > 1:
                runs.append(" ".join(current))
            current = []
        else:
            current.append(f"{_r(point[0])},{_r(point[1])}")
    return runs


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    left: float
    right: float
    lines: list[str]  # polyline points, one per run of rounds with a figure
    dots: list[Dot]  # the rounds with a figure
    ticks: list[Tick]  # 0, 50 and 100 %
    labels: list[Dot]  # the first and the last round, under the axis

    @property
    def tick_x(self) -> float:
        return self.left - 4


def sparkline(points: list[tuple[str, float | None]]) -> Sparkline | None:
    """A small trend line of capped mean attainment over rounds; None without data.

    Rounds are evenly spaced, as categories; the line breaks at a round without a mean.
    """
    if not any(v is not None for _, v in points):
        return None
    width, height = 300, 90
    left, right, top, bottom = 40.0, 292.0, 6.0, 70.0

    def y(value: float) -> float:
        return bottom - (bottom - top) * max(0.0, min(value, 100.0)) / 105

    step = (right - left) / len(points)
    xs = [left + step * (i + 0.5) for i in range(len(points))]
    at = [None if v is None else (x, y(v)) for x, (_, v) in zip(xs, points, strict=True)]
    dots = [
        Dot(_r(x), _r(y(v)), code, min(v, 100.0))
        for x, (code, v) in zip(xs, points, strict=True)
        if v is not None
    ]
    ends = [0, len(points) - 1] if len(points) > 1 else [0]
    return Sparkline(
        width=width,
        height=height,
        left=left,
        right=right,
        lines=_runs(at),
        dots=dots,
        ticks=[Tick(_r(y(v)), v) for v in (0.0, 50.0, 100.0)],
        labels=[Dot(_r(xs[i]), height - 4, points[i][0]) for i in ends],
    )


@dataclass(frozen=True)
class RadarAxis:
    name: str
    x: float  # the spoke's outer end
    y: float
    anchor: str  # the label's text-anchor: start, middle or end
    label_x: float
    lines: list[tuple[float, str]]  # the name wrapped: (y, text) per line


@dataclass(frozen=True)
class RadarTrace:
    title: str
    css: str  # "series-latest", or "series-older-N" for an earlier assessment
    lines: list[str]
    dots: list[Dot]


@dataclass(frozen=True)
class Radar:
    width: int
    height: int
    cx: float
    cy: float
    rings: list[tuple[int, str]]  # (score, polygon points) for 1–5
    ring_labels: list[Dot]
    axes: list[RadarAxis]
    traces: list[RadarTrace]  # oldest first: the latest is drawn on top


def radar(parameters: list[str], series: list[tuple[str, list[int | None]]]) -> Radar | None:
    """The six-parameter spider chart, one trace per assessment (oldest first).

    The first parameter points up and the rest follow clockwise. A parameter without a
    score (ikke scoret) is a gap in its assessment's line, never a zero.
    """
    if not parameters or not any(s is not None for _, scores in series for s in scores):
        return None
    width, height, cx, cy, radius = 640, 400, 320.0, 200.0, 120.0
    n = len(parameters)
    angles = [-math.pi / 2 + 2 * math.pi * i / n for i in range(n)]

    def point(i: int, score: float) -> tuple[float, float]:
        r = radius * score / 5
        return cx + r * math.cos(angles[i]), cy + r * math.sin(angles[i])

    rings = [
        (k, " ".join(f"{_r(x)},{_r(y)}" for x, y in (point(i, k) for i in range(n))))
        for k in range(1, 6)
    ]
    axes = []
    for i, name in enumerate(parameters):
        cos, sin = math.cos(angles[i]), math.sin(angles[i])
        lx, ly = cx + (radius + 16) * cos, cy + (radius + 16) * sin
        wrapped = textwrap.wrap(name, 22) or [name]
        line_height = RADAR_FONT_SIZE + 2
        if sin < -0.3:  # above the chart: the last line just over the spoke
            first = ly - line_height * (len(wrapped) - 1)
        elif sin > 0.3:  # below: the first line just under it
            first = ly + RADAR_FONT_SIZE
        else:
            first = ly - line_height * (len(wrapped) - 1) / 2 + RADAR_FONT_SIZE / 3
        x, y = point(i, 5)
        axes.append(
            RadarAxis(
                name=name,
                x=_r(x),
                y=_r(y),
                anchor="start" if cos > 0.3 else "end" if cos < -0.3 else "middle",
                label_x=_r(lx),
                lines=[(_r(first + line_height * k), text) for k, text in enumerate(wrapped)],
            )
        )
    traces = []
    for i, (title, scores) in enumerate(series):
        is_latest = i == len(series) - 1
        # The earlier assessments in the print charts' order of colours (print_charts).
        css = "series-latest" if is_latest else f"series-older-{(len(series) - 1 - i) % 6}"
        # Back to the first parameter at the end: the line closes.
        closed = [(k % n, scores[k % n]) for k in range(n + 1)]
        at = [None if score is None else point(k, score) for k, score in closed]
        dots = [
            Dot(_r(p[0]), _r(p[1]), parameters[k], scores[k])
            for k, p in enumerate(at[:n])
            if p is not None
        ]
        traces.append(RadarTrace(title, css, _runs(at), dots))
    return Radar(
        width=width,
        height=height,
        cx=cx,
        cy=cy,
        rings=rings,
        ring_labels=[Dot(_r(cx + 4), _r(cy - radius * k / 5 - 2), str(k), k) for k in range(1, 6)],
        axes=axes,
        traces=traces,
    )


@dataclass(frozen=True)
class Bar:
    """One bar of a horizontal bar chart, with the text at its end."""

    x: float
    y: float
    width: float
    height: float
    value: float | None
    css: str
    text_x: float
    text_y: float
    text: str = ""  # the bar's own words ("mindst 44 %"); "" → the value, by the template
    is_bound: bool = False  # a bound, not the figure: hatched


@dataclass(frozen=True)
class BarGroup:
    label: str
    label_y: float
    bars: list[Bar]


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_x: float  # the labels end here (text-anchor end)
    zero_x: float
    top: float
    bottom: float
    groups: list[BarGroup]
    legend: list[tuple[str, str]]  # (css, name), when a group has several bars
    axis_title: str = ""

    @property
    def axis_title_y(self) -> float:
        return self.height - 6


def _bar_chart(
    groups: list[tuple[str, list[tuple[float | None, str, str, bool]]]],
    *,
    texts: list[str],
    min_width: int,
    bar_height: float,
    legend: list[tuple[str, str]] | None = None,
    axis_title: str = "",
) -> BarChart:
    """Horizontal bars, one group per label with one or more ``(value, css, text,
    is_bound)`` bars. ``texts`` are the bars' end labels as they will read, to leave
    room for them."""
    label_w = max(_width(label) for label, _ in groups) + 8
    text_w = max((_width(t) for t in texts), default=0) + 10
    plot_w = max(min_width - label_w - text_w, 160.0)
    width = math.ceil(label_w + plot_w + text_w)
    values = [v for _, bars in groups for v, *_ in bars if v is not None]
    low, high = min([0.0, *values]), max([0.0, *values])
    scale = plot_w / (high - low) if high > low else 0.0
    zero = label_w + (-low) * scale
    gap, pad = 4.0, 10.0
    y = 4.0
    shown = []
    for label, bars in groups:
        group_h = len(bars) * bar_height + (len(bars) - 1) * gap
        row = []
        for k, (value, css, text, is_bound) in enumerate(bars):
            v = 0.0 if value is None else value
            x0, x1 = sorted((zero, zero + v * scale))
            row.append(
                Bar(
                    x=_r(x0),
                    y=_r(y + k * (bar_height + gap)),
                    width=_r(x1 - x0),
                    height=bar_height,
                    value=value,
                    css=css,
                    text_x=_r(max(x1, zero) + 4),
                    text_y=_r(y + k * (bar_height + gap) + bar_height / 2),
                    text=text,
                    is_bound=is_bound,
                )
            )
        shown.append(BarGroup(label, _r(y + group_h / 2), row))
        y += group_h + pad
    bottom = y - pad + 4
    return BarChart(
        width=width,
        height=math.ceil(bottom + (24 if axis_title else 4)),
        label_x=_r(label_w - 6),
        zero_x=_r(zero),
        top=0.0,
        bottom=_r(bottom),
        groups=shown,
        legend=legend or [],
        axis_title=axis_title,
    )


def count_bars(rows: list[tuple[str, int]], *, title: str) -> BarChart | None:
    """Horizontal bars of target counts, e.g. vækstrettet against jobrettet."""
    if not any(n for _, n in rows):
        return None
    return _bar_chart(
        [(label, [(n, "bar-count", "", False)]) for label, n in rows],
        texts=[f"{n} mål" for _, n in rows],
        min_width=400,
        bar_height=18,
    )


def budget_bars(rows: list[tuple[str, float | None, float | None]]) -> BarChart | None:
    """Allocated against spent per initiative and year: ``(label, allocated, spent)``."""
    if not any(a is not None or s is not None for _, a, s in rows):
        return None
    return _bar_chart(
        [
            (
                label,
                [
                    (
                        allocated,
                        "bar-allocated",
                        "" if allocated is not None else "ikke oplyst",
                        False,
                    ),
                    (spent, "bar-spent", "" if spent is not None else "–", False),
                ],
            )
            for label, allocated, spent in rows
        ],
        texts=[f"{format_number(v)} kr." for _, a, s in rows for v in (a, s) if v is not None]
        + ["ikke oplyst"],
        min_width=640,
        bar_height=11,
        legend=[("bar-allocated", "Bevilget"), ("bar-spent", "Forbrugt")],
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


def benchmark_bars(bars: list[BenchmarkBar], *, unit: str, period: str) -> BarChart | None:
    """The home area against the other areas in one period, as horizontal bars.

    The home area is dark and first, the country mid-grey and the other areas light; a
    bound ("mindst 44 %") is hatched and keeps its word in the label, so neither colour
    nor pattern carries the meaning alone. None with fewer than two areas: one bar
    compares nothing.
    """
    if len(bars) < 2:
        return None

    def css(bar: BenchmarkBar) -> str:
        if bar.is_home:
            return "bar-home"
        return "bar-national" if bar.is_national else "bar-other"

    return _bar_chart(
        [(b.area, [(b.value, css(b), b.text, b.is_bound)]) for b in bars],
        texts=[b.text for b in bars],
        min_width=560,
        bar_height=20,
        axis_title=f"{'Andel' if unit == '%' else unit or 'Værdi'}, {period}",
    )


# --- The initiative page's interactive target charts (plotly) -------------------------


def _layout(**extra: Any) -> dict:
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


def _finite(value: float | None) -> float | None:
    """NaN and infinity are not JSON (``JSON.parse`` refuses them): a gap instead."""
    return value if value is None or math.isfinite(value) else None


def _trace(kind: str, **props: Any) -> dict:
    return {"type": kind, **props}


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
            ey = [_finite(p.expected) for p in points]
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
                y=[_finite(p.actual) for p in points],
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
        low = [_finite(p.stated_low) for p in points]
        high = [_finite(p.stated_high) for p in points]
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
        },
        yaxis={
            "title": {"text": (unit or "Værdi") if has_values else "Angivet målopnåelse (%)"},
            "rangemode": "tozero",
            "tickformat": ",~f",
        },
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 60, "r": 60 if (has_values and has_stated) else 16, "t": 12, "b": 40},
    )
    if first_x != last_x:
        layout["xaxis"]["range"] = [first_x, last_x]
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
    return {"data": traces, "layout": layout}


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


def describe_target(row: TargetRow, points: list[SeriesPoint]) -> str:
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
        if snap.expected_percent is not None and snap.category != snap.Category.NO_TARGET:
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
