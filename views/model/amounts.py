"""Amounts in 万元 shown exactly as the records hold them: Decimal in, text out, never a float."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ingest.errors import HrssError

__all__ = ["AmountError", "format_wan", "format_change", "format_pct", "to_decimal"]


class AmountError(HrssError, ValueError):
    """A value that is not an exact amount (a float, or text that is not a number)."""


def _exact(value: Decimal | int) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise AmountError(f"not an exact amount: {value!r} ({type(value).__name__})")
    return Decimal(value)


def format_wan(value: Decimal | int | None, missing: str = "—") -> str:
    """An amount with thousands separators and at least two decimals, every printed digit kept.

        >>> format_wan(Decimal("1384")), format_wan(Decimal("18210.99")), format_wan(Decimal("0.125"))
        ('1,384.00', '18,210.99', '0.125')
    """
    if value is None:
        return missing
    d = _exact(value)
    exponent = d.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{d:,.{places}f}"


def format_change(value: Decimal | int | None, missing: str = "—") -> str:
    """A change in 万元 with its sign: "+1,384.00", "-10.00", "0.00"."""
    if value is None:
        return missing
    text = format_wan(value)
    return f"+{text}" if _exact(value) > 0 else text


def format_pct(value: Decimal | int | None, missing: str = "—") -> str:
    """A percentage change with its sign: "+12.50%"."""
    return missing if value is None else f"{format_change(value)}%"


def to_decimal(value: float | str | None) -> Decimal | None:
    """A bound typed into a number box as an exact Decimal; 0, "" or None mean "no bound".

    The box's float is read through its shortest text form, so 1384.5 gives Decimal("1384.5").
    """
    if value in (None, "", 0):
        return None
    try:
        return Decimal(str(value).replace(",", "").strip())
    except InvalidOperation as e:
        raise AmountError(f"不是金额：{value!r}") from e
