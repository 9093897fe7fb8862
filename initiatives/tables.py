from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from .selectors import TargetRow


class TargetTable(tables.Table):
    level = tables.Column(
        verbose_name="Niveau", accessor="target__level", order_by=("target__level",)
    )
    title = tables.Column(verbose_name="Mål", accessor="target__title")
    sub_initiative = tables.Column(
        verbose_name="Delinitiativ", accessor="target__sub_initiative__name", default="–"
    )
    in_words = tables.Column(verbose_name="Mål i perioden")
    latest_in_words = tables.Column(verbose_name="Seneste status")
    stated = tables.Column(verbose_name="Angivet målopnåelse", default="–")
    orientation = tables.Column(
        verbose_name="Orientering",
        accessor="target__get_orientation_display",
        default="Ikke angivet",
    )
    horizon = tables.Column(
        verbose_name="Sigt", accessor="target__get_horizon_display", default="Ikke angivet"
    )

    class Meta:
        attrs = {"class": "data-table"}
        orderable = False
        empty_text = "Indsatsen har endnu ingen mål."

    def render_level(self, record: TargetRow) -> str:
        return record.target.get_level_display()

    def render_latest_in_words(self, record: TargetRow, value: str) -> str:
        if record.latest is None:
            return value
        return format_html('{} <span class="muted">({})</span>', value, record.round_code)

    def render_title(self, record: TargetRow, value: str) -> str:
        if not record.target.measurable:
            return format_html('{} <span class="tag">Ikke målbart p.t.</span>', value)
        return value
