"""Rows as an aligned text table for the terminal (CJK characters count two columns)."""

from __future__ import annotations

import unicodedata
from typing import Any

__all__ = ["text_table", "display_width"]


def display_width(text: str) -> int:
    """Terminal columns of a string: wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def text_table(columns: list[str], rows: list[dict[str, Any]], max_width: int = 40) -> str:
    """Columns padded to their widest cell; a cell wider than max_width is cut with …."""
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    cells = [[v if display_width(v) <= max_width else v[: max_width // 2 - 1] + "…" for v in row]
             for row in cells]
    widths = [max([display_width(c)] + [display_width(row[i]) for row in cells])
              for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (w - display_width(v))
                         for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line(columns), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    return "\n".join(out)
