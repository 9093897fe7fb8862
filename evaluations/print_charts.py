"""Static SVG charts for the printed summaries and their PDF (matplotlib, no browser).

The dashboards draw plotly figures in the browser; paper and WeasyPrint need the picture
itself. matplotlib's SVG backend renders the same figures on the server in milliseconds,
with no Chromium in the web process (see docs/decisions.md, "Charts for print"). Text
stays text (``svg.fonttype = none``), so the PDF keeps it searchable.

Each function returns a ``data:image/svg+xml;base64,…`` URI for an ``<img>``: inside an
image the SVG's own styles apply, while the page's CSP still forbids inline styles.

A chart is a pure function of its figures, and the same figures give the same bytes, so
the last few are kept in memory (:func:`_memoised`): a summary printed again for an
unchanged round draws no chart (issue 9). Figures are made with ``Figure`` rather than
pyplot: pyplot keeps a global registry of open figures, ``Figure`` nothing to close or
share between threads (the bytes are the same).
"""

from __future__ import annotations

import base64
import functools
import io
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import matplotlib

matplotlib.use("svg")

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from jobvaekst.numbers import format_percent

from .charts import CATEGORY_COLOURS, COLOURS

if TYPE_CHECKING:
    from matplotlib.projections.polar import PolarAxes

matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "jobvaekst",  # stable ids: the same figure gives the same bytes
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#57606a",
        "axes.labelcolor": "#1b1f24",
        "xtick.color": "#1b1f24",
        "ytick.color": "#1b1f24",
    }
)


def _danish(value: float, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


def _frozen(value: Any) -> Any:
    """Lists (and the lists inside them) as tuples, so that the figures can be a cache key."""
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


def _memoised(chart: Callable[..., str | None]) -> Callable[..., str | None]:
    """Keep the last charts drawn: the same figures always give the same SVG bytes."""
    cached = functools.lru_cache(maxsize=32)(chart)

    @functools.wraps(chart)
    def wrapper(*args: Any) -> str | None:
        return cached(*(_frozen(a) for a in args))

    wrapper.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    wrapper.cache_info = cached.cache_info  # type: ignore[attr-defined]
    return wrapper


def _as_data_uri(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@_memoised
def level_bars(rows: list[tuple[str, list[tuple[str, float | None, int, int]]]]) -> str | None:
    """Attainment per initiative and level, bars capped at 100 % and labelled.

    ``rows``: ``(initiative, [(level label, mean, n with figure, n targets), …])``.
    """
    if not any(mean is not None for _, levels in rows for _, mean, _, _ in levels):
        return None
    levels = [label for label, *_ in rows[0][1]]
    colours = ["#0b4f8a", "#4f8fc0", "#9cc3e0"]
    height = 0.8 / len(levels)
    fig = Figure(figsize=(7.2, 0.55 * len(rows) * len(levels) / 2 + 1.0))
    ax = fig.subplots()
    for i, (_, figures) in enumerate(rows):
        for j, (label, mean, n, total) in enumerate(figures):
            y = i + j * height
            if mean is None:
                ax.text(1, y, f"{label}: ingen tal ({n} af {total})", va="center", fontsize=7.5)
                continue
            ax.barh(y, min(max(mean, 0), 100), height=height * 0.9, color=colours[j % 3])
            ax.text(
                min(max(mean, 0), 100) + 1,
                y,
                f"{label}: {format_percent(mean, 1)} ({n} af {total})",
                va="center",
                fontsize=7.5,
            )
    ax.set_yticks([i + height * (len(levels) - 1) / 2 for i in range(len(rows))])
    ax.set_yticklabels([name for name, _ in rows])
    ax.set_ylim(len(rows) - 0.1, -0.4)  # top to bottom, with room for the last row
    ax.set_xlim(0, 150)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f} %"))
    ax.axvline(100, color=CATEGORY_COLOURS["Opnået"], linewidth=1, linestyle="--")
    ax.set_xlabel("Gennemsnitlig målopnåelse (hvert mål højst 100 %)")
    return _as_data_uri(fig)


@_memoised
def radar(parameters: list[str], series: list[tuple[str, list[int | None]]]) -> str | None:
    """The six-parameter spider chart; earlier assessments thin and grey."""
    if not parameters or not any(s is not None for _, scores in series for s in scores):
        return None
    n = len(parameters)
    angles = [2 * math.pi * i / n for i in range(n)]
    fig = Figure(figsize=(6.2, 4.6))
    # projection="polar" makes a PolarAxes; subplots() is typed to return a plain Axes.
    ax = cast("PolarAxes", fig.subplots(subplot_kw={"projection": "polar"}))
    ax.set_theta_offset(math.pi / 2)  # the first parameter at the top, then clockwise
    ax.set_theta_direction(-1)
    ax.set_xlim(0, 2 * math.pi)
    for k, (title, scores) in enumerate(series):
        latest = k == len(series) - 1
        colour = COLOURS["actual"] if latest else "#8c959f"
        points = [(a, s) for a, s in zip(angles, scores, strict=True) if s is not None]
        if len(points) == len(scores):  # all scored: a closed polygon
            xs = [a for a, _ in points] + [points[0][0]]
            ys = [s for _, s in points] + [points[0][1]]
            ax.plot(xs, ys, color=colour, linewidth=2.5 if latest else 1.2, label=title)
            if latest:
                ax.fill(xs, ys, color=colour, alpha=0.12)
        else:  # ikke scoret leaves gaps: markers only
            ax.plot(
                [a for a, _ in points],
                [s for _, s in points],
                "o",
                color=colour,
                markersize=8 if latest else 5,
                label=title,
            )
    ax.set_ylim(0, 5)
    ax.set_yticks([1, 2, 3, 4, 5])
    ax.set_xticks(angles)
    ax.set_xticklabels([p.replace(" og ", " og\n", 1) if len(p) > 24 else p for p in parameters])
    ax.tick_params(axis="x", labelsize=7.5, pad=8)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), fontsize=7.5, frameon=False)
    return _as_data_uri(fig)


@_memoised
def budget_bars(rows: list[tuple[str, float | None, float | None]]) -> str | None:
    """Allocated against spent, in kr.: ``(label, allocated, spent)``."""
    if not any(a is not None or s is not None for _, a, s in rows):
        return None
    fig = Figure(figsize=(7.2, 0.45 * len(rows) + 1.0))
    ax = fig.subplots()
    ys = range(len(rows))
    ax.barh(
        [y - 0.2 for y in ys], [a or 0 for _, a, _ in rows], 0.4, color="#8c959f", label="Bevilget"
    )
    ax.barh(
        [y + 0.2 for y in ys], [s or 0 for _, _, s in rows], 0.4, color="#0b4f8a", label="Forbrugt"
    )
    ax.set_yticks(list(ys))
    ax.set_yticklabels([label for label, _, _ in rows])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _danish(v)))
    ax.set_xlabel("kr.")
    ax.legend(frameon=False, fontsize=8)
    return _as_data_uri(fig)


@_memoised
def comparison_bars(rows: list[tuple[str, float, str, bool, bool]], unit: str) -> str | None:
    """One indicator's figure per area in one period, as horizontal bars.

    ``rows``: ``(area, value, text as shown, is the programme's own area, is a bound)``,
    top to bottom. Each bar is labelled with the source's text ("mindst 44 %") and a bound
    is hatched, so it reads as a bound; the programme's own area is the dark bar. For a
    percentage the axis runs 0–100.
    """
    if len(rows) < 2:
        return None
    fig = Figure(figsize=(6.0, 0.3 * len(rows) + 0.6))  # drawn at its own size, 9 pt text
    ax = fig.subplots()
    ys = range(len(rows))
    values = [value for _, value, *_ in rows]
    for y, (_, value, _, home, bound) in zip(ys, rows, strict=True):
        ax.barh(
            y,
            value,
            0.6,
            color=COLOURS["actual"] if home else "#9cc3e0",
            hatch="///" if bound else None,
            edgecolor="#57606a" if bound else "none",
            linewidth=0.5,
        )
    percent = unit.strip() == "%"
    top = 100.0 if percent else (max(max(values), 0) * 1.1 or 1.0)
    for y, (_, value, text, *_) in zip(ys, rows, strict=True):
        ax.text(max(value, 0) + top * 0.01, y, text, va="center", fontsize=8)
    ax.set_yticks(list(ys))
    ax.set_yticklabels([area for area, *_ in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.15)  # room for the last label
    if percent:
        ax.set_xticks([0, 25, 50, 75, 100])
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f} %"))
    else:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _danish(v)))
        ax.set_xlabel(unit)
    return _as_data_uri(fig)
