"""A reader's grid → the row stream the table interpreter reads, and its spans back to the grid.

Every grid row and paragraph line becomes one `Row` whose "line" is its ordinal in reading order;
after parsing, each span's ordinals are turned into the place they stand in the file (page / table /
rows, or sheet / A1 cells), and every diagnostic gets that place as its locator.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ingest.notices import relocate_notice
from ingest.readers.grid import Document, Paragraph, column_letter
from ingest.records import Diagnostic, ParseResult, SourceSpan
from ingest.rows import Row

__all__ = ["excerpt_region", "excerpt_rows", "place_result", "to_rows", "uses_bookmarks"]


@dataclass(frozen=True)
class _Place:
    """Where one row of the stream stands."""

    page: int | None
    table: int | None  # table number, None for a paragraph
    row: int | None  # 1-based row of the table
    sheet: str | None = None
    sheet_row: int | None = None  # 1-based row of the sheet
    col0: int | None = None
    col1: int | None = None


def to_rows(doc: Document) -> tuple[list[Row], list[_Place]]:
    """The stream of rows; `places[i]` is where the row with ordinal i + 1 stands."""
    rows: list[Row] = []
    places: list[_Place] = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            text = block.text
            if block.bookmarks:
                # the heading convention the interpreter knows from Word's text export
                text = f"[bookmark: {block.bookmarks[0]}]{text}"
            sheet_row = col = None
            if block.cell:
                col, sheet_row = _split_a1(block.cell)
            for part in text.split("\n"):
                if part.strip():
                    rows.append(Row((part.strip(),), (len(rows) + 1,), "text"))
                    places.append(_Place(block.page, None, None, block.sheet, sheet_row, col, col))
            continue
        r0, c0 = block.origin
        for i, cells in enumerate(block.rows()):
            if not any(c.strip() for c in cells):
                continue
            ordinal = len(rows) + 1
            rows.append(Row(tuple(cells), (ordinal,) * len(cells), "cells"))
            page = block.pages[i] if block.pages else None
            places.append(_Place(page, block.number, i + 1, block.sheet, r0 + i if block.sheet else None,
                                 c0, c0 + block.n_cols - 1))
    return rows, places


def excerpt_rows(doc: Document, span: SourceSpan, context: int = 0) -> list[tuple[str, tuple[str, ...]]]:
    """The rows a span names (± context), each with where it stands: `第2页 表1 行5`,
    `绩效目标!A12`, `段3`, as (place, cells). A span read back from JSON (ordinals 0) is found by
    its page / table / rows or sheet / cells."""
    rows, places = to_rows(doc)
    first, last = span.first_line, span.last_line
    if first <= 0:
        hits = [i + 1 for i, p in enumerate(places) if _at(p, i + 1, span)]
        if not hits:
            return []
        first, last = hits[0], hits[-1]
    out = []
    for ordinal in range(max(first - context, 1), min(last + context, len(rows)) + 1):
        out.append((_place_label(places[ordinal - 1], ordinal), rows[ordinal - 1].cells))
    return out


def excerpt_region(doc: Document, span: SourceSpan) -> tuple[int, tuple[float, float, float, float]] | None:
    """A PDF span's table rows as (page, rectangle) on the page of its first table row; None when
    the span has no table rows with rectangles (paragraphs, other formats)."""
    rows, places = to_rows(doc)
    first, last = span.first_line, span.last_line
    chosen = range(first, last + 1) if first > 0 else [i + 1 for i, p in enumerate(places) if _at(p, i + 1, span)]
    tables = {t.number: t for t in doc.tables}
    page, rect = None, None
    for ordinal in chosen:
        if not 0 < ordinal <= len(places):
            continue
        p = places[ordinal - 1]
        table = tables.get(p.table) if p.table is not None else None
        if table is None or not table.boxes or not table.pages or p.row is None:
            continue
        box, on = table.boxes[p.row - 1], table.pages[p.row - 1]
        if page is None:
            page, rect = on, box
        elif on == page and rect is not None:
            rect = (min(rect[0], box[0]), min(rect[1], box[1]), max(rect[2], box[2]), max(rect[3], box[3]))
    return (page, rect) if page is not None and rect is not None else None


def _at(p: _Place, ordinal: int, span: SourceSpan) -> bool:
    """True when the row at place p lies within the span's page / table / rows or sheet / cells."""
    if span.sheet is not None:
        if p.sheet != span.sheet or p.sheet_row is None:
            return False
        if not span.cells:
            return True
        ends = span.cells.split(":")
        lo, hi = _split_a1(ends[0])[1], _split_a1(ends[-1])[1]
        return lo <= p.sheet_row <= hi
    if span.paragraph is not None:
        return ordinal == span.paragraph
    if span.table is not None:
        if p.table != span.table:
            return False
        return span.rows is None or span.rows[0] <= (p.row or 0) <= span.rows[1]
    return span.page is not None and p.page == span.page and p.table is None


def _place_label(p: _Place, ordinal: int) -> str:
    if p.sheet is not None:
        return f"{p.sheet}!{column_letter(p.col0 or 1)}{p.sheet_row}" if p.sheet_row else p.sheet
    parts = [f"第{p.page}页"] if p.page is not None else []
    if p.table is not None:
        parts.append(f"表{p.table} 行{p.row}")
    elif p.page is None:
        parts.append(f"段{ordinal}")
    return " ".join(parts)


def _split_a1(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha())
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch.upper()) - 64
    return col, int(ref[len(letters):])


def _span(file: str, first: int, last: int, places: list[_Place]) -> SourceSpan:
    here = places[first - 1: last]
    if not here:
        return SourceSpan(file, first, last)
    sheet = here[0].sheet
    if sheet is not None:
        same = [p for p in here if p.sheet == sheet and p.sheet_row is not None]
        r0, r1 = min(p.sheet_row for p in same), max(p.sheet_row for p in same)  # type: ignore[type-var]
        c0 = min(p.col0 or 1 for p in same)
        c1 = max(p.col1 or 1 for p in same)
        cells = f"{column_letter(c0)}{r0}" if (r0, c0) == (r1, c1) else \
            f"{column_letter(c0)}{r0}:{column_letter(c1)}{r1}"
        return SourceSpan(file, first, last, sheet=sheet, cells=cells)
    in_table = [p for p in here if p.table is not None]
    if not in_table:
        page = here[0].page
        # paragraphs only: the page (PDF), else the paragraph's ordinal (Word, web pages)
        return SourceSpan(file, first, last, page=page, paragraph=None if page else first)
    # a span over several tables (a goal table and its indicator table) names the first
    table = in_table[0].table
    rows = [p.row for p in in_table if p.table == table and p.row is not None]
    return SourceSpan(file, first, last, page=in_table[0].page, table=table,
                      rows=(min(rows), max(rows)) if rows else None)


def place_result(result: ParseResult, doc: Document, places: list[_Place], notes: list[str]) -> None:
    """Turn the ordinals of a parse of `to_rows(doc)` into pages, tables and cells, in place."""
    file = result.file
    name = Path(file).name

    def relocate(span: SourceSpan) -> SourceSpan:
        return _span(span.file, span.first_line, span.last_line, places)

    projects = []
    for p in result.projects:
        projects.append(replace(
            p,
            span=relocate(p.span),
            indicators=tuple(replace(i, span=relocate(i.span)) for i in p.indicators),
            field_spans=tuple((part, _span(name, a, b, places)) for part, a, b in p.field_lines),
        ))
    result.projects = projects
    result.narrative = [replace(n, span=relocate(n.span)) for n in result.narrative]
    result.notices = [relocate_notice(n, relocate) for n in result.notices]
    diagnostics = []
    for message in notes:
        diagnostics.append(Diagnostic(file, None, message, "warning"))
    for where, message in doc.notes:
        diagnostics.append(Diagnostic(file, None, message, "warning", f"{file} {where}" if where else None))
    for d in result.diagnostics:
        if d.line is not None and 0 < d.line <= len(places):
            locator = _span(file, d.line, d.line, places).locator
            d = replace(d, line=None, locator=locator)
        diagnostics.append(d)
    diagnostics.append(Diagnostic(file, None, _report(doc, result, places), "info"))
    result.diagnostics = diagnostics


def uses_bookmarks(doc: Document) -> bool:
    """True when headings carry bookmarks (then only bookmarked headings open sections)."""
    return any(isinstance(b, Paragraph) and b.bookmarks for b in doc.blocks)


def _report(doc: Document, result: ParseResult, places: list[_Place]) -> str:
    """"4 tables found, 3 read, 1 skipped (table 4: not part of a goal table)"."""
    found = [t.number for t in doc.tables]
    used: set[int] = set()
    spans = [p.span for p in result.projects] + [a.span for n in result.notices for a in n.allocations]
    for span in spans:
        used.update(pl.table for pl in places[span.first_line - 1: span.last_line] if pl.table is not None)
    skipped = [f"{s.where}: {s.reason}" for s in doc.skipped]
    skipped += [f"table {n}: no goal table (项目编码/项目名称 rows) in it" for n in found if n not in used]
    what = f"{doc.kind}: {len(found) + len(doc.skipped)} tables found, {len(used)} read, {len(skipped)} skipped"
    if doc.pages is not None:
        what = f"{doc.kind}, {doc.pages} pages: " + what.split(": ", 1)[1]
    return what + (f" ({'; '.join(skipped)})" if skipped else "")

