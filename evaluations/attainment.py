"""Goal attainment (*målopnåelse*): the pure engine (DOMAIN.md, "Goal attainment").

Plain values in, plain values out: no Django, no ORM. Every rule is written once, in
:func:`attainment_batch`, vectorised with numpy over the frame that :func:`specs_to_frame`
builds; :func:`result_columns` turns its output into every :class:`Result` field (the
texts with the helpers below), and :func:`attainment` is the same code for one target.

Notation: B baseline, T target (the headline end of a range), A actual, E expected value.

The rules, in the order they are decided (docs/attainment-rules.md has a worked example of
each shape):

- **B** is the midpoint of a baseline range, the one baseline given, else 0 — except for a
  decrease, where no baseline makes the target a *ceiling* (below).
- **T**:
  - phases are changes from the baseline in the target's direction (stored non-negative):
    T = B + Σ phases for an increase, T = B − Σ phases for a decrease;
  - a per-year rate (basis "pr_aar") is such a change a year: cumulative, T = B ± rate ×
    calendar years of the period; not cumulative, each year's figure is compared with that
    year's amount, T = B ± rate (a range of rates is lenient at its low end);
  - otherwise T is the target given; a range's headline is its *lenient* end, the end
    nearer the baseline (the low end of an increase, the high end of a decrease), and the
    other end is the *stretch* figure (``target_high`` / ``percent_high``).
- **Percent**: increase (A − B) / (T − B) × 100; decrease (B − A) / (B − T) × 100. Raw
  values are kept (375 %, negative). No percent when T is missing or equals B.
- **Ceiling**: a decrease with no baseline ("max. 1.750") is *Opnået* when A ≤ T and
  *Ikke opnået* otherwise, with the distance in units; it never gets a percentage.
- **Expected attainment** at the date, 0 % at the start date and exactly 100 % at the
  target date for every shape: phases due (a year's phase is due on its 31 December) /
  Σ phases; complete years / years for a cumulative rate; the share of the current year
  gone for a yearly rate that is not cumulative; the share of the period gone otherwise.
- **Category** of a percent p with expected e (100 without a time path): *Opnået* when
  p ≥ 100; *På sporet* when p ≥ e × on_track_share / 100; *Bagud* when p ≥ e ×
  critical_share / 100; else *Kritisk*. A ratio, not points: 3 of 60 due is *Kritisk*.
- **No computed percent**: an assessment (opnaaet / delvist / ikke_opnaaet) gives 100 /
  50 / 0, basis "vurderet"; else a stated figure gives the category from what is stated,
  basis "angivet" (≥ 100 *Opnået*, ≤ 0 *Ikke opnået*, between *Delvist opnået*); else a
  value or status text without a target is *Intet måltal*, a status text without a value
  is *Kun statustekst*, and nothing at all is *Ingen status*. Not measurable is *Ikke
  målbart*. None of these is ever counted as 0.
- **Flag** (d = discrepancy_points): a computed or assessed p against a stated figure:
  "+N %" flags p < N − d, a range [lo, hi] flags p outside [lo − d, hi + d], a single s
  flags |p − s| > d; a stated figure (0 included) with no value, no assessment and an
  empty status ("" or "-") is flagged as having no data behind it.
- **Averages** (:func:`mean_capped`) cap each percent at 100 and floor it at 0.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import chain
from typing import Any, cast

import numpy as np
import pandas as pd

ENGINE_VERSION = "2.0"


class Category(StrEnum):
    """Status category; the values are the Danish labels shown to users."""

    ACHIEVED = "Opnået"
    ON_TRACK = "På sporet"
    BEHIND = "Bagud"
    CRITICAL = "Kritisk"
    PARTLY = "Delvist opnået"  # only from a stated figure
    NOT_ACHIEVED = "Ikke opnået"  # a ceiling exceeded, or a stated figure of 0
    NOT_MEASURABLE = "Ikke målbart"
    TEXT_ONLY = "Kun statustekst"
    NO_STATUS = "Ingen status"
    NO_TARGET = "Intet måltal"


@dataclass(frozen=True)
class Thresholds:
    """The category thresholds (settings) and the flag tolerance.

    on_track_share and critical_share are percentages *of the expected attainment*:
    with the defaults a target is *På sporet* from 90 % of what was expected by then, and
    *Kritisk* below 50 % of it.
    """

    on_track_share: float = 90.0
    critical_share: float = 50.0
    discrepancy_points: float = 5.0  # stated vs computed difference that raises a flag

    def __post_init__(self) -> None:
        if not 0.0 <= self.critical_share <= self.on_track_share <= 100.0:
            raise ValueError(
                "Tærsklerne skal opfylde 0 ≤ kritisk andel ≤ på sporet-andel ≤ 100 "
                f"(fik {self.critical_share} og {self.on_track_share})"
            )
        if not self.discrepancy_points >= 0.0:
            raise ValueError(f"Afvigelsestærsklen skal være ≥ 0 (fik {self.discrepancy_points})")


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
    percent: float | None  # headline (against the lenient end); raw, may be >100 or <0
    percent_high: float | None  # against the stretch end of a range, else None
    basis: str  # "beregnet" | "vurderet" | "angivet" | "ingen"
    expected_value: float | None
    expected_percent: float | None
    category: Category
    baseline: float | None  # B used (midpoint of a baseline range, 0 if none given)
    target: float | None  # T used: the headline (lenient) end
    target_high: float | None  # the stretch end of a range
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
# The batch applies these to each distinct string (via factorize), and the texts use the
# same functions, so a text can never disagree with the number it explains.

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
    """The report's own wording where it gives one (for flag reasons), else the figure."""
    return text.strip() or stated_label(low, high)


def stated_label(
    low: float | None, high: float | None, text: str = "", estimate: bool = False
) -> str:
    """A stated attainment figure in Danish notation, e.g. "0 %", "+100 %", "1–2 %",
    "50–70 % (skøn)"; the report's own wording when it gives no figure ("" for none)."""
    if low is None:
        return (text or "").strip()
    if high is not None:
        label = f"{_fmt(low)}–{_fmt(high)} %"
    else:
        label = f"{'+' if _is_minimum(text) else ''}{_fmt(low)} %"
    return f"{label} (skøn)" if estimate else label


def _flag_reason(
    kind: str, p: float | None, low: float | None, high: float | None, text: str, d: float
) -> str:
    if kind == "no_data":
        return _NO_DATA_REASON
    if not kind:
        return ""
    # A flag of a kind has both a figure and a stated one.
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
    "kun_tekst": "Kun statustekst indberettet, intet tal – ingen procent",
}


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


@dataclass(frozen=True)
class _Shape:
    """What the texts need to know about a target's shape (once per target)."""

    decrease: bool
    ceiling: bool
    phases: tuple[tuple[int, float], ...]  # the phases with a value
    per_year: bool
    cumulative_rate: bool  # a per-year rate compared as a running total
    rate: float | None  # the headline per-year rate
    rate_stretch: float | None
    years: int | None  # calendar years of the period (for a cumulative rate)
    dates_known: bool


def _shape(spec: TargetSpec) -> _Shape:
    """The shape of a target as the batch reads it (the same predicates and choices)."""
    decrease = _is_decrease(spec.direction)
    phases = tuple((int(y), v) for y, v0 in spec.phases if (v := _num(v0)) is not None)
    low, high = _num(spec.target_low), _num(spec.target_high)
    has_baseline = _num(spec.baseline_low) is not None or _num(spec.baseline_high) is not None
    per_year = _is_per_year(spec.basis) and not phases
    dates_known = spec.start_date is not None and spec.target_date is not None
    years = None
    if dates_known:
        assert spec.start_date is not None and spec.target_date is not None  # nosec B101
        span = spec.target_date.year - spec.start_date.year + 1
        years = span if span >= 1 else None
    cumulative_rate = per_year and spec.cumulative
    return _Shape(
        decrease=decrease,
        ceiling=decrease and not has_baseline and not spec.qualitative,
        phases=phases,
        per_year=per_year,
        cumulative_rate=cumulative_rate,
        rate=(low if low is not None else high) if per_year else None,
        rate_stretch=high if per_year and low is not None else None,
        years=years if cumulative_rate else None,
        dates_known=dates_known,
    )


def _expected_rule(shape: _Shape, rule: str, computable: bool) -> str | None:
    """How the expected value at a date is found: by phases, a yearly rate (cumulative or
    year by year), linearly, or (with no computed percentage) the share of the period gone;
    None if it cannot be (no dates, or a ceiling, which is met or not)."""
    if rule == "loft" or (shape.ceiling and computable):
        return None
    if not computable:
        return "tidsandel" if shape.dates_known else None
    if shape.phases:
        return "faser"
    if shape.cumulative_rate:
        return "pr_aar"
    if shape.per_year:
        return "pr_aar_enkeltaar" if shape.dates_known else None
    return "lineaer" if shape.dates_known else None


def _target_text(shape: _Shape, spec: TargetSpec, b: float, t: float | None) -> list[str]:
    """The B and T parts of a formula. Phases and rates are changes from B in the target's
    direction: added for an increase, subtracted for a decrease."""
    parts = []
    low, high = _num(spec.baseline_low), _num(spec.baseline_high)
    if low is not None and high is not None:
        parts.append(f"B = ({_fmt(low)} + {_fmt(high)}) / 2 = {_fmt(b)}")
    if t is None:
        return parts
    sign = " − " if shape.decrease else " + "
    # "T = 30 + 80 = 110" with no baseline; "T = 70 + 30 + 80 = 180", "T = 100 − 30 = 70".
    start = f"{_fmt(b)}{sign}" if b != 0 or shape.decrease else ""
    if shape.phases:
        parts.append(f"T = {start}{sign.join(_fmt(v) for _, v in shape.phases)} = {_fmt(t)}")
    elif shape.cumulative_rate and shape.rate is not None:
        parts.append(f"T = {start}{_fmt(shape.rate)} × {shape.years} år = {_fmt(t)}")
    elif shape.per_year and shape.rate is not None:
        total = f" = {_fmt(t)}" if start else ""
        parts.append(
            f"T = {start}{_fmt(shape.rate)}{total} pr. år "
            "(årets tal mod årets mål, ikke kumulativt)"
        )
    return parts


def _formula(
    rule: str,
    spec: TargetSpec,
    shape: _Shape,
    b: float,
    t: float | None,
    t_high: float | None,
    a: float | None,
    percent: float | None,
    percent_high: float | None,
    latest: Observation | None,
    target_parts: list[str] | None = None,
) -> str:
    """The formula with the numbers filled in. ``target_parts`` are the B and T parts
    (:func:`_target_text`), which depend on the target alone: pass them when known."""
    if rule in _RULE_TEXT:
        return _RULE_TEXT[rule]
    if rule == "vurderet":
        assert percent is not None and latest is not None  # nosec B101
        return f"Vurderet: {_ASSESSMENT_LABEL[latest.assessment]} = {_fmt(percent)} %"
    if rule == "angivet":
        assert latest is not None  # nosec B101
        stated = stated_label(
            _num(latest.stated_low),
            _num(latest.stated_high),
            latest.stated_text,
            latest.stated_is_estimate,
        )
        text = (
            ""
            if _status_empty(latest.status_text)
            else f" (status: »{latest.status_text.strip()}«)"
        )
        return (
            f"Angivet i rapporten: {stated}{text} – ingen beregnet procent; "
            "kategorien følger det angivne"
        )
    if rule == "maaltal_lig_baseline":
        return f"Måltal lig basis (T = B = {_fmt(b)}) – ingen beregnet procent"
    parts = list(_target_text(shape, spec, b, t) if target_parts is None else target_parts)
    if rule == "ingen_vaerdi":
        parts.append("ingen faktisk værdi indberettet – ingen procent")
        return "; ".join(parts)
    assert a is not None and t is not None  # nosec B101
    if rule == "loft":
        distance = a - t
        if distance <= 0:
            verdict = f"A = {_fmt(a)} ≤ T = {_fmt(t)}: opnået, {_fmt(-distance)} under loftet"
        else:
            verdict = f"A = {_fmt(a)} > T = {_fmt(t)}: ikke opnået, {_fmt(distance)} over loftet"
        parts.insert(0, "Loft (faldende mål uden basis) – ingen procent")
        parts.append(verdict)
        if t_high is not None:
            parts.append(f"strækmål {_fmt(t_high)}: {'nået' if a <= t_high else 'ikke nået'}")
        return "; ".join(parts)
    assert percent is not None  # nosec B101

    def one(target: float, p: float) -> str:
        if rule == "fald":
            return f"({_fmt(b)} − {_fmt(a)}) / ({_fmt(b)} − {_fmt(target)}) × 100 = {_fmt(p)} %"
        return f"({_fmt(a)} − {_fmt(b)}) / ({_fmt(target)} − {_fmt(b)}) × 100 = {_fmt(p)} %"

    parts.append(one(t, percent))
    if t_high is not None and percent_high is not None:
        parts.append(f"strækmål {_fmt(t_high)}: {one(t_high, percent_high)}")
    return "; ".join(parts)


def _explanation_shared(spec: TargetSpec, shape: _Shape, th: Thresholds) -> dict:
    """The keys of a result's explanation that depend on the target alone."""
    return {
        "engine_version": ENGINE_VERSION,
        "direction": spec.direction,
        "target_basis": spec.basis,
        "qualitative": spec.qualitative,
        "measurable": spec.measurable,
        "cumulative": spec.cumulative,
        "baseline_low": _num(spec.baseline_low),
        "baseline_high": _num(spec.baseline_high),
        "target_low": _num(spec.target_low),
        "target_high": _num(spec.target_high),
        # Which end of a range the headline is against (a rate: the smaller change).
        "headline_end": (
            "høj"
            if shape.decrease and not shape.per_year and _num(spec.target_high) is not None
            else "lav"
        ),
        "years": shape.years,
        "phases": [[y, v] for y, v in shape.phases],
        "start": _iso(spec.start_date),
        "target_date": _iso(spec.target_date),
        "thresholds": {
            "on_track_share": float(th.on_track_share),
            "critical_share": float(th.critical_share),
            "discrepancy_points": float(th.discrepancy_points),
        },
    }


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

_BASES = ("beregnet", "vurderet", "angivet", "ingen")
_CATEGORIES = tuple(Category)
_RULES = (
    "ingen_status",
    "ikke_maalbart",
    "loft",
    "stigning",
    "fald",
    "vurderet",
    "angivet",
    "kvalitativ",
    "intet_maaltal",
    "maaltal_lig_baseline",
    "kun_tekst",
    "ingen_vaerdi",
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
    items: Sequence[
        tuple[TargetSpec, Observation | None, date, Sequence[tuple[date, float | None]]]
    ],
) -> pd.DataFrame:
    """The frame :func:`attainment_batch` reads: one row per (spec, latest, as_of, history).

    Columns are ``INPUT_COLUMNS`` (see the layout comment above). None becomes NaN/NaT;
    phases and history are kept as given (the batch drops points without a value and
    sorts each history by date).
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

    toordinal() per date rather than numpy's own conversion of date objects
    (``np.array(dates, dtype="datetime64[D]")``), which is much slower on object arrays.
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
    """(year, fractional year, is 31 December) of day numbers.

    The fractional year is year + (day of year − 1) / days in that year.

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
    """Σ of each row left to right from 0.0 (masked entries: 0), so a phase total and
    the sum of all its due phases are the same float, and the share due is exactly 1.

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
    """The forecast of every row (formula and edge cases: :func:`forecast`): (year as float,
    NaN for none; kind code) per row."""
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
    # Each history is sorted by date, stably (skipped when the histories already are in
    # date order, as they usually are).
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
    """Goal attainment of every row of a :func:`specs_to_frame` frame: the one
    implementation of the rules in the module docstring.

    Each row is a target at an evaluation date (``as_of``) with its latest approved status
    (``observation``, None for none) and the history of values for the forecast. Returns
    a new frame, same index: ``OUTPUT_KEY_COLUMNS`` plus the result columns listed in the
    layout comment above; :func:`result_columns` turns it into :class:`Result` fields.

    Edge cases: phases without a value are skipped; a per-year rate with a cumulative
    running total needs both dates (no total otherwise); without both dates there is no
    expected attainment, and a percent is compared with 100; a start date on or after the
    target date makes the expected attainment 0 before the target date and 100 from it.
    """
    n = len(frame)
    th = thresholds

    def f64(name: str) -> np.ndarray:
        return frame[name].to_numpy(dtype=np.float64, na_value=np.nan)

    def flag(name: str) -> np.ndarray:
        return frame[name].to_numpy(dtype=bool)

    decrease = _map_strings(frame["spec_direction"], _is_decrease, bool)
    qualitative = flag("spec_qualitative")
    as_of_days, _ = _days(frame["as_of"])
    as_of_year, _, as_of_dec31 = _calendar(as_of_days)
    start_days, has_start = _days(frame["spec_start_date"])
    target_days, has_target_date = _days(frame["spec_target_date"])
    start_year, _, _ = _calendar(start_days)
    target_year, _, _ = _calendar(target_days)
    dates_known = has_start & has_target_date
    # The period's ends, as the expected attainment sees them: nothing is due on or before
    # the start date, everything from the target date on (checked in this order, so a
    # period of no length is 100 % from its target date).
    at_end = dates_known & (as_of_days >= target_days)
    at_start = dates_known & ~at_end & (as_of_days <= start_days)

    with np.errstate(all="ignore"):  # rows that divide by zero are the ones masked out
        # B
        bl, bh = f64("spec_baseline_low"), f64("spec_baseline_high")
        has_bl, has_bh = ~np.isnan(bl), ~np.isnan(bh)
        has_baseline = has_bl | has_bh
        b = np.where(
            has_bl & has_bh, (bl + bh) / 2, np.where(has_bl, bl, np.where(has_bh, bh, 0.0))
        )

        # The target's ends: the lenient one (nearer the baseline) is the headline.
        tl, th_ = f64("spec_target_low"), f64("spec_target_high")
        has_tl, has_th = ~np.isnan(tl), ~np.isnan(th_)
        lenient = np.where(decrease, np.where(has_th, th_, tl), np.where(has_tl, tl, th_))
        stretch = np.where(has_tl & has_th, np.where(decrease, tl, th_), np.nan)
        # Phases and yearly rates are amounts of change from B in the target's direction
        # (stored non-negative): added for an increase, subtracted for a decrease.
        sign = np.where(decrease, -1.0, 1.0)

        # Phases, each due on 31 December of its year.
        phase_row, phase_year, phase_value = _flatten(
            frame["phases"].to_numpy(dtype=object), dates=False
        )
        valid = ~np.isnan(phase_value)
        phase_years, phase_values, phase_mask = _left_aligned(
            phase_row[valid], n, phase_year[valid], phase_value[valid]
        )
        has_phases = phase_mask.any(axis=1)
        phase_total = _running_sum(phase_values)
        # A phase is due once its year has ended (31 December counts as ended).
        due_until = as_of_year + as_of_dec31
        due_mask = phase_mask & (
            at_end[:, None] | (~at_start[:, None] & (phase_years < due_until[:, None]))
        )
        phase_due = _running_sum(phase_values, due_mask)

        # A per-year rate: a change a year, as a running total or year by year. A range of
        # rates is lenient at its smaller change, the low end, in either direction.
        rate = np.where(has_tl, tl, th_)
        rate_stretch = np.where(has_tl & has_th, th_, np.nan)
        per_year = _map_strings(frame["spec_basis"], _is_per_year, bool) & ~has_phases
        cumulative_rate = per_year & flag("spec_cumulative")
        single_year = per_year & ~cumulative_rate
        years = target_year - start_year + 1
        years_ok = dates_known & (years >= 1)

        t = np.where(
            has_phases,
            b + sign * phase_total,
            np.where(
                cumulative_rate,
                np.where(years_ok, b + sign * rate * years, np.nan),
                np.where(single_year, b + sign * rate, lenient),
            ),
        )
        t_high = np.where(
            has_phases,
            np.nan,
            np.where(
                cumulative_rate,
                np.where(years_ok, b + sign * rate_stretch * years, np.nan),
                np.where(single_year, b + sign * rate_stretch, stretch),
            ),
        )
        has_t = ~np.isnan(t)
        ceiling = decrease & ~has_baseline & ~qualitative & has_t
        computable = ~qualitative & has_t & (t != b) & ~ceiling

        def pct(x: np.ndarray, target: np.ndarray) -> np.ndarray:
            return np.where(
                decrease, (b - x) / (b - target) * 100.0, (x - b) / (target - b) * 100.0
            )

        # Expected attainment: a share of what is due by the end, exactly 0 at the start
        # and 1 at the target date (never B + E recomputed, which rounding could move).
        total_days = target_days - start_days
        period_share = np.where(
            at_end,
            1.0,
            np.where(
                at_start,
                0.0,
                np.minimum(np.maximum((as_of_days - start_days) / total_days, 0.0), 1.0),
            ),
        )
        complete = np.where(
            at_end,
            years,
            np.where(at_start, 0, np.clip(as_of_year - start_year + as_of_dec31, 0, years)),
        )
        # The current year's share, within the period, for a rate compared year by year
        # (computed only when a frame has such a rate: few do).
        year_share = np.zeros(n)
        if single_year.any():
            year_share = _year_share(
                as_of_days, as_of_year, start_days, target_days, at_start, at_end
            )
        share = np.select(
            [has_phases, cumulative_rate, single_year],
            [phase_due / phase_total, complete / years, year_share],
            period_share,
        )
        share_known = has_phases | dates_known
        expected_percent = np.where(
            computable & share_known,
            share * 100.0,
            np.where(~computable & ~ceiling & dates_known, period_share * 100.0, np.nan),
        )
        expected_value = np.where(
            computable & share_known,
            np.select(
                [has_phases, cumulative_rate, single_year],
                [
                    b + sign * phase_due,
                    b + sign * rate * complete,
                    b + sign * rate * year_share,
                ],
                b + period_share * (t - b),
            ),
            np.nan,
        )

        # What the status says.
        has_obs = flag("has_obs")
        a = np.where(has_obs, f64("obs_value"), np.nan)
        has_a = ~np.isnan(a)
        assessed_percent = _map_strings(
            frame["obs_assessment"], lambda s: _ASSESSED_PERCENT.get(s, np.nan), np.float64
        )
        assessed = has_obs & ~np.isnan(assessed_percent)
        sl = np.where(has_obs, f64("obs_stated_low"), np.nan)
        sh = np.where(has_obs, f64("obs_stated_high"), np.nan)
        has_sl, has_sh = ~np.isnan(sl), ~np.isnan(sh)
        not_measurable = has_obs & (~flag("spec_measurable") | flag("obs_not_measurable"))
        rest = has_obs & ~not_measurable
        is_ceiling = rest & ceiling & has_a
        is_calc = rest & computable & has_a
        is_assessed = rest & ~computable & ~ceiling & assessed
        is_stated = rest & ~is_ceiling & ~is_calc & ~is_assessed & has_sl
        undecided = rest & ~is_ceiling & ~is_calc & ~is_assessed & ~is_stated
        no_data_candidate = has_obs & has_sl & ~has_a & ~assessed
        status_empty = _map_strings(
            frame["obs_status_text"],
            _status_empty,
            bool,
            where=undecided | no_data_candidate,
        )
        targeted = computable | ceiling
        rule = np.select(
            [
                ~has_obs,
                not_measurable,
                is_ceiling,
                is_calc & decrease,
                is_calc,
                is_assessed,
                is_stated,
                undecided & ~targeted & qualitative,
                undecided & ~targeted & ~has_t,
                undecided & ~targeted,
                undecided & ~status_empty,
            ],
            [
                _RULES.index(name)
                for name in (
                    "ingen_status",
                    "ikke_maalbart",
                    "loft",
                    "fald",
                    "stigning",
                    "vurderet",
                    "angivet",
                    "kvalitativ",
                    "intet_maaltal",
                    "maaltal_lig_baseline",
                    "kun_tekst",
                )
            ],
            _RULES.index("ingen_vaerdi"),
        )
        percent = np.where(is_calc, pct(a, t), np.where(is_assessed, assessed_percent, np.nan))
        percent_high = np.where(is_calc & ~np.isnan(t_high) & (t_high != b), pct(a, t_high), np.nan)
        basis = np.select(
            [is_calc | is_ceiling, is_assessed, is_stated],
            [_BASES.index("beregnet"), _BASES.index("vurderet"), _BASES.index("angivet")],
            _BASES.index("ingen"),
        )

        # Category. A percent against the expected attainment, as a ratio of it.
        cat = {c: _CATEGORIES.index(c) for c in _CATEGORIES}
        e = np.where(np.isnan(expected_percent), 100.0, expected_percent)
        by_percent = np.select(
            [
                percent >= 100.0,
                percent >= e * (th.on_track_share / 100.0),
                percent >= e * (th.critical_share / 100.0),
            ],
            [cat[Category.ACHIEVED], cat[Category.ON_TRACK], cat[Category.BEHIND]],
            cat[Category.CRITICAL],
        )
        minimum = _map_strings(frame["obs_stated_text"], _is_minimum, bool, where=has_obs & has_sl)
        # A stated figure read on the assessment scale: all of it, none of it, or between.
        stated_top = np.where(has_sh, sh, np.where(minimum, np.inf, sl))
        by_stated = np.select(
            [sl >= 100.0, stated_top <= 0.0],
            [cat[Category.ACHIEVED], cat[Category.NOT_ACHIEVED]],
            cat[Category.PARTLY],
        )
        category = np.select(
            [
                ~has_obs,
                not_measurable,
                is_ceiling,
                is_calc | is_assessed,
                is_stated,
                undecided & ~targeted & (has_a | ~status_empty),
                undecided & targeted & ~status_empty,
            ],
            [
                cat[Category.NO_STATUS],
                cat[Category.NOT_MEASURABLE],
                np.where(a <= t, cat[Category.ACHIEVED], cat[Category.NOT_ACHIEVED]),
                by_percent,
                by_stated,
                cat[Category.NO_TARGET],
                cat[Category.TEXT_ONLY],
            ],
            cat[Category.NO_STATUS],
        )

        # Flags: a figure against what a report stated, or a stated figure with no data.
        d = th.discrepancy_points
        compare = (is_calc | is_assessed) & has_sl
        flag_kind = np.select(
            [
                compare & minimum,
                compare & has_sh,
                compare,
                no_data_candidate & status_empty,
            ],
            [
                np.where(percent < sl - d, 1, 0),
                np.where((percent < sl - d) | (percent > sh + d), 2, 0),
                np.where(np.abs(percent - sl) > d, 3, 0),
                4,
            ],
            0,
        )

    # Forecast: when the trend reaches T, for a target followed as a level or running total.
    reportable = has_obs & ~not_measurable
    forecast_target = np.where(reportable & targeted & ~single_year, t, np.nan)
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
    # Only the keys, the objects result_columns needs and the results: the inputs are in
    # `frame`, and every extra column costs each consumer that iterates rows.
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
        thr_on_track_share=np.full(n, float(th.on_track_share)),
        thr_critical_share=np.full(n, float(th.critical_share)),
        thr_discrepancy_points=np.full(n, float(th.discrepancy_points)),
    )


def _year_share(
    as_of_days: np.ndarray,
    as_of_year: np.ndarray,
    start_days: np.ndarray,
    target_days: np.ndarray,
    at_start: np.ndarray,
    at_end: np.ndarray,
) -> np.ndarray:
    """The share of the as-of date's calendar year gone, within the target's period: 0 on
    the start date (or 1 January), 1 on 31 December (or the target date)."""
    jan1 = (as_of_year - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    year_start = np.maximum(jan1, start_days)
    year_end = np.minimum(jan1 + np.where(_leap(as_of_year), 365, 364), target_days)
    with np.errstate(all="ignore"):
        inside = np.clip((as_of_days - year_start) / (year_end - year_start), 0.0, 1.0)
    return np.where(
        at_end, 1.0, np.where(at_start, 0.0, np.where(year_end > year_start, inside, 1.0))
    )


def _leap(year: np.ndarray) -> np.ndarray:
    return (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))


def _days_as_dates(days: list[int]) -> list[str]:
    cache: dict[int, str] = {}
    out = []
    for day in days:
        text = cache.get(day)
        if text is None:
            text = cache[day] = date.fromordinal(day + _EPOCH_ORDINAL).isoformat()
        out.append(text)
    return out


# Result fields that :func:`result_columns` returns, in :class:`Result`'s order.
RESULT_COLUMNS = tuple(f for f in Result.__dataclass_fields__ if f != "target_id")


def _floats_or_none(values: np.ndarray) -> list[float | None]:
    """A float column as a list, NaN → None."""
    out: list[float | None] = values.astype(np.float64).tolist()
    for i in np.flatnonzero(np.isnan(values)).tolist():
        out[i] = None
    return out


def result_columns(out: pd.DataFrame) -> dict[str, list]:
    """Every :class:`Result` field of every output row of :func:`attainment_batch`, by column.

    The numbers are the batch's; the texts (formula, explanation, flag reason) are built
    here, with what depends on the target alone derived once per target rather than once
    per round. This is what the recomputation writes and what :func:`results` and
    :func:`attainment` return.
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
    as_of = _days_as_dates(_days(out["as_of"])[0].tolist())
    thresholds = Thresholds(
        on_track_share=float(out["thr_on_track_share"].iat[0]),
        critical_share=float(out["thr_critical_share"].iat[0]),
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

    # What depends on the target alone, once per distinct spec object: its shape, the
    # target's part of the explanation and the B and T parts of its formula (B and T are
    # the same in every round).
    per_spec: dict[int, tuple[_Shape, dict, list[str], dict[str, str | None]]] = {}
    formulas: list[str] = []
    reasons: list[str] = []
    explanations: list[dict] = []
    d = thresholds.discrepancy_points
    for i in range(n):
        spec = specs[i]
        known = per_spec.get(id(spec))
        if known is None:
            shape = _shape(spec)
            ti, bi = t[i], b[i]
            shared = _explanation_shared(spec, shape, thresholds)
            shared["ceiling"] = shape.ceiling and ti is not None
            shared["B"], shared["T"], shared["T_high"] = bi, ti, t_high[i]
            computable = not spec.qualitative and ti is not None and ti != bi and not shape.ceiling
            expected_rules = {r: _expected_rule(shape, r, computable) for r in _RULES}
            known = per_spec[id(spec)] = (
                shape,
                shared,
                _target_text(shape, spec, bi, ti),
                expected_rules,
            )
        shape, shared, target_parts, expected_rules = known
        latest = latests[i]
        rule = rules[i]
        ti, bi, ai = t[i], b[i], a[i]
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
                shape,
                bi,
                ti,
                t_high[i],
                ai,
                percent[i],
                percent_high[i],
                latest,
                target_parts,
            )
        )
        explanation = dict(shared)
        explanation["rule"] = rule
        explanation["A"] = ai
        explanation["distance"] = (
            ai - ti if rule == "loft" and ai is not None and ti is not None else None
        )
        explanation["assessment"] = "" if latest is None else (latest.assessment or "")
        explanation["as_of"] = as_of[i]
        explanation["observation_as_of"] = None if latest is None else _iso(latest.as_of)
        explanation["expected_rule"] = expected_rules[rule]
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


def results(out: pd.DataFrame) -> list[Result]:
    """The :class:`Result` of each output row of :func:`attainment_batch`, in order."""
    columns = result_columns(out)
    target_ids = out["target_id"].tolist()
    return [
        Result(
            target_id=int(target_ids[i]),
            # The keys are Result's fields, each column holding its field's type; mypy
            # would join the values' types into one and check every field against it.
            **cast(
                "dict[str, Any]",
                {
                    name: Category(columns[name][i]) if name == "category" else columns[name][i]
                    for name in RESULT_COLUMNS
                },
            ),
        )
        for i in range(len(out))
    ]


# --- One target --------------------------------------------------------------------------


def attainment(
    spec: TargetSpec,
    latest: Observation | None,
    *,
    as_of: date,
    history: Sequence[tuple[date, float | None]] = (),
    thresholds: Thresholds = Thresholds(),  # frozen, so one shared default is safe
) -> Result:
    """Goal attainment of one target at ``as_of`` from its latest approved status.

    The same code as the batch (a frame of one row): see the module docstring for the
    rules. ``latest.value`` is the running total for a cumulative count.
    """
    out = attainment_batch(specs_to_frame([(spec, latest, as_of, history)]), thresholds=thresholds)
    return results(out)[0]


def forecast(
    spec: TargetSpec,
    history: Sequence[tuple[date, float | None]],
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
    while the latest value has not reached T means "now at the earliest". This is the
    batch's own forecast, for one target.
    """
    history_series = pd.Series(_objects([tuple(history)]))
    target = np.array([np.nan if target_value is None else float(target_value)])
    target_days = _day_numbers([spec.target_date])
    year, kind = _batch_forecast(
        history_series,
        target,
        np.array([_is_decrease(spec.direction)]),
        np.where(target_days == _NAT, 0, target_days),
        np.array([spec.target_date is not None]),
    )
    kind_name = _FORECAST_KINDS[int(kind[0])]
    forecast_year = None if math.isnan(year[0]) else int(year[0])
    target_year = None if spec.target_date is None else spec.target_date.year
    return forecast_year, _forecast_text(kind_name, forecast_year, target_year)


def mean_capped(percents: Iterable[float | None]) -> tuple[float | None, int]:
    """Initiative/programme average: the mean of each percent capped at 100 and floored
    at 0, so one over-achiever cannot hide a target behind, nor one under its baseline
    drag the average below nothing. The raw values stay on the targets.

    None (and NaN) are skipped, never counted as 0. Returns ``(mean, count used)``;
    ``(None, 0)`` when nothing is left, so the count always travels with the mean.
    """
    total = 0.0
    count = 0
    for p in percents:
        if p is None or math.isnan(p):
            continue
        total += min(max(float(p), 0.0), 100.0)
        count += 1
    return (total / count if count else None), count
