"""Printed amounts with their unit → exact 万元; printed dates → ISO."""

from __future__ import annotations

import re
from decimal import Decimal

from ingest.values import AmountError

__all__ = ["AmountError", "UNITS", "cell_amount", "to_wan", "is_dash", "AMOUNT_IN_TEXT", "parse_date",
           "DATE_IN_TEXT"]

_FOLD = str.maketrans("０１２３４５６７８９．，－＋", "0123456789.,-+")
# How many 万元 one printed unit is; 元 → 万元 is a shift of the decimal point, so it stays exact.
UNITS = {"万元": 0, "万": 0, "元": -4, "亿元": 4}
_CELL = re.compile(r"^(?P<num>[+-]?\d+(?:\.\d+)?)\s*(?P<unit>万元|亿元|万|元)?$")
_DASHES = {"-", "—", "－", "——", "/", "／", "—-"}
# Starts only where a run of digits starts, and never gives back what it read: linear on a long run.
AMOUNT_IN_TEXT = re.compile(
    r"(?<![\d,，.])(?P<num>\d[\d,，]*+(?:\.\d++)?+)\s*+(?P<unit>万元|亿元|元)"
)


def to_wan(number: Decimal, unit: str) -> Decimal:
    """An amount in `unit` as exact 万元 (1234567.89 元 → 123.456789)."""
    shift = UNITS[unit]
    return number.scaleb(shift) if shift else number


def is_dash(cell: str) -> bool:
    """A dash printed for "nothing allocated"."""
    return cell.strip() in _DASHES


def cell_amount(cell: str, unit: str) -> tuple[Decimal, str]:
    """(万元, printed unit) of a table cell in a column of `unit`; a unit printed in the cell wins.

    Raises AmountError for a cell that is not a number.
    """
    text = cell.translate(_FOLD).strip().replace(",", "").replace(" ", "")
    m = _CELL.match(text)
    if m is None:
        raise AmountError(f"not a number: {cell.strip()!r}")
    own = m["unit"]
    used = "万元" if own == "万" else (own or unit)
    return to_wan(Decimal(m["num"]), used), used


def text_amount(num: str, unit: str) -> Decimal:
    """A number from running text ("3,580,000.50", "元") as exact 万元."""
    return to_wan(Decimal(num.translate(_FOLD).replace(",", "").replace("，", "")), unit)


_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "〇○零ＯO一二三四五六七八九十"
DATE_IN_TEXT = re.compile(
    rf"(?P<y>\d{{4}}|[{_CN}]{{4}})\s*年\s*(?P<m>\d{{1,2}}|[{_CN}]{{1,2}})\s*月\s*"
    rf"(?P<d>\d{{1,2}}|[{_CN}]{{1,3}})\s*日"
)


def _cn_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if len(text) == 4:  # a year, digit by digit: 二〇二一
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    if "十" in text:  # 十一, 二十, 二十九
        tens, _, units = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)
    return _CN_DIGITS[text]


def parse_date(match: re.Match[str]) -> str | None:
    """ISO date of a DATE_IN_TEXT match; None when it is not a calendar date."""
    from datetime import date

    try:
        y, m, d = (_cn_number(match[k].translate(_FOLD)) for k in ("y", "m", "d"))
        return date(y, m, d).isoformat()
    except (KeyError, ValueError):
        return None
