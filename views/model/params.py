"""URL parameters (a page's state, or a link someone sent) read strictly: a bad value is an error the
page turns into a notice and a default, never an exception."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal, InvalidOperation

from ingest.errors import HrssError

__all__ = ["ParamError", "AMOUNT_LIMIT_WAN", "parse_amount", "parse_int"]

# A bound above this (万元) is no budget amount; 1e12 万元 is far beyond any public budget.
AMOUNT_LIMIT_WAN = Decimal("1e12")


class ParamError(HrssError, ValueError):
    """A URL parameter that is not a value the page can use; the message says why, in Chinese."""


def parse_amount(text: str | None, limit: Decimal = AMOUNT_LIMIT_WAN) -> Decimal | None:
    """An amount bound in 万元 (≥ 0, finite, at most `limit`); None or "" mean no bound.

    Raises:
        ParamError: not a number ("abc", "1e309", "nan"), negative, or above the limit.
    """
    if text is None or not text.strip():
        return None
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation as e:
        raise ParamError("不是数字") from e
    if not value.is_finite():
        raise ParamError("不是有限的数字")
    if value < 0:
        raise ParamError("金额不能为负数")
    if value > limit:
        raise ParamError(f"超过上限 {limit:,.0f} 万元")
    return value


def parse_int(text: str | None, lo: int | None = None, hi: int | None = None,
              choices: Collection[int] | None = None) -> int | None:
    """A whole number within [lo, hi] and, when given, one of `choices`; None or "" mean none.

    Raises:
        ParamError: not a whole number, out of range, or not one of the choices.
    """
    if text is None or not text.strip():
        return None
    digits = text.strip()
    if not digits.lstrip("+-").isdigit() or not digits.isascii() or len(digits) > 18:
        raise ParamError("不是整数")
    value = int(digits)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ParamError("超出范围")
    if choices is not None and value not in choices:
        raise ParamError("没有这个值")
    return value
