"""Danish number formatting shared by models, tables and charts."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format


def _half_up(value: float, decimals: int) -> Decimal:
    """Round as people do (1,25 → 1,3), not as floats do (round(1.25, 1) == 1.2)."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_number(value: Decimal | int | float | None, decimals: int | None = None) -> str:
    """Format a number the Danish way: 16.000 and 0,5, with no trailing zeros.

    ``None`` is shown as an en dash, so a missing figure is never mistaken for zero.
    """
    if value is None:
        return "–"
    if decimals is None:
        # A float (a computed figure) is shown to at most two decimals: 5,3 not 5,30410958…
        value = _half_up(value, 2) if isinstance(value, float) else Decimal(value)
        # normalize() turns 16000.00 into 1.6E+4; quantize back to a plain exponent.
        normal = value.normalize()
        exponent = normal.as_tuple().exponent
        decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        value = normal.quantize(Decimal(1).scaleb(-decimals))
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def format_percent(value: float | None, decimals: int = 2) -> str:
    """An attainment percentage as shown to users: "1,25 %", "375 % (over mål)".

    Raw values are kept everywhere; only the text is rounded (to two decimals by default,
    to one for averages on the dashboards).
    """
    if value is None:
        return "–"
    text = f"{format_number(_half_up(value, decimals))} %".replace("-", "−")
    if value > 100:
        return f"{text} (over mål)"
    if value < 0:
        return f"{text} (under basis)"
    return text
