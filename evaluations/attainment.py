"""Goal attainment (*målopnåelse*): the pure engine (DOMAIN.md, "Goal attainment").

Plain values in, plain values out: no Django, no ORM. Two paths compute the same thing:

* :func:`attainment` for one target (pages, explanations, tests);
* :func:`attainment_batch` for many (recomputation), vectorised with numpy/pandas over the
  frame that :func:`specs_to_frame` builds; :func:`result_from_row` turns a row back into
  a :class:`Result`.

The two paths must give bit-identical floats. They therefore perform the same IEEE
operations in the same order: every sum is a left-to-right running sum starting at 0.0
(never ``sum()``, which Python 3.12+ compensates, nor pandas' grouped sums, which use
Kahan summation), and every formula is written with the same association in both.

Notation: B baseline, T target (T_high for a range), A actual, E expected value.
"""

from __future__ import annotations

import calendar
import functools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

ENGINE_VERSION = "1.0"

# The few ``assert`` statements below only narrow types for the type checker: each states
# an invariant its caller has already established (exempt from bandit's B101).


class Category(StrEnum):
    """Status category; the values are the Danish labels shown to users."""

    ACHIEVED = "Opnået"
    ON_TRACK = "På sporet"
    BEHIND = "Bagud"
    CRITICAL = "Kritisk"
    NOT_MEASURABLE = "Ikke målbart"
    NO_STATUS = "Ingen status"
    NO_TARGET = "Intet måltal"


@dataclass(frozen=True)
class Thresholds:
    on_track_tolerance: float = 10.0  # points below expected that still count as "På sporet"
    critical_gap: float = 30.0  # points below expected from which it is "Kritisk"
    discrepancy_points: float = 5.0  # stated vs computed difference that raises a flag


@dataclass(frozen=True)
class TargetSpec:
    target_id: int
    direction: str  # "stigende" | "faldende"
    qualitative: bool  # kind == "kvalitativ"
    measurable: bool
    basis: str  # "periode" | "pr_aar" | "niveau" | ""
    baseline_low: float | None
    baseline_high: float | None
    target_low: float | None
    target_high: float | None
    phases: tuple[tuple[int, float], ...]  # ((2017, 30.0), (2018, 80.0)), sorted by year
    start_date: date | None
    target_date: date | None
    cumulative: bool


@dataclass(frozen=True, slots=True)  # slots: built once per status update at scale
class Observation:
    """One approved status update."""

    as_of: date  # the date the value is as of
    value: float | None  # for a cumulative count: the running total
    assessment: str  # "" | "opnaaet" | "delvist" | "ikke_opnaaet"
    not_measurable: bool
    status_text: str  # the report's status wording, "" or "-" mean nothing
    stated_low: float | None  # an attainment % a report stated; a range if stated_high
    stated_high: float | None
    stated_text: str  # exact wording, e.g. "+100 %", "1 - 2%"
    stated_is_estimate: bool


@dataclass(frozen=True)
class Result:
    target_id: int
    percent: float | None  # headline (against T_low for a range); raw, may be >100 or <0
    percent_high: float | None  # against T_high for a range target, else None
    basis: str  # "beregnet" (computed) | "vurderet" (assessed) | "ingen" (none)
    expected_value: float | None
    expected_percent: float | None
    category: Category
    baseline: float | None  # B used (midpoint of a baseline range, 0 if none given)
    target: float | None  # T used (sum of phases / rate × years / T_low)
    target_high: float | None  # T_high used for a range
    actual: float | None  # A (the reported value)
    stated_low: float | None
    stated_high: float | None
    stated_text: str
    stated_is_estimate: bool
    flagged: bool
    flag_reason: str  # Danish, "" if not flagged
    forecast_year: int | None
    forecast_text: str  # Danish, "" if no forecast
    formula: str  # Danish, with the numbers filled in
    explanation: dict  # JSON-serialisable inputs and the rule used


# --- Small shared predicates ----------------------------------------------------------
# The batch path applies these same functions to each distinct string (via factorize),
# so the two paths can never disagree on what counts as e.g. an empty status.

_ASSESSED_PERCENT = {"opnaaet": 100.0, "delvist": 50.0, "ikke_opnaaet": 0.0}
_ASSESSMENT_LABEL = {
    "opnaaet": "Opnået",
    "delvist": "Delvist opnået",
    "ikke_opnaaet": "Ikke opnået",
}
_NO_DATA_REASON = "Angivet målopnåelse uden data bag"
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_NAT = np.iinfo(np.int64).min  # numpy's integer representation of NaT
# Beyond this a trend "reaches" the target in no year a date can hold: treat it as never.
_LAST_FORECAST_YEAR = 9999


def _is_decrease(direction: str) -> bool:
    return direction == "faldende"


def _is_per_year(basis: str) -> bool:
    return basis == "pr_aar"


def _status_empty(text: str | None) -> bool:
    # A report writes "-" in the status column when it has nothing to say.
    return (text or "").strip() in ("", "-")


def _is_minimum(stated_text: str | None) -> bool:
    # The report writes "+100 %" for "at least 100 %" (over-achievement, capped in print).
    return (stated_text or "").strip().startswith("+")


def _num(x: Any) -> float | None:
    """A float, or None for None/NaN (the batch frame stores None as NaN)."""
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def _year_fraction(d: date) -> float:
    """The date as a fractional year: year + (day of year − 1) / days in that year."""
    days_in_year = 366 if calendar.isleap(d.year) else 365
    return d.year + (d.toordinal() - date(d.year, 1, 1).toordinal()) / days_in_year


def _is_dec31(d: date) -> bool:
    # On 31 December the year has ended, so that year's phase is due.
    return d.month == 12 and d.day == 31


# --- Scalar pieces ---------------------------------------------------------------------


def _baseline(spec: TargetSpec) -> float:
    """B: the midpoint of a baseline range, the single baseline given, else 0."""
    low, high = _num(spec.baseline_low), _num(spec.baseline_high)
    if low is not None and high is not None:
        return (low + high) / 2
    if low is not None:
        return low
    if high is not None:
        return high
    return 0.0


def _valid_phases(spec: TargetSpec) -> list[tuple[int, float]]:
    return [(int(y), v) for y, v0 in spec.phases if (v := _num(v0)) is not None]


def _period_years(spec: TargetSpec) -> int | None:
    """Calendar years from start_date.year to target_date.year inclusive; None if unknown."""
    if spec.start_date is None or spec.target_date is None:
        return None
    years = spec.target_date.year - spec.start_date.year + 1
    return years if years >= 1 else None


def _targets(
    spec: TargetSpec, phases: list[tuple[int, float]]
) -> tuple[float | None, float | None, int | None]:
    """(T, T_high, years): sum of phases; rate × years for "pr_aar"; else T_low, T_high."""
    if phases:
        total = 0.0
        for _, value in phases:
            total += value
        return total, None, None
    low, high = _num(spec.target_low), _num(spec.target_high)
    if _is_per_year(spec.basis):
        years = _period_years(spec)
        if years is None:
            # Without the period, "60 a year" has no total to measure against.
            return None, None, None
        return (
            None if low is None else low * years,
            None if high is None else high * years,
            years,
        )
    return low, high, None


def _time_fraction(start: date | None, end: date | None, as_of: date) -> float | None:
    """Share of the period start → end elapsed at as_of, clamped to [0, 1]."""
    if start is None or end is None:
        return None
    total = (end - start).days
    elapsed = (as_of - start).days
    if total <= 0:
        # A period of no length is simply over or not yet over.
        return 1.0 if elapsed >= total else 0.0
    return min(max(elapsed / total, 0.0), 1.0)


def _pct(x: float, b: float, t: float, decrease: bool) -> float:
    if decrease:
        return (b - x) / (b - t) * 100.0
    return (x - b) / (t - b) * 100.0


def _category(p: float, e: float | None, th: Thresholds) -> Category:
    if p >= 100.0:
        return Category.ACHIEVED
    if e is None:
        e = 100.0  # with no time path, compare against the target itself
    if p >= e - th.on_track_tolerance:
        return Category.ON_TRACK
    if p >= e - th.critical_gap:
        return Category.BEHIND
    return Category.CRITICAL


def _expected(
    spec: TargetSpec,
    phases: list[tuple[int, float]],
    b: float,
    t: float | None,
    years: int | None,
    computable: bool,
    decrease: bool,
    as_of: date,
) -> tuple[float | None, float | None]:
    """(expected value, expected percent) at as_of; see :func:`attainment`."""
    fraction = _time_fraction(spec.start_date, spec.target_date, as_of)
    if not computable:
        return None, (None if fraction is None else fraction * 100.0)
    assert t is not None  # nosec B101
    if phases:
        due_until = as_of.year + (1 if _is_dec31(as_of) else 0)  # phases before this year
        due = 0.0
        for year, value in phases:
            if year < due_until:
                due += value
        value = b + due
    elif _is_per_year(spec.basis):
        assert years is not None and spec.start_date is not None  # nosec B101
        complete = as_of.year - spec.start_date.year + (1 if _is_dec31(as_of) else 0)
        rate = _num(spec.target_low)
        assert rate is not None  # nosec B101
        value = b + rate * min(max(complete, 0), years)
    elif fraction is not None:
        value = b + fraction * (t - b)
    else:
        return None, None
    return value, _pct(value, b, t, decrease)


def _flag_kind(
    computed: float | None,
    latest: Observation,
    a: float | None,
    d: float,
) -> str:
    """Which flag is raised: "" (none), "minimum", "range", "single" or "no_data"."""
    low, high = _num(latest.stated_low), _num(latest.stated_high)
    if computed is not None and low is not None:
        if _is_minimum(latest.stated_text):
            return "minimum" if computed < low - d else ""
        if high is not None:
            return "range" if computed < low - d or computed > high + d else ""
        return "single" if abs(computed - low) > d else ""
    if (
        low is not None
        and low > 0
        and a is None
        and (latest.assessment or "") not in _ASSESSED_PERCENT
        and _status_empty(latest.status_text)
    ):
        return "no_data"
    return ""


# --- Danish text ------------------------------------------------------------------------


_DANISH_SEPARATORS = str.maketrans({",": ".", ".": ","})


@functools.lru_cache(maxsize=1 << 16)  # the same B, T and A recur in every round's text
def _fmt(x: float) -> str:
    """Danish number text rounded to 2 decimals: 16.000, 1,25, −12,5 (text only)."""
    r = round(float(x), 2)
    if math.isinf(r):
        return ("−" if r < 0 else "") + "∞"
    if r == 0:
        return "0"  # never "−0"
    if r.is_integer():  # most figures are counts or whole percents
        text = f"{abs(int(r)):,}".replace(",", ".")
    else:
        text = f"{abs(r):,.2f}".rstrip("0").translate(_DANISH_SEPARATORS)
    return ("−" if r < 0 else "") + text


def _stated_label(low: float | None, high: float | None, text: str) -> str:
    if text.strip():
        return text.strip()
    if low is None:
        return ""
    if high is None:
        return f"{_fmt(low)} %"
    return f"{_fmt(low)}–{_fmt(high)} %"


def _flag_reason(
    kind: str, p: float | None, low: float | None, high: float | None, text: str, d: float
) -> str:
    if kind == "no_data":
        return _NO_DATA_REASON
    if not kind:
        return ""
    assert p is not None and low is not None  # nosec B101
    stated = _stated_label(low, high, text)
    if kind == "minimum":
        return f"Angivet {stated} (mindst {_fmt(low)} %), men beregnet er {_fmt(p)} %"
    if kind == "range":
        return f"Angivet {stated} afviger mere end {_fmt(d)} point fra beregnet {_fmt(p)} %"
    return f"Angivet {stated} afviger {_fmt(abs(p - low))} point fra beregnet {_fmt(p)} %"


def _forecast_text(kind: str, year: int | None, target_year: int | None) -> str:
    if kind == "reached":
        return "nået"
    if kind == "never":
        return f"nås ikke inden {target_year}"
    if kind == "on_time":
        return f"forventes nået i {year}"
    if kind == "late":
        return f"forventes nået i {year}, efter måldatoen ({target_year})"
    return ""


_RULE_TEXT = {
    "ingen_status": "Ingen status indberettet – ingen procent",
    "ikke_maalbart": "Ikke målbart p.t. – ingen procent (tæller ikke som 0)",
    "kvalitativ": "Kvalitativt mål – ingen beregnet procent",
    "intet_maaltal": "Intet numerisk måltal – ingen beregnet procent",
}


def _formula(
    rule: str,
    spec: TargetSpec,
    phases: list[tuple[int, float]],
    years: int | None,
    b: float,
    t: float | None,
    t_high: float | None,
    a: float | None,
    percent: float | None,
    percent_high: float | None,
    assessment: str,
) -> str:
    if rule in _RULE_TEXT:
        return _RULE_TEXT[rule]
    if rule == "vurderet":
        assert percent is not None  # nosec B101
        return f"Vurderet: {_ASSESSMENT_LABEL[assessment]} = {_fmt(percent)} %"
    if rule == "maaltal_lig_baseline":
        return f"Måltal lig basis (T = B = {_fmt(b)}) – ingen beregnet procent"
    assert t is not None  # nosec B101
    parts = []
    low, high = _num(spec.baseline_low), _num(spec.baseline_high)
    if low is not None and high is not None:
        parts.append(f"B = ({_fmt(low)} + {_fmt(high)}) / 2 = {_fmt(b)}")
    if phases:
        parts.append(f"T = {' + '.join(_fmt(v) for _, v in phases)} = {_fmt(t)}")
    elif years is not None:
        rate = _num(spec.target_low)
        assert rate is not None  # nosec B101
        parts.append(f"T = {_fmt(rate)} × {years} år = {_fmt(t)}")
    if rule == "ingen_vaerdi":
        parts.append("ingen faktisk værdi indberettet – ingen procent")
        return "; ".join(parts)
    assert a is not None and percent is not None  # nosec B101

    def one(target: float, p: float) -> str:
        if rule == "fald":
            return f"({_fmt(b)} − {_fmt(a)}) / ({_fmt(b)} − {_fmt(target)}) × 100 = {_fmt(p)} %"
        return f"({_fmt(a)} − {_fmt(b)}) / ({_fmt(target)} − {_fmt(b)}) × 100 = {_fmt(p)} %"

    parts.append(one(t, percent))
    if t_high is not None and percent_high is not None:
        parts.append(f"mod {_fmt(t_high)}: {one(t_high, percent_high)}")
    return "; ".join(parts)


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _expected_rule(
    computable: bool, phases: list[tuple[int, float]], years: int | None, dates_known: bool
) -> str | None:
    """How the expected value at a date is found: by phases, a yearly rate, linearly, or
    (with no computed percentage) the share of the period elapsed; None if it cannot be."""
    if not computable:
        return "tidsandel" if dates_known else None
    if phases:
        return "faser"
    if years is not None:
        return "pr_aar"
    return "lineaer" if dates_known else None


def _explanation(
    rule: str,
    spec: TargetSpec,
    phases: list[tuple[int, float]],
    years: int | None,
    latest: Observation | None,
    as_of: date,
    b: float,
    t: float | None,
    t_high: float | None,
    a: float | None,
    computable: bool,
    n_history: int,
    th: Thresholds,
) -> dict:
    dates_known = spec.start_date is not None and spec.target_date is not None
    expected_rule = _expected_rule(computable, phases, years, dates_known)
    return {
        "engine_version": ENGINE_VERSION,
        "rule": rule,
        "direction": spec.direction,
        "target_basis": spec.basis,
        "qualitative": spec.qualitative,
        "measurable": spec.measurable,
        "cumulative": spec.cumulative,
        "B": b,
        "baseline_low": _num(spec.baseline_low),
        "baseline_high": _num(spec.baseline_high),
        "T": t,
        "T_high": t_high,
        "target_low": _num(spec.target_low),
        "target_high": _num(spec.target_high),
        "years": years,
        "phases": [[y, v] for y, v in phases],
        "A": a,
        "assessment": "" if latest is None else (latest.assessment or ""),
        "as_of": as_of.isoformat(),
        "observation_as_of": None if latest is None else _iso(latest.as_of),
        "start": _iso(spec.start_date),
        "target_date": _iso(spec.target_date),
        "expected_rule": expected_rule,
        "history_points": n_history,
        "thresholds": {
            "on_track_tolerance": float(th.on_track_tolerance),
            "critical_gap": float(th.critical_gap),
            "discrepancy_points": float(th.discrepancy_points),
        },
    }


def _clean_history(history: Iterable[tuple[date, float | None]]) -> list[tuple[date, float]]:
    """Points with a value, stably sorted by date (equal dates keep their given order)."""
    points = [(d, v) for d, v0 in history if (v := _num(v0)) is not None]
    return sorted(points, key=lambda p: p[0])


# --- Public scalar API -------------------------------------------------------------------


def forecast(
    spec: TargetSpec,
    history: Sequence[tuple[date, float]],
    *,
    target_value: float | None,
) -> tuple[int | None, str]:
    """When the trend reaches ``target_value``: ``(forecast_year, Danish text)``.

    Least squares through the points (t, v), t = the date as a fractional year
    (year + (day of year − 1) / days in year):

        t̄ = Σt / n,  v̄ = Σv / n,  slope = Σ(t − t̄)(v − v̄) / Σ(t − t̄)²,
        t* = t̄ + (T − v̄) / slope,   forecast_year = ⌊max(t*, t_last)⌋

    Edge cases, in this order:

    - no ``target_value``, no ``spec.target_date``, or fewer than 2 distinct dates among
      the points with a value → ``(None, "")``;
    - the latest point (by date) already reached T (≥ T; ≤ T for "faldende") →
      ``(None, "nået")``;
    - slope zero or the wrong way → ``(None, "nås ikke inden {target year}")``; also when
      t* lies beyond year 9999 (a practically flat trend);
    - t* ≤ the target date → ``"forventes nået i {year}"``; later →
      ``"forventes nået i {year}, efter måldatoen ({target year})"``.

    t* is never placed before the latest point: a fitted line that "crossed" in the past
    while the latest value has not reached T means "now at the earliest".
    """
    if target_value is None or spec.target_date is None:
        return None, ""
    target = float(target_value)
    points = _clean_history(history)
    if len({d for d, _ in points}) < 2:
        return None, ""
    ts = [_year_fraction(d) for d, _ in points]
    vs = [v for _, v in points]
    n = len(points)
    # Running sums from 0.0, term by term: the batch path adds the same terms in order.
    sum_t = 0.0
    for t in ts:
        sum_t += t
    sum_v = 0.0
    for v in vs:
        sum_v += v
    t_mean = sum_t / n
    v_mean = sum_v / n
    sxx = 0.0
    sxy = 0.0
    for t, v in zip(ts, vs, strict=True):
        dt = t - t_mean
        sxx += dt * dt
        sxy += dt * (v - v_mean)
    decrease = _is_decrease(spec.direction)
    target_year = spec.target_date.year
    if (vs[-1] <= target) if decrease else (vs[-1] >= target):
        return None, _forecast_text("reached", None, target_year)
    slope = sxy / sxx
    if (slope >= 0.0) if decrease else (slope <= 0.0):
        return None, _forecast_text("never", None, target_year)
    t_star = max(t_mean + (target - v_mean) / slope, ts[-1])
    if not t_star < _LAST_FORECAST_YEAR + 1:
        return None, _forecast_text("never", None, target_year)
    year = math.floor(t_star)
    kind = "on_time" if t_star <= _year_fraction(spec.target_date) else "late"
    return year, _forecast_text(kind, year, target_year)


def attainment(
    spec: TargetSpec,
    latest: Observation | None,
    *,
    as_of: date,
    history: Sequence[tuple[date, float]] = (),
    thresholds: Thresholds = Thresholds(),  # frozen, so one shared default is safe
) -> Result:
    """Goal attainment of one target at ``as_of`` from its latest approved status.

    Inputs used:

    - B = midpoint of (baseline_low, baseline_high); the one given; 0 if none.
    - T = Σ phases (T_high None); for basis "pr_aar": rate × calendar years
      start_date.year..target_date.year inclusive (T None without both dates); else
      T = target_low, T_high = target_high.
    - A = ``latest.value`` (the caller passes the running total for cumulative counts).

    Decisions, in order:

    1. ``latest`` is None → *Ingen status*, no percent.
    2. target or observation not measurable → *Ikke målbart*, no percent (never 0).
    3. no computable target (qualitative, T None or T == B) and an assessment given →
       100 / 50 / 0 for opnaaet / delvist / ikke_opnaaet, basis "vurderet".
    4. no computable target otherwise → no percent, basis "ingen"; *Intet måltal* if a
       value or a status text (other than "" / "-") was reported, else *Ingen status*.
    5. A None → *Ingen status* (a stated figure alone is not a status).
    6. increase: (A − B) / (T − B) × 100; decrease ("faldende"): (B − A) / (B − T) × 100.
       A range also gets ``percent_high`` against T_high (None if T_high == B). Raw values
       are kept: 375 % and negative percentages are not clipped.

    Expected value E at ``as_of`` (only for a computable target):
    phases → B + Σ phases whose year has ended (year < as_of.year, or == as_of.year on
    31 December); "pr_aar" → B + rate × complete calendar years since start (0..years);
    otherwise B + f × (T − B), f = elapsed / total days of start → target_date clamped to
    [0, 1]; missing dates → None. ``expected_percent`` applies the attainment formula to E.
    Without a computable target it is f × 100 when both dates are known (the share of
    the period gone), which is what an assessed figure is compared with.

    Category of a percent p: p ≥ 100 *Opnået*; with e = expected_percent (100 if None):
    p ≥ e − on_track_tolerance *På sporet*; p ≥ e − critical_gap *Bagud*; else *Kritisk*.

    Flag (d = discrepancy_points): (a) a computed percent p and a stated figure: stated
    "+N %" flags p < N − d; a stated range [lo, hi] flags p < lo − d or p > hi + d; a
    single s flags |p − s| > d. (b) stated > 0 with no value, no assessment and an empty
    status ("" / "-"): "Angivet målopnåelse uden data bag". Estimates are kept as stated.

    The forecast (see :func:`forecast`) is made for targets that reach step 5 or 6.
    """
    decrease = _is_decrease(spec.direction)
    b = _baseline(spec)
    phases = _valid_phases(spec)
    t, t_high, years = _targets(spec, phases)
    computable = not spec.qualitative and t is not None and t != b
    expected_value, expected_percent = _expected(
        spec, phases, b, t, years, computable, decrease, as_of
    )
    a = None if latest is None else _num(latest.value)
    assessment = "" if latest is None else (latest.assessment or "")
    percent: float | None = None
    percent_high: float | None = None
    basis = "ingen"
    flag = ""
    if latest is None:
        rule, category = "ingen_status", Category.NO_STATUS
    elif not spec.measurable or latest.not_measurable:
        rule, category = "ikke_maalbart", Category.NOT_MEASURABLE
    elif not computable and assessment in _ASSESSED_PERCENT:
        rule, basis = "vurderet", "vurderet"
        percent = _ASSESSED_PERCENT[assessment]
        category = _category(percent, expected_percent, thresholds)
    elif not computable:
        rule = (
            "kvalitativ"
            if spec.qualitative
            else "intet_maaltal"
            if t is None
            else "maaltal_lig_baseline"
        )
        reported = a is not None or not _status_empty(latest.status_text)
        category = Category.NO_TARGET if reported else Category.NO_STATUS
    elif a is None:
        rule, category = "ingen_vaerdi", Category.NO_STATUS
    else:
        assert t is not None  # nosec B101
        rule, basis = ("fald" if decrease else "stigning"), "beregnet"
        percent = _pct(a, b, t, decrease)
        if t_high is not None and t_high != b:
            percent_high = _pct(a, b, t_high, decrease)
        category = _category(percent, expected_percent, thresholds)
    if latest is not None:
        computed = percent if basis == "beregnet" else None
        flag = _flag_kind(computed, latest, a, thresholds.discrepancy_points)
    stated_low = None if latest is None else _num(latest.stated_low)
    stated_high = None if latest is None else _num(latest.stated_high)
    stated_text = "" if latest is None else (latest.stated_text or "")
    forecast_target = t if rule in ("stigning", "fald", "ingen_vaerdi") else None
    forecast_year, forecast_text = forecast(spec, history, target_value=forecast_target)
    return Result(
        target_id=spec.target_id,
        percent=percent,
        percent_high=percent_high,
        basis=basis,
        expected_value=expected_value,
        expected_percent=expected_percent,
        category=category,
        baseline=b,
        target=t,
        target_high=t_high,
        actual=a,
        stated_low=stated_low,
        stated_high=stated_high,
        stated_text=stated_text,
        stated_is_estimate=False if latest is None else bool(latest.stated_is_estimate),
        flagged=bool(flag),
        flag_reason=_flag_reason(
            flag, percent, stated_low, stated_high, stated_text, thresholds.discrepancy_points
        ),
        forecast_year=forecast_year,
        forecast_text=forecast_text,
        formula=_formula(
            rule, spec, phases, years, b, t, t_high, a, percent, percent_high, assessment
        ),
        explanation=_explanation(
            rule,
            spec,
            phases,
            years,
            latest,
            as_of,
            b,
            t,
            t_high,
            a,
            computable,
            len(history),
            thresholds,
        ),
    )


def mean_capped(percents: Iterable[float | None]) -> tuple[float | None, int]:
    """Initiative/programme average: mean of min(p, 100) over the percents given.

    None (and NaN) are skipped, never counted as 0; negative values are kept. Returns
    ``(mean, count used)``; ``(None, 0)`` when nothing is left, so the count always
    travels with the mean.
    """
    total = 0.0
    count = 0
    for p in percents:
        if p is None or math.isnan(p):
            continue
        total += min(float(p), 100.0)
        count += 1
    return (total / count if count else None), count


# --- Batch ----------------------------------------------------------------------------------
#
# Frame layout (one row per target and evaluation date), as specs_to_frame builds it:
#
#   target_id                                   int64
#   as_of                                       datetime64[s]  the evaluation date
#   spec, observation                           object: the TargetSpec and Observation (or
#                                               None) themselves, for result_from_row's texts
#   spec_direction, spec_basis                  str
#   spec_qualitative, spec_measurable,
#   spec_cumulative                             bool
#   spec_baseline_low, spec_baseline_high,
#   spec_target_low, spec_target_high           float64 (NaN = None)
#   spec_start_date, spec_target_date           datetime64[s] (NaT = None)
#   phases                                      object: ((year, value), ...) as in TargetSpec
#   has_obs                                     bool (False: no approved status)
#   obs_as_of                                   datetime64[s]
#   obs_value, obs_stated_low, obs_stated_high  float64 (NaN = None)
#   obs_assessment, obs_status_text,
#   obs_stated_text                             str ("" without an observation)
#   obs_not_measurable, obs_stated_is_estimate  bool
#   history                                     object: ((date, value), ...) as given
#
# attainment_batch computes from the value columns only (spec_*, obs_*, phases, history,
# as_of). It returns OUTPUT_KEY_COLUMNS (target_id, as_of, spec, observation, history) and
# the results, named like Result's fields: percent, percent_high, basis, expected_value,
# expected_percent, category, baseline, target, target_high, actual, stated_low,
# stated_high, stated_text, stated_is_estimate, flagged, forecast_year (Int64),
# forecast_text; and, for result_from_row: rule, flag_kind, thr_on_track_tolerance,
# thr_critical_gap, thr_discrepancy_points (nullable numbers are float64 with NaN; basis,
# category, rule and flag_kind are categoricals).
#
# The texts formula, explanation and flag_reason are built per row by result_from_row,
# from the spec and observation objects with the scalar path's own helpers: formatting
# hundreds of thousands of strings that are read one page at a time would cost more than
# all of the arithmetic.

INPUT_COLUMNS = (
    "target_id",
    "as_of",
    "spec",
    "observation",
    "spec_direction",
    "spec_basis",
    "spec_qualitative",
    "spec_measurable",
    "spec_cumulative",
    "spec_baseline_low",
    "spec_baseline_high",
    "spec_target_low",
    "spec_target_high",
    "spec_start_date",
    "spec_target_date",
    "phases",
    "has_obs",
    "obs_as_of",
    "obs_value",
    "obs_assessment",
    "obs_not_measurable",
    "obs_status_text",
    "obs_stated_low",
    "obs_stated_high",
    "obs_stated_text",
    "obs_stated_is_estimate",
    "history",
)

OUTPUT_KEY_COLUMNS = ("target_id", "as_of", "spec", "observation", "history")

_BASES = ("beregnet", "vurderet", "ingen")
_CATEGORIES = tuple(Category)
_RULES = (
    "ingen_status",
    "ikke_maalbart",
    "vurderet",
    "kvalitativ",
    "intet_maaltal",
    "maaltal_lig_baseline",
    "ingen_vaerdi",
    "stigning",
    "fald",
)
_FLAG_KINDS = ("", "minimum", "range", "single", "no_data")
_FORECAST_KINDS = ("", "reached", "never", "on_time", "late")

# Stands in for a missing observation while reading fields column by column.
_NO_OBSERVATION = Observation(
    as_of=None,  # type: ignore[arg-type]
    value=None,
    assessment="",
    not_measurable=False,
    status_text="",
    stated_low=None,
    stated_high=None,
    stated_text="",
    stated_is_estimate=False,
)


# Input columns read from each object's fields: column → TargetSpec / Observation field.
_SPEC_FIELDS = {
    "target_id": "target_id",
    "spec_direction": "direction",
    "spec_basis": "basis",
    "spec_qualitative": "qualitative",
    "spec_measurable": "measurable",
    "spec_cumulative": "cumulative",
    "spec_baseline_low": "baseline_low",
    "spec_baseline_high": "baseline_high",
    "spec_target_low": "target_low",
    "spec_target_high": "target_high",
    "spec_start_date": "start_date",
    "spec_target_date": "target_date",
    "phases": "phases",
}
_OBSERVATION_FIELDS = {
    "obs_as_of": "as_of",
    "obs_value": "value",
    "obs_assessment": "assessment",
    "obs_not_measurable": "not_measurable",
    "obs_status_text": "status_text",
    "obs_stated_low": "stated_low",
    "obs_stated_high": "stated_high",
    "obs_stated_text": "stated_text",
    "obs_stated_is_estimate": "stated_is_estimate",
}


def specs_to_frame(
    items: Sequence[tuple[TargetSpec, Observation | None, date, Sequence[tuple[date, float]]]],
) -> pd.DataFrame:
    """The frame :func:`attainment_batch` reads: one row per (spec, latest, as_of, history).

    Columns are ``INPUT_COLUMNS`` (see the layout comment above). None becomes NaN/NaT;
    phases and history are kept as given (the batch drops points without a value and
    sorts history by date, as the scalar path does).
    """
    raw: dict[str, list] = {name: [] for name in (*_SPEC_FIELDS, *_OBSERVATION_FIELDS)}
    spec_fields = [(raw[column].append, name) for column, name in _SPEC_FIELDS.items()]
    obs_fields = [(raw[column].append, name) for column, name in _OBSERVATION_FIELDS.items()]
    # A target's spec object recurs in every round it is evaluated for: read each distinct
    # object once (by identity; `items` keeps them alive) and spread its values by index.
    position: dict[int, int] = {}
    spec_index = []
    # One pass that reads all fields of an object while it is in the CPU cache: a pass per
    # field over hundreds of thousands of objects costs several times more.
    for spec, latest, _, _ in items:
        index = position.get(id(spec))
        if index is None:
            index = position[id(spec)] = len(position)
            for add, name in spec_fields:
                add(getattr(spec, name))
        spec_index.append(index)
        observation = _NO_OBSERVATION if latest is None else latest
        for add, name in obs_fields:
            add(getattr(observation, name))
    per_row = np.array(spec_index, dtype=np.int64)

    def floats(column: str) -> np.ndarray:
        return np.array(raw[column], dtype=np.float64)  # None → NaN

    def dates(values: list) -> np.ndarray:
        return _day_numbers(values).astype("datetime64[D]").astype("datetime64[s]")

    def flags(column: str) -> np.ndarray:
        return np.array(raw[column], dtype=bool)

    def texts(column: str) -> list[str]:
        return [v or "" for v in raw[column]]

    def categories(values: list[str]) -> pd.Categorical:
        return pd.Categorical(values)

    def spread(values: Any) -> Any:
        """Spec values (one per distinct spec) → one per row."""
        if isinstance(values, pd.Categorical):
            return pd.Categorical.from_codes(values.codes[per_row], values.categories)
        return values[per_row]

    return pd.DataFrame(
        {
            "target_id": spread(np.array(raw["target_id"], dtype=np.int64)),
            "as_of": dates([item[2] for item in items]),
            "spec": _objects([item[0] for item in items]),
            "observation": _objects([item[1] for item in items]),
            # Enum-like strings as categoricals: the batch maps each category once.
            "spec_direction": spread(categories(raw["spec_direction"])),
            "spec_basis": spread(categories(raw["spec_basis"])),
            "spec_qualitative": spread(flags("spec_qualitative")),
            "spec_measurable": spread(flags("spec_measurable")),
            "spec_cumulative": spread(flags("spec_cumulative")),
            "spec_baseline_low": spread(floats("spec_baseline_low")),
            "spec_baseline_high": spread(floats("spec_baseline_high")),
            "spec_target_low": spread(floats("spec_target_low")),
            "spec_target_high": spread(floats("spec_target_high")),
            "spec_start_date": spread(dates(raw["spec_start_date"])),
            "spec_target_date": spread(dates(raw["spec_target_date"])),
            "phases": spread(_objects(raw["phases"])),
            "has_obs": np.array([item[1] is not None for item in items], dtype=bool),
            "obs_as_of": dates(raw["obs_as_of"]),
            "obs_value": floats("obs_value"),
            "obs_assessment": categories(texts("obs_assessment")),
            "obs_not_measurable": flags("obs_not_measurable"),
            "obs_status_text": texts("obs_status_text"),
            "obs_stated_low": floats("obs_stated_low"),
            "obs_stated_high": floats("obs_stated_high"),
            "obs_stated_text": texts("obs_stated_text"),
            "obs_stated_is_estimate": flags("obs_stated_is_estimate"),
            "history": _objects([item[3] for item in items]),
        },
        columns=list(INPUT_COLUMNS),
    )


def _objects(values: list) -> np.ndarray:
    """A 1-D object array (np.array would turn a list of equal-length tuples into 2-D)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _day_numbers(values: Iterable[date | None]) -> np.ndarray:
    """Days since 1970-01-01 as int64; None → numpy's NaT value.

    toordinal() per date is several times faster than numpy's own conversion of date
    objects (``np.array(dates, dtype="datetime64[D]")``).
    """
    return np.array(
        [_NAT if d is None else d.toordinal() - _EPOCH_ORDINAL for d in values], dtype=np.int64
    )


def _map_strings(
    series: pd.Series, func: Callable[[str], Any], dtype: Any, where: np.ndarray | None = None
) -> np.ndarray:
    """func of each row's string, evaluated once per distinct string (missing → "").

    With ``where`` (a boolean mask), only those rows are evaluated (the others get the
    dtype's zero): free text is read only where a decision depends on it.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes, uniques = series.cat.codes.to_numpy(), series.cat.categories
        if where is not None:
            codes = codes[where]
    else:
        values = series.to_numpy(dtype=object)  # factorize gives a missing value code −1
        codes, uniques = pd.factorize(values if where is None else values[where])
    # Code −1 (a missing value) picks the last entry: func("").
    mapped = np.array([func(str(u)) for u in uniques] + [func("")], dtype=dtype)[codes]
    if where is None:
        return mapped
    out = np.zeros(len(series), dtype=dtype)
    out[where] = mapped
    return out


def _days(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(days since 1970-01-01 as int64 with 0 where missing, present mask)."""
    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        series = pd.to_datetime(series)
    arr = series.to_numpy().astype("datetime64[D]")
    present = ~np.isnat(arr)
    return np.where(present, arr.astype(np.int64), 0), present


def _calendar_of(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    year_start = days.astype("datetime64[D]").astype("datetime64[Y]")
    year = year_start.astype(np.int64) + 1970
    jan1 = year_start.astype("datetime64[D]").astype(np.int64)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days_in_year = np.where(leap, 366, 365)
    fraction = year + (days - jan1) / days_in_year
    dec31 = (days + 1).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    return year, fraction, dec31 != year


def _calendar(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, fractional year, is 31 December) of day numbers, as the scalar helpers.

    The dates of a run span a few thousand days at most, so the calendar is computed once
    per day of that span and looked up: the same values, without numpy's slow
    datetime64 conversions on every element.
    """
    if days.size > 1024:
        low, high = int(days.min()), int(days.max())
        if high - low < days.size:
            year, fraction, dec31 = _calendar_of(np.arange(low, high + 1))
            index = days - low
            return year[index], fraction[index], dec31[index]
    return _calendar_of(days)


def _flatten(
    sequences: np.ndarray, *, dates: bool, lengths: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sequences of (key, value) → flat (row, key, value) arrays, in the given order.

    Keys are int64 (years, or days since 1970-01-01 when ``dates``); values are float64
    with NaN for None. ``lengths`` (the sequences' lengths) saves a pass when known.
    """
    if lengths is None:
        lengths = np.fromiter(map(len, sequences), np.int64, len(sequences))
    # Reading the Python pairs is the costliest step of the batch: flatten them in C to
    # key, value, key, value, ... and split by slicing.
    flat = list(chain.from_iterable(chain.from_iterable(sequences)))
    raw_keys, raw_values = flat[0::2], flat[1::2]
    if dates:
        keys = np.fromiter(map(date.toordinal, raw_keys), np.int64, len(raw_keys))
        keys -= _EPOCH_ORDINAL
    else:
        keys = np.array(raw_keys, dtype=np.int64)
    values = np.array(raw_values, dtype=np.float64)  # None → NaN
    return np.repeat(np.arange(len(sequences)), lengths), keys, values


def _left_aligned(row: np.ndarray, n: int, *columns: np.ndarray) -> tuple[np.ndarray, ...]:
    """Flat points grouped by ascending row → n × K matrices (0 after a row's last point),
    followed by the mask of real points."""
    counts = np.bincount(row, minlength=n)
    position = np.arange(len(row)) - (np.cumsum(counts) - counts)[row]
    width = int(counts.max(initial=0))
    matrices = []
    for column in columns:
        matrix = np.zeros((n, width), dtype=column.dtype)
        matrix[row, position] = column
        matrices.append(matrix)
    return (*matrices, np.arange(width)[None, :] < counts[:, None])


def _running_sum(matrix: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Σ of each row left to right from 0.0, as the scalar loop adds (masked entries: 0).

    Adding 0.0 leaves a running sum unchanged bit for bit, so the zeros that pad or mask
    a row do not change its sum.
    """
    total = np.zeros(matrix.shape[0])
    for j in range(matrix.shape[1]):
        column = matrix[:, j] if mask is None else np.where(mask[:, j], matrix[:, j], 0.0)
        total = total + column
    return total


def _batch_forecast(
    history: pd.Series,
    forecast_target: np.ndarray,
    decrease: np.ndarray,
    target_days: np.ndarray,
    has_target_date: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised :func:`forecast`: (year as float, NaN for none; kind code) per row."""
    n = len(history)
    year_out = np.full(n, np.nan)
    kind_out = np.zeros(n, dtype=np.int64)
    sequences = history.to_numpy(dtype=object)
    lengths = np.fromiter(map(len, sequences), np.int64, n)
    # Only rows that can get a forecast are read: the history is the costliest input.
    rows = np.flatnonzero(~np.isnan(forecast_target) & has_target_date & (lengths >= 2))
    point_row, days, values = _flatten(sequences[rows], dates=True, lengths=lengths[rows])
    valid = ~np.isnan(values)
    point_row, days, values = point_row[valid], days[valid], values[valid]
    if len(days) == 0:
        return year_out, kind_out
    # The scalar path sorts each history by date, stably; so does this (skipped when the
    # histories already are in date order, as they usually are).
    same_row = point_row[1:] == point_row[:-1]
    if (days[1:][same_row] < days[:-1][same_row]).any():
        order = np.lexsort((days, point_row))  # stable: equal dates keep their order
        point_row, days, values = point_row[order], days[order], values[order]
    count = np.bincount(point_row, minlength=len(rows))
    end = np.cumsum(count)
    first, last = end - count, end - 1
    # At least two distinct dates: in date order, the first and the last differ.
    usable = (count >= 2) & (days[np.minimum(first, len(days) - 1)] != days[last])
    if not usable.any():
        return year_out, kind_out
    keep = usable[point_row]
    renumber = np.cumsum(usable) - 1
    point_row, days, values = renumber[point_row[keep]], days[keep], values[keep]
    rows, c = rows[usable], count[usable]
    _, t_points, _ = _calendar(days)
    t, v, m = _left_aligned(point_row, len(rows), t_points, values)
    target, dec = forecast_target[rows], decrease[rows]
    last = np.cumsum(c) - 1
    t_last, v_last = t_points[last], values[last]
    with np.errstate(all="ignore"):
        t_mean = _running_sum(t) / c
        v_mean = _running_sum(v) / c
        dt = t - t_mean[:, None]
        sxx = _running_sum(dt * dt, m)
        sxy = _running_sum(dt * (v - v_mean[:, None]), m)
        reached = np.where(dec, v_last <= target, v_last >= target)
        slope = sxy / sxx
        t_star = np.maximum(t_mean + (target - v_mean) / slope, t_last)
        wrong_way = np.where(dec, slope >= 0.0, slope <= 0.0)
        never = ~reached & (wrong_way | ~(t_star < _LAST_FORECAST_YEAR + 1))
        timed = ~reached & ~never
        _, target_fraction, _ = _calendar(target_days[rows])
        on_time = timed & (t_star <= target_fraction)
    kind_out[rows] = np.select(
        [reached, never, on_time],
        [_FORECAST_KINDS.index(k) for k in ("reached", "never", "on_time")],
        _FORECAST_KINDS.index("late"),
    )
    year_out[rows] = np.where(timed, np.floor(np.where(timed, t_star, 0.0)), np.nan)
    return year_out, kind_out


def attainment_batch(
    frame: pd.DataFrame,
    *,
    thresholds: Thresholds = Thresholds(),  # frozen, so one shared default is safe
) -> pd.DataFrame:
    """:func:`attainment` for every row of a :func:`specs_to_frame` frame, vectorised.

    Same formulas, decisions and edge cases as :func:`attainment` (see there), with the
    same floating-point operations in the same order, so every number is bit-identical
    to the scalar path; :func:`result_from_row` turns an output row into that
    :class:`Result`. Returns a new frame, same index: ``OUTPUT_KEY_COLUMNS`` plus the
    result columns listed in the layout comment above.
    """
    n = len(frame)
    th = thresholds

    def f64(name: str) -> np.ndarray:
        return frame[name].to_numpy(dtype=np.float64, na_value=np.nan)

    def flag(name: str) -> np.ndarray:
        return frame[name].to_numpy(dtype=bool)

    decrease = _map_strings(frame["spec_direction"], _is_decrease, bool)
    per_year = _map_strings(frame["spec_basis"], _is_per_year, bool)
    qualitative = flag("spec_qualitative")
    as_of_days, _ = _days(frame["as_of"])
    as_of_year, _, as_of_dec31 = _calendar(as_of_days)
    start_days, has_start = _days(frame["spec_start_date"])
    target_days, has_target_date = _days(frame["spec_target_date"])
    start_year, _, _ = _calendar(start_days)
    target_year, _, _ = _calendar(target_days)

    with np.errstate(all="ignore"):  # rows that divide by zero are the ones masked out
        # B
        bl, bh = f64("spec_baseline_low"), f64("spec_baseline_high")
        has_bl, has_bh = ~np.isnan(bl), ~np.isnan(bh)
        b = np.where(
            has_bl & has_bh, (bl + bh) / 2, np.where(has_bl, bl, np.where(has_bh, bh, 0.0))
        )

        # T, T_high
        phase_row, phase_year, phase_value = _flatten(
            frame["phases"].to_numpy(dtype=object), dates=False
        )
        valid = ~np.isnan(phase_value)  # the scalar path skips a phase without a value
        phase_years, phase_values, phase_mask = _left_aligned(
            phase_row[valid], n, phase_year[valid], phase_value[valid]
        )
        has_phases = phase_mask.any(axis=1)
        phase_total = _running_sum(phase_values)
        years = target_year - start_year + 1
        years_ok = has_start & has_target_date & (years >= 1)
        tl, th_ = f64("spec_target_low"), f64("spec_target_high")
        t = np.where(
            has_phases, phase_total, np.where(per_year, np.where(years_ok, tl * years, np.nan), tl)
        )
        t_high = np.where(
            has_phases, np.nan, np.where(per_year, np.where(years_ok, th_ * years, np.nan), th_)
        )
        computable = ~qualitative & ~np.isnan(t) & (t != b)

        def pct(x: np.ndarray, target: np.ndarray) -> np.ndarray:
            return np.where(
                decrease, (b - x) / (b - target) * 100.0, (x - b) / (target - b) * 100.0
            )

        # Expected value and percent
        dates_known = has_start & has_target_date
        total_days = target_days - start_days
        elapsed = as_of_days - start_days
        fraction = np.where(
            total_days <= 0,
            np.where(elapsed >= total_days, 1.0, 0.0),
            np.minimum(np.maximum(elapsed / total_days, 0.0), 1.0),
        )
        due_until = as_of_year + as_of_dec31
        due = _running_sum(phase_values, phase_mask & (phase_years < due_until[:, None]))
        complete = np.minimum(np.maximum(as_of_year - start_year + as_of_dec31, 0), years)
        expected_value = np.where(
            has_phases,
            b + due,
            np.where(
                per_year,
                b + tl * complete,
                np.where(dates_known, b + fraction * (t - b), np.nan),
            ),
        )
        expected_value = np.where(computable, expected_value, np.nan)
        expected_percent = np.where(
            computable,
            pct(expected_value, t),
            np.where(dates_known, fraction * 100.0, np.nan),
        )

        # Decisions
        has_obs = flag("has_obs")
        a = np.where(has_obs, f64("obs_value"), np.nan)
        has_a = ~np.isnan(a)
        assessed_percent = _map_strings(
            frame["obs_assessment"], lambda s: _ASSESSED_PERCENT.get(s, np.nan), np.float64
        )
        assessed = has_obs & ~np.isnan(assessed_percent)
        not_measurable = has_obs & (~flag("spec_measurable") | flag("obs_not_measurable"))
        rest = has_obs & ~not_measurable
        is_assessed = rest & ~computable & assessed
        is_ingen = rest & ~computable & ~assessed
        is_no_value = rest & computable & ~has_a
        is_calc = rest & computable & has_a
        sl = np.where(has_obs, f64("obs_stated_low"), np.nan)
        sh = np.where(has_obs, f64("obs_stated_high"), np.nan)
        no_data_candidate = has_obs & (sl > 0) & ~has_a & ~assessed
        status_empty = _map_strings(
            frame["obs_status_text"], _status_empty, bool, where=is_ingen | no_data_candidate
        )
        rule = np.select(
            [
                ~has_obs,
                not_measurable,
                is_assessed,
                is_ingen & qualitative,
                is_ingen & np.isnan(t),
                is_ingen,
                is_no_value,
                decrease,
            ],
            [
                _RULES.index(name)
                for name in (
                    "ingen_status",
                    "ikke_maalbart",
                    "vurderet",
                    "kvalitativ",
                    "intet_maaltal",
                    "maaltal_lig_baseline",
                    "ingen_vaerdi",
                    "fald",
                )
            ],
            _RULES.index("stigning"),
        )
        percent = np.where(is_calc, pct(a, t), np.where(is_assessed, assessed_percent, np.nan))
        percent_high = np.where(is_calc & ~np.isnan(t_high) & (t_high != b), pct(a, t_high), np.nan)
        basis = np.select([is_calc, is_assessed], [0, 1], 2)

        e = np.where(np.isnan(expected_percent), 100.0, expected_percent)
        cat = {c: _CATEGORIES.index(c) for c in _CATEGORIES}
        by_percent = np.select(
            [
                percent >= 100.0,
                percent >= e - th.on_track_tolerance,
                percent >= e - th.critical_gap,
            ],
            [cat[Category.ACHIEVED], cat[Category.ON_TRACK], cat[Category.BEHIND]],
            cat[Category.CRITICAL],
        )
        category = np.select(
            [
                not_measurable,
                is_calc | is_assessed,
                is_ingen & (has_a | ~status_empty),
            ],
            [cat[Category.NOT_MEASURABLE], by_percent, cat[Category.NO_TARGET]],
            cat[Category.NO_STATUS],
        )

        # Flags
        d = th.discrepancy_points
        has_sh = ~np.isnan(sh)
        compare = is_calc & ~np.isnan(sl)
        minimum = _map_strings(frame["obs_stated_text"], _is_minimum, bool, where=compare)
        flag_kind = np.select(
            [
                compare & minimum & (percent < sl - d),
                compare & ~minimum & has_sh & ((percent < sl - d) | (percent > sh + d)),
                compare & ~minimum & ~has_sh & (np.abs(percent - sl) > d),
                no_data_candidate & status_empty,
            ],
            [1, 2, 3, 4],
            0,
        )

    # Forecast
    forecast_target = np.where(is_calc | is_no_value, t, np.nan)
    forecast_year, forecast_kind = _batch_forecast(
        frame["history"], forecast_target, decrease, target_days, has_target_date
    )
    forecast_text = np.full(n, "", dtype=object)
    with_forecast = np.flatnonzero(forecast_kind)
    if len(with_forecast):
        # Few distinct (kind, year, target year): build each text once. Years are < 10 000.
        year_key = np.where(np.isnan(forecast_year), 0, forecast_year).astype(np.int64)
        keys = (forecast_kind * 10_000 + year_key) * 10_000 + target_year
        codes, uniques = pd.factorize(keys[with_forecast])
        texts = [
            _forecast_text(
                _FORECAST_KINDS[k // 100_000_000], (k // 10_000) % 10_000 or None, k % 10_000
            )
            for k in map(int, uniques)
        ]
        forecast_text[with_forecast] = np.array(texts, dtype=object)[codes]

    year_valid = ~np.isnan(forecast_year)
    stated_text = frame["obs_stated_text"].to_numpy(dtype=object, na_value="")
    # Only the keys, the objects result_from_row needs and the results: the inputs are in
    # `frame`, and every extra column costs each consumer that iterates rows (itertuples
    # over 49 columns took 2.5 times as long as over these 27).
    return frame[list(OUTPUT_KEY_COLUMNS)].assign(
        percent=percent,
        percent_high=percent_high,
        basis=pd.Categorical.from_codes(basis, categories=_BASES),
        expected_value=expected_value,
        expected_percent=expected_percent,
        category=pd.Categorical.from_codes(category, categories=[str(c) for c in _CATEGORIES]),
        baseline=b,
        target=t,
        target_high=t_high,
        actual=a,
        stated_low=sl,
        stated_high=sh,
        stated_text=np.where(has_obs, stated_text, ""),
        stated_is_estimate=has_obs & flag("obs_stated_is_estimate"),
        flagged=flag_kind > 0,
        forecast_year=pd.arrays.IntegerArray(
            np.where(year_valid, forecast_year, 0).astype(np.int64), ~year_valid
        ),
        forecast_text=forecast_text,
        rule=pd.Categorical.from_codes(rule, categories=_RULES),
        flag_kind=pd.Categorical.from_codes(flag_kind, categories=_FLAG_KINDS),
        thr_on_track_tolerance=np.full(n, float(th.on_track_tolerance)),
        thr_critical_gap=np.full(n, float(th.critical_gap)),
        thr_discrepancy_points=np.full(n, float(th.discrepancy_points)),
    )


def _to_date(x: Any) -> date | None:
    if x is None or x is pd.NaT or (isinstance(x, float) and math.isnan(x)):
        return None
    if isinstance(x, np.datetime64):
        if np.isnat(x):
            return None
        x = pd.Timestamp(x)
    if isinstance(x, datetime):  # pd.Timestamp included; a datetime is also a date
        return x.date()
    return x


def result_from_row(row: Any) -> Result:
    """The :class:`Result` of one output row of :func:`attainment_batch`.

    ``row`` may be a Series (``frame.iloc[i]``), a mapping, or a namedtuple from
    ``itertuples()``. Numbers, category, flag and forecast are taken from the row as the
    batch computed them; formula, explanation and flag reason are built from the row's
    spec and observation with the scalar path's own helpers, so the Result equals
    ``attainment(...)`` field for field.
    """
    # A namedtuple from itertuples() has attributes; a Series or a mapping has items.
    get: Callable[[str], Any] = row.__getattribute__ if hasattr(row, "_fields") else row.__getitem__
    spec, latest = get("spec"), get("observation")
    as_of = _to_date(get("as_of"))
    assert as_of is not None  # nosec B101
    thresholds = Thresholds(
        on_track_tolerance=float(get("thr_on_track_tolerance")),
        critical_gap=float(get("thr_critical_gap")),
        discrepancy_points=float(get("thr_discrepancy_points")),
    )
    phases = _valid_phases(spec)
    _, _, years = _targets(spec, phases)
    b = float(get("baseline"))
    t, t_high, a = _num(get("target")), _num(get("target_high")), _num(get("actual"))
    percent, percent_high = _num(get("percent")), _num(get("percent_high"))
    stated_low, stated_high = _num(get("stated_low")), _num(get("stated_high"))
    stated_text = str(get("stated_text"))
    rule = str(get("rule"))
    computable = not spec.qualitative and t is not None and t != b
    assessment = "" if latest is None else (latest.assessment or "")
    forecast_year = get("forecast_year")
    return Result(
        target_id=spec.target_id,
        percent=percent,
        percent_high=percent_high,
        basis=str(get("basis")),
        expected_value=_num(get("expected_value")),
        expected_percent=_num(get("expected_percent")),
        category=Category(str(get("category"))),
        baseline=b,
        target=t,
        target_high=t_high,
        actual=a,
        stated_low=stated_low,
        stated_high=stated_high,
        stated_text=stated_text,
        stated_is_estimate=bool(get("stated_is_estimate")),
        flagged=bool(get("flagged")),
        flag_reason=_flag_reason(
            str(get("flag_kind")),
            percent,
            stated_low,
            stated_high,
            stated_text,
            thresholds.discrepancy_points,
        ),
        forecast_year=None if pd.isna(forecast_year) else int(forecast_year),
        forecast_text=str(get("forecast_text")),
        formula=_formula(
            rule, spec, phases, years, b, t, t_high, a, percent, percent_high, assessment
        ),
        explanation=_explanation(
            rule,
            spec,
            phases,
            years,
            latest,
            as_of,
            b,
            t,
            t_high,
            a,
            computable,
            len(get("history")),
            thresholds,
        ),
    )


# Result fields that :func:`result_columns` returns, in :class:`Result`'s order.
RESULT_COLUMNS = tuple(f for f in Result.__dataclass_fields__ if f != "target_id")


def _floats_or_none(values: np.ndarray) -> list[float | None]:
    """A float column as a list, NaN → None (what ``_num`` does one value at a time)."""
    out: list[float | None] = values.astype(np.float64).tolist()
    for i in np.flatnonzero(np.isnan(values)).tolist():
        out[i] = None
    return out


def result_columns(out: pd.DataFrame) -> dict[str, list]:
    """Every :class:`Result` field of every output row of :func:`attainment_batch`, by column.

    Column ``name``'s ``i``-th value equals ``result_from_row(out.iloc[i]).name`` (the
    category as its string): the numbers are the batch's, and the texts are built with the
    same helpers as :func:`result_from_row`. This is the recomputation's path: it reads the
    frame column by column instead of building a :class:`Result` per row, and it derives
    what depends on the target alone (its phases, years and the target's part of the
    explanation) once per target rather than once per round.
    """
    n = len(out)
    if n == 0:
        return {name: [] for name in RESULT_COLUMNS}
    percent = _floats_or_none(out["percent"].to_numpy(dtype=np.float64))
    percent_high = _floats_or_none(out["percent_high"].to_numpy(dtype=np.float64))
    b = out["baseline"].to_numpy(dtype=np.float64).tolist()
    t = _floats_or_none(out["target"].to_numpy(dtype=np.float64))
    t_high = _floats_or_none(out["target_high"].to_numpy(dtype=np.float64))
    a = _floats_or_none(out["actual"].to_numpy(dtype=np.float64))
    stated_low = _floats_or_none(out["stated_low"].to_numpy(dtype=np.float64))
    stated_high = _floats_or_none(out["stated_high"].to_numpy(dtype=np.float64))
    stated_text = [str(x) for x in out["stated_text"].tolist()]
    rules = out["rule"].astype(str).tolist()
    flag_kinds = out["flag_kind"].astype(str).tolist()
    specs = out["spec"].tolist()
    latests = out["observation"].tolist()
    n_history = [len(h) for h in out["history"].tolist()]
    as_of_days = _days(out["as_of"])[0].tolist()
    thresholds = Thresholds(
        on_track_tolerance=float(out["thr_on_track_tolerance"].iat[0]),
        critical_gap=float(out["thr_critical_gap"].iat[0]),
        discrepancy_points=float(out["thr_discrepancy_points"].iat[0]),
    )
    forecast_year = out["forecast_year"]
    years_out = [
        None if missing else int(y)
        for y, missing in zip(
            forecast_year.to_numpy(dtype=np.float64, na_value=np.nan).tolist(),
            forecast_year.isna().tolist(),
            strict=True,
        )
    ]

    # What depends on the target alone, once per distinct spec object.
    per_spec: dict[int, tuple[list[tuple[int, float]], int | None, dict, bool]] = {}
    iso_cache: dict[int, str] = {}

    def iso(day: int) -> str:
        text = iso_cache.get(day)
        if text is None:
            text = iso_cache[day] = date.fromordinal(day + _EPOCH_ORDINAL).isoformat()
        return text

    formulas: list[str] = []
    reasons: list[str] = []
    explanations: list[dict] = []
    d = thresholds.discrepancy_points
    for i in range(n):
        spec = specs[i]
        known = per_spec.get(id(spec))
        if known is None:
            phases = _valid_phases(spec)
            years = _targets(spec, phases)[2]
            # The keys of _explanation that depend on the spec alone (same values).
            shared = _explanation(
                "",
                spec,
                phases,
                years,
                None,
                date.min,
                0.0,
                None,
                None,
                None,
                False,
                0,
                thresholds,
            )
            for key in _ROW_EXPLANATION_KEYS:
                del shared[key]
            known = per_spec[id(spec)] = (
                phases,
                years,
                shared,
                spec.start_date is not None and spec.target_date is not None,
            )
        phases, years, shared, dates_known = known
        latest = latests[i]
        assessment = "" if latest is None else (latest.assessment or "")
        rule = rules[i]
        ti, bi = t[i], b[i]
        computable = not spec.qualitative and ti is not None and ti != bi
        kind = flag_kinds[i]
        reasons.append(
            _flag_reason(kind, percent[i], stated_low[i], stated_high[i], stated_text[i], d)
            if kind
            else ""
        )
        formulas.append(
            _formula(
                rule,
                spec,
                phases,
                years,
                bi,
                ti,
                t_high[i],
                a[i],
                percent[i],
                percent_high[i],
                assessment,
            )
        )
        expected_rule = _expected_rule(computable, phases, years, dates_known)
        explanation = dict(shared)
        explanation["rule"] = rule
        explanation["B"] = bi
        explanation["T"] = ti
        explanation["T_high"] = t_high[i]
        explanation["A"] = a[i]
        explanation["assessment"] = assessment
        explanation["as_of"] = iso(as_of_days[i])
        explanation["observation_as_of"] = None if latest is None else _iso(latest.as_of)
        explanation["expected_rule"] = expected_rule
        explanation["history_points"] = n_history[i]
        explanations.append(explanation)

    return {
        "percent": percent,
        "percent_high": percent_high,
        "basis": out["basis"].astype(str).tolist(),
        "expected_value": _floats_or_none(out["expected_value"].to_numpy(dtype=np.float64)),
        "expected_percent": _floats_or_none(out["expected_percent"].to_numpy(dtype=np.float64)),
        "category": out["category"].astype(str).tolist(),
        "baseline": b,
        "target": t,
        "target_high": t_high,
        "actual": a,
        "stated_low": stated_low,
        "stated_high": stated_high,
        "stated_text": stated_text,
        "stated_is_estimate": out["stated_is_estimate"].to_numpy(dtype=bool).tolist(),
        "flagged": out["flagged"].to_numpy(dtype=bool).tolist(),
        "flag_reason": reasons,
        "forecast_year": years_out,
        "forecast_text": [str(x) for x in out["forecast_text"].tolist()],
        "formula": formulas,
        "explanation": explanations,
    }


# The keys of _explanation's dict that vary from round to round of the same target.
_ROW_EXPLANATION_KEYS = (
    "rule",
    "B",
    "T",
    "T_high",
    "A",
    "assessment",
    "as_of",
    "observation_as_of",
    "expected_rule",
    "history_points",
)
