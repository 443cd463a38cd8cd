"""A notice as the readers hand it over: paragraphs and tables in reading order, each with its span.

Text files come through the row model of `ingest.rows`; a table is a run of non-text rows. Cells keep
their indentation (leading spaces, full-width spaces count two) because a county indented under its
city is counted in the city's subtotal.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.records import SourceSpan
from ingest.rows import Row

__all__ = ["Para", "TableRow", "Table", "Block", "blocks_from_rows"]


@dataclass(frozen=True)
class Para:
    """One paragraph of running text."""

    text: str
    span: SourceSpan


@dataclass(frozen=True)
class TableRow:
    """One table row: cell texts (stripped), their indentation, and where the row stands."""

    cells: tuple[str, ...]
    indents: tuple[int, ...]
    span: SourceSpan

    @property
    def is_blank(self) -> bool:
        return not any(c for c in self.cells)


@dataclass(frozen=True)
class Table:
    rows: tuple[TableRow, ...]

    @property
    def span(self) -> SourceSpan:
        first, last = self.rows[0].span, self.rows[-1].span
        return SourceSpan(first.file, first.first_line, last.last_line)


Block = Para | Table


def _indent(raw: str) -> int:
    n = 0
    for ch in raw:
        if ch == " ":
            n += 1
        elif ch == "\u3000":
            n += 2
        elif ch == "\u00a0":
            n += 1
        else:
            break
    return n


def _raw_cells(row: Row, lines: list[str] | None) -> list[str]:
    """The unstripped cell texts of a row, to read their indentation."""
    if lines is None:  # a reader's grid: the cells as the reader gives them
        return list(row.cells)
    if row.kind == "tab":
        raw = lines[row.first - 1].rstrip("\n").split("\t")
        # a pipe or space-separated row (ingest.readers.text_tables) is not TAB-separated
        return raw if len(raw) == len(row.cells) else list(row.cells)
    # one cell per line: each line is TAB + cell
    return [lines[no - 1][1:] for no in row.lines]


def blocks_from_rows(rows: list[Row], lines: list[str] | None, file: str) -> list[Block]:
    """Paragraphs and tables (runs of non-text rows) in reading order; `lines` (the text file's lines)
    give the cells' indentation, which the row model strips."""
    out: list[Block] = []
    pending: list[TableRow] = []

    def flush() -> None:
        if pending:
            out.append(Table(tuple(pending)))
            pending.clear()

    for r in rows:
        span = SourceSpan(file, r.first, r.last)
        if r.is_text:
            flush()
            out.append(Para(r.cells[0], span))
            continue
        raw = _raw_cells(r, lines)
        indents = tuple(_indent(raw[i]) if i < len(raw) else 0 for i in range(len(r.cells)))
        pending.append(TableRow(tuple(c.strip() for c in r.cells), indents, span))
    flush()
    return out
