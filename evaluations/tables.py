from __future__ import annotations

from typing import cast

import django_tables2 as tables
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.text import slugify
from django.utils.timezone import localtime

from jobvaekst.numbers import format_number, format_percent

from .dashboards import CATEGORY_ICONS
from .models import AttainmentSnapshot
from .selectors import TargetRow


class TargetTable(tables.Table):
    """The targets table: sortable by every column, exportable to CSV and XLSX.

    Each ``value_*`` method gives the export the same text the page shows, without HTML.
    """

    level = tables.Column(verbose_name="Niveau", accessor="target__level", order_by=("level_rank",))
    title = tables.Column(verbose_name="Mål", accessor="target__title")
    sub_initiative = tables.Column(
        verbose_name="Delinitiativ", accessor="target__sub_initiative__name", default="–"
    )
    in_words = tables.Column(verbose_name="Mål i perioden")
    latest_in_words = tables.Column(verbose_name="Seneste status")
    stated = tables.Column(verbose_name="Angivet målopnåelse", default="–")
    attainment = tables.Column(
        verbose_name="Beregnet målopnåelse",
        accessor="snapshot",
        default="–",
        order_by=("snapshot__percent",),
    )
    category = tables.Column(
        verbose_name="Kategori", accessor="category", order_by=("category_rank",)
    )
    orientation = tables.Column(
        verbose_name="Orientering",
        accessor="orientation_label",
    )
    horizon = tables.Column(verbose_name="Sigt", accessor="horizon_label")

    class Meta:
        attrs = {"class": "data-table targets-table"}
        orderable = True
        empty_text = "Ingen mål matcher."
        template_name = "django_tables2/table.html"

    def render_level(self, record: TargetRow) -> str:
        return record.target.get_level_display()

    def render_latest_in_words(self, record: TargetRow, value: str) -> str:
        if record.latest is None:
            return value
        return format_html('{} <span class="muted">({})</span>', value, record.round_code)

    def render_attainment(self, record: TargetRow) -> str:
        # django-tables2 calls render_* only when the accessor gives a value (else the
        # column's default), so the snapshot is there.
        snap = cast(AttainmentSnapshot, record.snapshot)
        distance = (snap.inputs or {}).get("distance")
        if snap.percent is None and distance is not None:
            # A ceiling is met or not, never a percentage: show how far from it.
            side = "over" if distance > 0 else "under"
            text = f"{format_number(abs(distance))} {side} loftet"
        elif snap.percent is None:
            text = "Ikke målbart" if snap.category == "Ikke målbart" else "–"
        else:
            text = format_percent(snap.percent)
            if snap.percent_high is not None:
                text = f"{text} (strækmål: {format_percent(snap.percent_high)})"
            if snap.basis == "vurderet":
                text = f"{text} (vurderet)"
        parts = [format_html("{}", text)]
        if snap.flagged:
            parts.append(format_html(' <span class="tag flag">⚑ {}</span>', snap.flag_reason))
        if snap.pending_approval:
            parts.append(format_html(' <span class="tag">{}</span>', "afventer godkendelse"))
        if snap.stale:
            parts.append(
                format_html(
                    ' <span class="tag">opdateres… (beregnet {})</span>',
                    date_format(localtime(snap.computed_at), "SHORT_DATETIME_FORMAT"),
                )
            )
        return format_html_join("", "{}", ((part,) for part in parts))  # parts are safe

    def render_category(self, record: TargetRow, value: str) -> str:
        return format_html(
            '<span class="category cat-{}"><span aria-hidden="true">{}</span> {}</span>',
            slugify(value),
            CATEGORY_ICONS.get(value, ""),
            record.category_label,
        )

    # --- Export: the shown text, without HTML -----------------------------------------

    def value_level(self, record: TargetRow) -> str:
        return self.render_level(record)

    def value_latest_in_words(self, record: TargetRow, value: str) -> str:
        return strip_tags(self.render_latest_in_words(record, value))

    def value_attainment(self, record: TargetRow) -> str:
        if record.snapshot is None:
            return "–"
        return strip_tags(self.render_attainment(record))

    def value_category(self, record: TargetRow) -> str:
        return record.category_label

    def value_title(self, record: TargetRow, value: str) -> str:
        return strip_tags(self.render_title(record, value))

    def render_title(self, record: TargetRow, value: str) -> str:
        if not record.target.measurable:
            return format_html('{} <span class="tag">Ikke målbart p.t.</span>', value)
        return value
