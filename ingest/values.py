"""Numbers as printed: amounts (万元), percentages, indicator values ("≥80百分率").

Every pattern here is anchored and free of nested or adjacent optional repeats, so parsing a cell
takes time linear in its length, however long its runs of spaces.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ingest.memo import remembered
from ingest.numbers import FOLD, is_blank, parse_percent
from ingest.records import IndicatorValue

__all__ = ["AmountError", "parse_amount", "parse_percent", "parse_indicator_value", "is_blank", "shown", "REPLACEMENT"]

# What decoding puts where bytes were not text (see ingest.reader); a value holding it is damaged.
REPLACEMENT = "\ufffd"
_DECIMAL = re.compile(r"[+-]?\d++(?:\.\d++)?+")


class AmountError(ValueError):
    """A printed amount that is not a number ("五十")."""


def parse_amount(cell: str | None) -> Decimal | None:
    """Parse a printed amount exactly ("1381.00" → Decimal("1381.00")); blank → None.

    Raises AmountError for anything that is not a plain decimal number.
    """
    if cell is None or is_blank(cell):
        return None
    text = cell.translate(FOLD).strip().replace(",", "")
    if text.endswith("元"):  # "10.00万元" in the 万元 column
        text = text[:-1].removesuffix("万").rstrip()
    if not _DECIMAL.fullmatch(text):
        raise AmountError(f"not a number: {shown(cell.strip())}")
    return Decimal(text)


def shown(text: str, limit: int = 40) -> str:
    """repr() of a printed value, cut to `limit` characters so a 1 MB cell makes a short message."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "…"


# Comparators as printed, symbols and words, mapped to one symbol each.
_OPS = {
    "≥": "≥", ">=": "≥", "≧": "≥", "不低于": "≥", "不少于": "≥", "大于等于": "≥", "至少": "≥",
    "≤": "≤", "<=": "≤", "≦": "≤", "不高于": "≤", "不超过": "≤", "不多于": "≤", "小于等于": "≤",
    "＞": ">", ">": ">", "大于": ">", "高于": ">", "超过": ">",
    "＜": "<", "<": "<", "小于": "<", "低于": "<",
    "＝": "=", "=": "=", "等于": "=",
}
_OP_RE = "|".join(sorted(map(re.escape, _OPS), key=len, reverse=True))
# Applied to a stripped cell: no leading/trailing \s*, and the unit is greedy up to the end.
# Possessive repeats: a failed match never retries shorter digit runs (a 1 MB "111…1\n" stays linear).
_VALUE = re.compile(rf"(?:(?P<op>{_OP_RE})\s*+)?(?P<num>\d++(?:\.\d++)?+)(?:\s*+(?P<unit>\S.*))?")


@remembered(maxsize=1 << 16)  # values recur across tables: parsed once, one IndicatorValue shared
def parse_indicator_value(cell: str | None) -> IndicatorValue | None:
    """Split an indicator value into comparator, number and unit; None when it holds no number.

        >>> parse_indicator_value("≥80百分率")
        IndicatorValue(op='≥', number=Decimal('80'), unit='百分率')
    """
    if cell is None or is_blank(cell) or REPLACEMENT in cell:
        return None
    m = _VALUE.fullmatch(cell.translate(FOLD).strip())
    if m is None:
        return None
    op = _OPS[m["op"]] if m["op"] else None
    return IndicatorValue(op, Decimal(m["num"]), m["unit"] or None)
