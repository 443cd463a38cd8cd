"""The lowest layer of printed numbers: digit folding, blank cells and percentages.

Kept apart from `ingest.values` so that records (SpendingPlan.percents) can use it without importing
the value parsers, which themselves build records.
"""

from __future__ import annotations

import re
from decimal import Decimal

__all__ = ["FOLD", "is_blank", "parse_percent"]

FOLD = str.maketrans("０１２３４５６７８９．，－％＋", "0123456789.,-%+")
_PERCENT = re.compile(r"\d++(?:\.\d++)?+")


def is_blank(cell: str | None) -> bool:
    """True for a missing, empty or whitespace-only cell."""
    return cell is None or not cell.strip()


def parse_percent(cell: str | None) -> Decimal | None:
    """"25.00%" → Decimal("25.00"); a bare number is taken as a percentage; blank or text → None."""
    if cell is None or is_blank(cell):
        return None
    text = cell.translate(FOLD).strip().rstrip("%").strip()
    if not _PERCENT.fullmatch(text):
        return None
    return Decimal(text)
