"""Template filters for the dashboards: Danish numbers and category styling."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from math import isfinite

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language

from jobvaekst.numbers import format_number, format_percent

from .. import charts
from ..dashboards import CATEGORY_ICONS
from ..scoring import Headline, snapshot_headline

register = template.Library()


@register.filter
def pct(value: float | None, decimals: int = 2) -> str:
    """375.0 → "375 % (over mål)"; None → "–". ``|pct:1`` rounds to one decimal."""
    return fast_percent(value, int(decimals))


@register.filter
def num(value) -> str:
    """16000 → "16.000"; None → "–"."""
    return fast_number(value)


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
def headline(snapshot) -> Headline | None:
    """A ``ScoreSnapshot``'s headline (``evaluations.scoring.score_headline``); None → None."""
    return None if snapshot is None else snapshot_headline(snapshot)


def _escaped_json(value) -> str:
    text = json.dumps(value, cls=DjangoJSONEncoder)
    return text.replace("&", "\\u0026").replace("<", "\\u003C").replace(">", "\\u003E")


@cache
def _template_json() -> str:
    return _escaped_json(charts.plotly_template())


@register.filter(is_safe=True)
def chart_json(value: dict, element_id: str) -> SafeString:
    """Django's ``json_script``, byte for byte, but faster.

    ``json_script`` escapes with ``str.translate``, which looks every character up in a
    dict: about 1 ms for one target chart, a third of the initiative page's template
    time at scale. Here the escaping is ``str.replace``, and plotly's template (7 KB of
    every figure, the same in all) is encoded once per process and put back in its place.
    """
    layout = value.get("layout")
    if (
        isinstance(layout, dict)
        and len(layout) > 1
        and next(reversed(layout)) == "template"
        and layout["template"] is charts.plotly_template()
        and next(reversed(value)) == "layout"
    ):
        rest = {**value, "layout": {k: v for k, v in layout.items() if k != "template"}}
        # "...}}": the layout's end, then the figure's; the template was the layout's last.
        text = f'{_escaped_json(rest)[:-2]}, "template": {_template_json()}}}}}'
    else:
        text = _escaped_json(value)
    safe = mark_safe(text)  # noqa: S308  # nosec B308 B703: escaped as json_script escapes
    return format_html('<script id="{}" type="application/json">{}</script>', element_id, safe)


_STEPS = {d: Decimal(1).scaleb(-d) for d in range(0, 5)}
_separators: dict[str, tuple[str, str] | None] = {}


@receiver(setting_changed)
def _forget_separators(**kwargs) -> None:
    _separators.clear()  # as Django forgets its format cache when a test changes settings


def _plain(value: float, decimals: int) -> str | None:
    """``format_number`` of a float, rounded half up to ``decimals`` places, or None.

    The same text (tests/evaluations/test_charts_perf_pages.py checks it for any float)
    in a fifth of the time: the language's separators are looked up once per language,
    not three times per number. None means "ask format_number": not a plain float, too
    large or not finite, or a language that does not group digits by three.
    """
    step = _STEPS.get(decimals)
    if step is None or type(value) is not float or not isfinite(value) or abs(value) >= 1e15:
        return None
    lang = get_language()
    try:
        separators = _separators[lang]
    except KeyError:
        grouping = get_format("NUMBER_GROUPING", lang, use_l10n=True)
        separators = _separators[lang] = (
            (
                get_format("DECIMAL_SEPARATOR", lang, use_l10n=True),
                get_format("THOUSAND_SEPARATOR", lang, use_l10n=True),
            )
            if grouping == 3
            else None
        )
    if separators is None:
        return None
    # Half up to ``decimals`` places and trailing zeros dropped, as format_number does.
    text = f"{Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    sign = ""
    if text[0] == "-":
        text = text[1:]
        sign = "" if text == "0" else "-"
    whole, _, fraction = text.partition(".")
    whole = f"{int(whole):,}".replace(",", separators[1])
    return f"{sign}{whole}{separators[0]}{fraction}" if fraction else f"{sign}{whole}"


def fast_number(value) -> str:
    """Exactly ``format_number(value)``, fast for floats."""
    if value is None:
        return "–"
    text = _plain(value, 2)
    return format_number(value) if text is None else text


def fast_percent(value: float | None, decimals: int = 2) -> str:
    """Exactly ``format_percent(value, decimals)``, fast for floats."""
    if value is None:
        return "–"
    text = _plain(value, decimals)
    if text is None:
        return format_percent(value, decimals)
    text = f"{text} %".replace("-", "−")
    if value > 100:
        return f"{text} (over mål)"
    if value < 0:
        return f"{text} (under basis)"
    return text


@register.simple_tag
def round_rows(points: Iterable) -> SafeString:
    """The body rows of a target's "Tallene pr. runde" table: round, actual, expected,
    attainment, stated and category.

    Built here rather than in the template: the initiative page has a table per target
    and a row per round, and at scale these cells were a third of the page's time.
    """
    number, percent = fast_number, fast_percent
    escape = html.escape  # what Django's escape() calls, without its lazy-string wrapper
    return mark_safe(  # noqa: S308  # nosec B308 B703: every value below is escaped
        "".join(
            f'<tr><th scope="row">{escape(p.code)}</th><td>{escape(number(p.actual))}</td>'
            f"<td>{escape(number(p.expected))}</td><td>{escape(percent(p.percent))}</td>"
            f"<td>{escape(p.stated_text or '–')}</td><td>{escape(p.category)}</td></tr>"
            for p in points
        )
    )
