"""Template filters for the dashboards: Danish numbers and category styling."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django import template
from django.utils.text import slugify

from jobvaekst.numbers import format_number, format_percent

from ..dashboards import CATEGORY_ICONS
from ..scoring import Headline, snapshot_headline

if TYPE_CHECKING:
    from ..models import ScoreSnapshot

register = template.Library()


@register.filter
def pct(value: float | None, decimals: int = 2) -> str:
    """375.0 → "375 % (over mål)"; None → "–". ``|pct:1`` rounds to one decimal."""
    return format_percent(value, int(decimals))


@register.filter
def num(value: Decimal | int | float | None) -> str:
    """16000 → "16.000"; None → "–"."""
    return format_number(value)


@register.filter
def capped(value: float | None) -> float:
    """A percentage for a <progress> bar: capped at 0–100 (the text keeps the raw value)."""
    if value is None:
        return 0
    return max(0.0, min(float(value), 100.0))


@register.filter
def category_class(category: str) -> str:
    return f"cat-{slugify(category)}"


@register.filter
def category_icon(category: str) -> str:
    return CATEGORY_ICONS.get(category, "")


@register.filter
def score(value: float | None) -> str:
    """A mean implementation score with one decimal: 3.5 → "3,5"."""
    if value is None:
        return "–"
    return f"{value:.1f}".replace(".", ",")


@register.filter
def headline(snapshot: ScoreSnapshot | None) -> Headline | None:
    """A ``ScoreSnapshot``'s headline (``evaluations.scoring.score_headline``); None → None."""
    return None if snapshot is None else snapshot_headline(snapshot)
