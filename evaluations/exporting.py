"""Export a whole programme to XLSX, in the import template's layout (round trip).

Sheets ``Program``, ``Mål`` and ``Status`` can be imported again as they are; the
``Målopnåelse``, ``Scorer``, ``Indikatorer`` and ``Indikatorer – afstand`` sheets are for
reading (the import skips them). Text that a
spreadsheet could take for a formula (starting with =, +, - or @) is written with Excel's
text mark, an apostrophe, which the import removes again.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

from django.db.models import F
from openpyxl import Workbook
from openpyxl.styles import Font

from initiatives.importing import (
    FORMULA_START,
    PROGRAMME_COLUMNS,
    STATUS_COLUMNS,
    TARGET_COLUMNS,
    TARGET_FIELD_COLUMNS,
)
from initiatives.models import TARGET_FIELDS, Programme, StatusReport, StatusUpdate, Target
from jobvaekst.numbers import format_number

from .indicators import IndicatorRow, ordered_observations, programme_indicators
from .models import AttainmentSnapshot, ParameterScore

LEVEL_WORDS = {"aktivitet": "aktivitet", "output": "output", "effekt": "effekt"}
KIND_WORDS = {"antal": "antal", "procent": "procent", "beloeb": "beløb", "kvalitativ": "kvalitativ"}
BASIS_WORDS = {"periode": "periode", "pr_aar": "pr_år", "niveau": "niveau", "": ""}
ORIENTATION_WORDS = {"vaekst": "vækst", "job": "job", "": ""}
ASSESSMENT_WORDS = {
    "opnaaet": "opnået",
    "delvist": "delvist opnået",
    "ikke_opnaaet": "ikke opnået",
    "": "",
}
# The qualifier as a reader writes it; a figure given only in words has none.
QUALIFIER_WORDS = {"eksakt": "eksakt", "ca": "ca.", "mindst": "mindst", "hoejst": "højst"}
AREA_KIND_WORDS = {"kommune": "kommune", "gruppe": "gruppe", "hele_landet": "hele landet"}
INDICATOR_COLUMNS = [
    "indikator",
    "formål",
    "enhed",
    "område",
    "områdetype",
    "periode",
    "periode_start",
    "periode_slut",
    "forbehold",
    "værdi",
    "kildens_ordlyd",
    "afstand_angivet",
    "kildenote",
    "kilde",
    "udgiver",
    "kilde_url",
    "udtrukket",
]
GAP_COLUMNS = [
    "indikator",
    "formål",
    "enhed",
    "periode",
    "afstand",
    "afstand_enhed",
    "afstand_tekst",
    "beregnet",
    "gunstig",
    "formel",
]


def safe(value: Any) -> Any:
    """A cell value a spreadsheet will never run: formula-like text gets Excel's ' mark."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _yes(flag: bool) -> str:
    return "ja" if flag else "nej"


def _number(value: Decimal | None) -> int | float | None:
    """Whole numbers as int, others as float: numeric cells, never text."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# Each field's cell as the import reads it back: choices in words, yes/no, numbers.
FIELD_WORDS = {
    "level": LEVEL_WORDS,
    "kind": KIND_WORDS,
    "basis": BASIS_WORDS,
    "orientation": ORIENTATION_WORDS,
}


def _field_cell(target: Target, name: str) -> Any:
    value = getattr(target, name)
    if name in FIELD_WORDS:
        return FIELD_WORDS[name][value]
    if isinstance(value, bool):
        return _yes(value)
    if isinstance(value, Decimal):
        return _number(value)
    return value


def _target_cells(programme: Programme, target: Target) -> list:
    """One row of the ``Mål`` sheet, in the template's columns."""
    cells = {
        "program": programme.name,
        "indsatsområde": target.initiative.name,
        "delinitiativ": target.sub_initiative.name if target.sub_initiative else "",
        "målår": target.target_date.year if target.target_date else None,
        "faser": "; ".join(f"{p.year}:{format_number(p.value)}" for p in target.phases.all()),
    }
    for name in TARGET_FIELDS:
        cells[TARGET_FIELD_COLUMNS[name]] = _field_cell(target, name)
    return [cells[column] for column in TARGET_COLUMNS]


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    ws = workbook.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([safe(v) for v in row])
    ws.freeze_panes = "A2"


def _indicator_sheets(workbook: Workbook, rows: list[IndicatorRow]) -> None:
    """One line per observation, and one per indicator for its gap to the national level.

    The gap is the indicator's, not an observation's, so it has its own sheet: as columns
    it would repeat on every observation (and be summed or filtered as if it were one).
    Observations follow the read side's order: the home area first, then Area order, each
    in time order. Rows come from ``IndicatorRow`` and its prefetched observations, so
    the two sheets cost the selector's two queries whatever the data holds.
    """
    lines = [
        [
            row.indicator.name,
            row.purpose,
            row.indicator.unit,
            series.area,
            AREA_KIND_WORDS[series.kind],
            point.period,
            point.period_start,
            point.period_end,
            "" if point.value is None else QUALIFIER_WORDS[point.qualifier],
            _number(point.value),
            obs.stated_text,
            point.stated_gap,
            point.source_note,
            row.indicator.source_name,
            row.indicator.source_publisher,
            row.indicator.source_url,
            row.indicator.extracted_on,
        ]
        for row in rows
        for series, point, obs in ordered_observations(row)
    ]
    _sheet(workbook, "Indikatorer", INDICATOR_COLUMNS, lines)
    gaps = []
    for row in rows:
        gap = row.gap
        favourable = "" if gap is None or gap.favourable is None else _yes(gap.favourable)
        gaps.append(
            [
                row.indicator.name,
                row.purpose,
                row.indicator.unit,
                gap.period if gap else "",
                _number(gap.difference) if gap else None,
                gap.unit if gap else "",
                gap.text if gap else "ingen sammenligning med hele landet",
                _yes(gap.computed) if gap else "",
                favourable,
                gap.formula if gap else "",
            ]
        )
    _sheet(workbook, "Indikatorer – afstand", GAP_COLUMNS, gaps)


def programme_workbook(programme: Programme) -> bytes:
    """The programme as an XLSX file (7 queries, two of them for the indicators)."""
    targets = list(
        Target.objects.filter(initiative__programme=programme)
        .select_related("initiative", "sub_initiative")
        .prefetch_related("phases")
        .order_by("initiative__number", "order", "pk")
    )
    updates = list(
        StatusUpdate.objects.filter(
            target__initiative__programme=programme,
            round__reports__initiative=F("target__initiative"),
            round__reports__state=StatusReport.State.APPROVED,
        )
        .select_related("target__initiative", "round")
        .order_by("round__year", "round__number", "target__initiative__number", "target__order")
    )
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(
        workbook,
        "Program",
        PROGRAMME_COLUMNS,
        [
            [
                programme.name,
                programme.slug,
                programme.start_date,
                programme.end_date,
                _number(programme.budget_per_year),
                programme.description,
            ]
        ],
    )
    _sheet(
        workbook,
        "Mål",
        TARGET_COLUMNS,
        [_target_cells(programme, t) for t in targets],
    )
    _sheet(
        workbook,
        "Status",
        STATUS_COLUMNS,
        [
            [
                programme.name,
                u.target.initiative.name,
                u.target.title,
                u.round.code,
                _number(u.value),
                ASSESSMENT_WORDS[u.assessment],
                _yes(u.not_measurable),
                u.comment,
                u.observed_on,
                u.status_text,
                _number(u.stated_low),
                _number(u.stated_high),
                u.stated_text,
                _yes(u.stated_is_estimate),
                u.source,
            ]
            for u in updates
        ],
    )
    snapshots = (
        AttainmentSnapshot.objects.filter(target__initiative__programme=programme)
        .select_related("target__initiative", "round")
        .order_by("round__year", "round__number", "target__initiative__number", "target__order")
    )
    _sheet(
        workbook,
        "Målopnåelse",
        [
            "indsatsområde",
            "mål",
            "runde",
            "målopnåelse_pct",
            "målopnåelse_pct_øvre",
            "grundlag",
            "kategori",
            "forventet_pct",
            "angivet",
            "markering",
            "prognose",
            "formel",
            "input",
            "beregnet",
        ],
        [
            [
                s.target.initiative.name,
                s.target.title,
                s.round.code,
                s.percent,
                s.percent_high,
                s.get_basis_display(),
                s.category,
                s.expected_percent,
                s.stated_text,
                s.flag_reason,
                s.forecast_text,
                s.formula,
                json.dumps(s.inputs, ensure_ascii=False, sort_keys=True),
                s.computed_at.replace(tzinfo=None),
            ]
            for s in snapshots
        ],
    )
    scores = (
        ParameterScore.objects.filter(assessment__programme=programme)
        .select_related("assessment", "parameter", "initiative")
        .order_by("assessment__date", "initiative__number", "parameter__order")
    )
    _sheet(
        workbook,
        "Scorer",
        ["vurdering", "dato", "evaluator", "indsatsområde", "parameter", "score", "begrundelse"],
        [
            [
                p.assessment.title,
                p.assessment.date,
                p.assessment.assessor,
                p.initiative.name if p.initiative else "Hele programmet",
                p.parameter.name,
                p.score if p.score is not None else "ikke scoret",
                p.justification,
            ]
            for p in scores
        ],
    )
    _indicator_sheets(workbook, programme_indicators(programme))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
