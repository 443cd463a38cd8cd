"""Numbers as printed: amounts (万元), percentages, indicator values ("≥80百分率")."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ingest.records import IndicatorValue

__all__ = ["AmountError", "parse_amount", "parse_percent", "parse_indicator_value", "is_blank"]

_FOLD = str.maketrans("０１２３４５６７８９．，－％＋", "0123456789.,-%+")


class AmountError(ValueError):
    """A printed amount that is not a number ("五十")."""


def is_blank(cell: str | None) -> bool:
    """True for a missing, empty or whitespace-only cell."""
    return cell is None or not cell.strip()


def parse_amount(cell: str | None) -> Decimal | None:
    """Parse a printed amount exactly ("1381.00" → Decimal("1381.00")); blank → None.

    Raises AmountError for anything that is not a plain decimal number.
    """
    if is_blank(cell):
        return None
    text = cell.translate(_FOLD).strip().replace(",", "")  # type: ignore[union-attr]
    text = re.sub(r"\s*万?元$", "", text)  # "10.00万元" in the 万元 column
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", text):
        raise AmountError(f"not a number: {cell.strip()!r}")  # type: ignore[union-attr]
    try:
        return Decimal(text)
    except InvalidOperation as e:  # pragma: no cover - the regex admits only valid decimals
        raise AmountError(f"not a number: {cell!r}") from e


def parse_percent(cell: str | None) -> Decimal | None:
    """"25.00%" → Decimal("25.00"); a bare number is taken as a percentage; blank or text → None."""
    if is_blank(cell):
        return None
    text = cell.translate(_FOLD).strip().rstrip("%").strip()  # type: ignore[union-attr]
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        return None
    return Decimal(text)


# Comparators as printed, symbols and words, mapped to one symbol each.
_OPS = {
    "≥": "≥", ">=": "≥", "≧": "≥", "不低于": "≥", "不少于": "≥", "大于等于": "≥", "至少": "≥",
    "≤": "≤", "<=": "≤", "≦": "≤", "不高于": "≤", "不超过": "≤", "不多于": "≤", "小于等于": "≤",
    "＞": ">", ">": ">", "大于": ">", "高于": ">", "超过": ">",
    "＜": "<", "<": "<", "小于": "<", "低于": "<",
    "＝": "=", "=": "=", "等于": "=",
}
_OP_RE = "|".join(sorted(map(re.escape, _OPS), key=len, reverse=True))
_VALUE = re.compile(rf"^\s*(?P<op>{_OP_RE})?\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>\S.*?)?\s*$")


def parse_indicator_value(cell: str | None) -> IndicatorValue | None:
    """Split an indicator value into comparator, number and unit; None when it holds no number.

        >>> parse_indicator_value("≥80百分率")
        IndicatorValue(op='≥', number=Decimal('80'), unit='百分率')
    """
    if is_blank(cell):
        return None
    m = _VALUE.match(cell.translate(_FOLD))  # type: ignore[union-attr]
    if m is None:
        return None
    op = _OPS[m["op"]] if m["op"] else None
    return IndicatorValue(op, Decimal(m["num"]), m["unit"] or None)
