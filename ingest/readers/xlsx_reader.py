"""Excel → grid: .xlsx with openpyxl (merged ranges, values as displayed, formulas' cached values),
.xls with python-calamine. A sheet holds one or many tables, separated by blank rows; a row with a
single text cell in the first column (a heading) is a paragraph."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from ingest.errors import SourceError
from ingest.readers.grid import Cell, Document, Paragraph, Skipped, Table, column_letter

__all__ = ["read_xlsx", "read_xls", "display"]

_FIXED = re.compile(r"^(?P<comma>#,##)?0(?:\.(?P<places>0+))?(?P<pct>%)?$")


def display(value: object, number_format: str | None) -> str:
    """A cell's value as Excel shows it for the common number formats ("#,##0.00" → "1,286.50")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        fmt = (number_format or "General").split(";")[0].strip()
        m = _FIXED.match(fmt.replace('"', ""))
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            return str(value)
        if m is None:
            # General: the shortest form, no trailing ".0"
            text = format(number.normalize(), "f") if number != number.to_integral() else str(int(number))
            return text
        places = len(m["places"] or "")
        if m["pct"]:
            number *= 100
        q = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        text = f"{q:,.{places}f}" if m["comma"] else f"{q:.{places}f}"
        return text + ("%" if m["pct"] else "")
    return str(value)


def read_xlsx(path: Path) -> Document:
    """Read every sheet of an .xlsx workbook; raises SourceError when it cannot be opened."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(str(path), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise SourceError(f"not a readable Excel .xlsx file (damaged: {e})", path) from e
    try:
        formulas = openpyxl.load_workbook(str(path), data_only=False)
    except Exception:  # noqa: BLE001 - only used to explain empty formula cells
        formulas = None
    doc = Document("xlsx")
    for ws in wb.worksheets:
        grid: dict[tuple[int, int], str] = {}
        missing: list[str] = []
        fws = formulas[ws.title] if formulas is not None else None
        for row in ws.iter_rows():
            for c in row:
                at, col = c.row, c.column
                if at is None or col is None:  # not a cell of the sheet's grid
                    continue
                text = display(c.value, c.number_format)
                if text.strip():
                    grid[(at, col)] = text
                elif fws is not None and isinstance(fws.cell(at, col).value, str) and \
                        str(fws.cell(at, col).value).startswith("="):
                    missing.append(c.coordinate)
        if missing:
            doc.notes.append((f"!{ws.title}!{missing[0]}", f"{len(missing)} formula(s) have no saved value "
                              "(the file was never calculated); open and save it in Excel or WPS"))
        merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
        _sheet_blocks(ws.title, grid, merges, doc)
    if not doc.blocks:
        raise SourceError("the workbook is empty: no sheet has any cell", path)
    return doc


def read_xls(path: Path) -> Document:
    """Read an old .xls workbook with python-calamine (values as stored; no merged ranges)."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError as e:  # pragma: no cover - pinned in requirements
        raise SourceError("an Excel .xls file: save it as .xlsx", path) from e
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as e:  # noqa: BLE001 - calamine raises its own error types
        raise SourceError(f"not a readable Excel .xls file ({e})", path) from e
    doc = Document("xls")
    # calamine gives the stored values of an .xls, not the number formats that display them
    doc.notes.append((None, "an old Excel .xls workbook: numbers are read as stored (120.5, 0.25), not as "
                            "displayed (120.50, 25.00%); save it as .xlsx to keep the printed forms"))
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        grid = {}
        for r, row in enumerate(sheet.to_python(), start=1):
            for c, value in enumerate(row, start=1):
                text = display(value if value != "" else None, None)
                if text.strip():
                    grid[(r, c)] = text
        merges = [(m[0][0] + 1, m[0][1] + 1, m[1][0] + 1, m[1][1] + 1) for m in (sheet.merged_cell_ranges or [])]
        _sheet_blocks(name, grid, merges, doc)
    if not doc.blocks:
        raise SourceError("the workbook is empty: no sheet has any cell", path)
    return doc


def _sheet_blocks(sheet: str, grid: dict[tuple[int, int], str], merges, doc: Document) -> None:
    """Cut one sheet into paragraphs and tables."""
    if not grid:
        doc.skipped.append(Skipped(f"sheet {sheet}", "empty sheet"))
        return
    span_of = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in merges}
    covered: dict[int, set[int]] = {}  # row → columns covered by a merge started above
    for r0, c0, r1, c1 in merges:
        for r in range(r0, r1 + 1):
            covered.setdefault(r, set()).update(range(c0, c1 + 1))
    by_row: dict[int, list[int]] = {}
    for r, c in grid:
        by_row.setdefault(r, []).append(c)
    first_col = min(c for _, c in grid)
    last_row = max(r for r, _ in grid)
    block: list[int] = []

    def close() -> None:
        if not block:
            return
        cols = [c for r in block for c in by_row.get(r, [])]
        c0 = min(cols)
        r0 = block[0]
        cells = []
        for r in block:
            for c in sorted(by_row.get(r, [])):
                rs, cs = span_of.get((r, c), (1, 1))
                rs = min(rs, block[-1] - r + 1)
                cells.append(Cell(grid[(r, c)], r - r0, c - c0, rs, cs))
        doc.blocks.append(Table(cells, len(doc.tables) + 1, sheet=sheet, origin=(r0, c0)))
        block.clear()

    for r in range(min(by_row), last_row + 1):
        cols = by_row.get(r, [])
        in_merge = any(c for c in covered.get(r, ()) if (r, c) not in span_of)
        if not cols and not in_merge:
            close()
            continue
        if len(cols) == 1 and not in_merge and cols[0] == first_col and \
                span_of.get((r, cols[0]), (1, 1))[0] == 1:
            close()
            doc.blocks.append(Paragraph(grid[(r, cols[0])], sheet=sheet,
                                        cell=f"{column_letter(cols[0])}{r}"))
            continue
        block.append(r)
    close()
