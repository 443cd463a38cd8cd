"""An allocation table (分配表) → allocations, whatever its shape.

Shapes read: one recipient column and one amount column; split source columns (合计 | 中央资金 |
省级资金, with a two-row header "其中" above the sources); column pairs side by side (单位 | 金额 |
单位 | 金额, read left column first); city subtotals with their counties indented below, or listed
below without indentation, or closed by a 小计 row. A 合计 row is the table's own total, not an
allocation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from ingest.notices.amounts import AmountError, cell_amount, is_dash
from ingest.notices.blocks import Table, TableRow
from ingest.records import Allocation, AllocationPart, SourceSpan

__all__ = ["TableRead", "find_header", "read_table", "unit_in"]

_RECIPIENT = re.compile(r"地区|单位|市县|县区|县[（(]市|名称|区划|市别|县别|地市|受援|分配对象")
_NOT_RECIPIENT = re.compile(r"金额|资金|万元|元[）)]|合计|数$")
_TOTAL_COL = re.compile(r"合计|总计|小计|共计|金额|分配数|下达数|资金数|总额")
_SOURCE_WORD = re.compile(r"中央|省级|省本级|市级|县级|地方|本级|一般|专项|省财政|市财政|县财政")
_TOTAL_ROW = re.compile(r"^(?:全省|全市|全县|总)?(?:合\s*计|总\s*计|共\s*计)(?:数)?$")
_UNIT = re.compile(r"单位\s*[:：]?\s*(?P<unit>万元|亿元|元)|[（(]\s*(?P<unit2>万元|亿元|元)\s*[）)]")
_CITY = re.compile(r"(?:市|州|盟|地区)$")
_COUNTY = re.compile(r"(?:县|区|旗|本级|开发区|管理区|新区|农场|林场)$")


def unit_in(text: str) -> str | None:
    """The amount unit a caption or header cell prints ("单位：万元", "金额（元）")."""
    m = _UNIT.search(text)
    return (m["unit"] or m["unit2"]) if m else None


def _kind(label: str) -> str:
    n = re.sub(r"\s+", "", label)
    if not n:
        return "blank"
    if re.fullmatch(r"序号?|编号|序列", n):
        return "seq"
    if "科目" in n:
        return "subject"
    if re.search(r"备注|说明", n):
        return "note"
    if _RECIPIENT.search(n) and not _NOT_RECIPIENT.search(n):
        return "recipient"
    return "amount"


def _label(cell: str) -> str:
    """A column label without white space and the unit in brackets ("金额（万元）" → "金额")."""
    return re.sub(r"[（(]\s*(?:万元|亿元|元)\s*[）)]", "", re.sub(r"\s+", "", cell))


@dataclass
class TableRead:
    """What one allocation table gave."""

    allocations: list[Allocation] = field(default_factory=list)
    unit: str = "万元"
    total_wan: Decimal | None = None
    total_printed: str | None = None
    total_span: SourceSpan | None = None
    subject_codes: list[str] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    span: SourceSpan | None = None


def find_header(table: Table) -> int | None:
    """Index of the header row: a recipient label beside an amount label, in the first rows."""
    for i, row in enumerate(table.rows[:4]):
        kinds = [_kind(c) for c in row.cells]
        if "recipient" in kinds and "amount" in kinds:
            return i
    return None


@dataclass
class _Column:
    index: int
    kind: str
    label: str


def _columns(header: TableRow, below: TableRow | None) -> tuple[list[_Column], bool]:
    """Column kinds, merging a second header row of source labels ("其中" → 中央资金 | 省级资金)."""
    cells = list(header.cells)
    merged = False
    if below is not None:
        lower = list(below.cells) + [""] * (len(cells) - len(below.cells))
        first_blank = not lower[0] or _kind(cells[0]) == "seq" and not lower[1]
        if first_blank and any(lower) and all(_kind(c) in ("amount", "blank") for c in lower):
            if not any(_number(c) for c in lower):
                cells = [lo or up for up, lo in zip(cells + [""] * (len(lower) - len(cells)), lower)]
                merged = True
    return [_Column(i, _kind(c), _label(c)) for i, c in enumerate(cells)], merged


def _number(cell: str) -> bool:
    try:
        cell_amount(cell, "万元")
    except AmountError:
        return False
    return True


def _groups(columns: list[_Column]) -> list[list[_Column]]:
    """Column groups: one per recipient column (side-by-side pairs), each to the next."""
    starts = [c.index for c in columns if c.kind == "recipient"]
    groups = []
    for k, s in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(columns)
        lead = [c for c in columns[:s] if c.kind == "seq"] if k == 0 else []
        groups.append(lead + columns[s:end])
    # a 序号 column in front of each pair belongs to the pair after it
    for k in range(len(groups) - 1):
        while groups[k] and groups[k][-1].kind == "seq":
            groups[k + 1].insert(0, groups[k].pop())
    return groups


def _amount(cell: str, unit: str, what: str, line: int, out: TableRead) -> tuple[Decimal | None, str | None, str]:
    """(万元, printed, unit) of one cell; blank and dashes are None; text is a problem naming the row."""
    text = cell.strip()
    if not text:
        return None, None, unit
    if is_dash(text):
        return None, text, unit
    try:
        wan, used = cell_amount(text, unit)
    except AmountError:
        out.problems.append((line, f"allocation {what}: amount {text!r} is not a number; "
                                   "kept as printed, not counted"))
        return None, text, unit
    return wan, text, used


def read_table(table: Table, unit_hint: str | None) -> TableRead | None:
    """Allocations of one table; None when it has no recipient/amount header."""
    h = find_header(table)
    if h is None:
        return None
    rows = table.rows
    columns, merged = _columns(rows[h], rows[h + 1] if h + 1 < len(rows) else None)
    out = TableRead(span=table.span)
    out.unit = next((u for c in rows[h].cells if (u := unit_in(c))), None) or unit_hint or "万元"
    for row in rows[:h]:
        out.unit = unit_in(" ".join(row.cells)) or out.unit
    body = rows[h + 1 + merged:]
    drafts: list[tuple[TableRow, int, str, list[_Column]]] = []  # row, indent, recipient, group
    for group in _groups(columns):
        rc = next(c for c in group if c.kind == "recipient")
        for row in body:
            if rc.index >= len(row.cells):
                continue
            name = row.cells[rc.index]
            values = [row.cells[c.index] for c in group if c.kind == "amount" and c.index < len(row.cells)]
            if not name and not any(values):
                continue
            drafts.append((row, row.indents[rc.index], name, group))
    for row, indent, name, group in drafts:
        _read_row(row, indent, name, group, out)
    _structure(out, [d[1] for d in drafts if not _TOTAL_ROW.match(re.sub(r"\s+", "", d[2]))])
    return out


def _read_row(row: TableRow, indent: int, name: str, group: list[_Column], out: TableRead) -> None:
    amounts = [c for c in group if c.kind == "amount" and c.index < len(row.cells)]
    line = row.span.first_line
    what = repr(name) if name else f"row at line {line}"
    totals = [c for c in amounts if _TOTAL_COL.search(c.label) and not _SOURCE_WORD.search(c.label)]
    total_col = totals[0] if len(amounts) > 1 and totals else (amounts[0] if len(amounts) == 1 else None)
    part_cols = [c for c in amounts if c is not total_col]
    if len(amounts) == 1 and _SOURCE_WORD.search(amounts[0].label):
        part_cols = amounts
    parts = []
    for c in part_cols:
        wan, printed, _ = _amount(row.cells[c.index], out.unit, f"{what} ({c.label})", line, out)
        parts.append(AllocationPart(c.label, wan, printed))
    if total_col is not None:
        wan, printed, unit = _amount(row.cells[total_col.index], out.unit, what, line, out)
    else:  # only source columns: the amount is their sum, and none is printed
        known = [p.amount_wan for p in parts if p.amount_wan is not None]
        wan, printed, unit = (sum(known, Decimal(0)) if known else None), None, out.unit
    for c in group:
        if c.kind == "subject" and c.index < len(row.cells):
            out.subject_codes += re.findall(r"\b2\d{4}(?:\d{2})?\b", row.cells[c.index])
    note = next((row.cells[c.index] for c in group if c.kind == "note" and c.index < len(row.cells)
                 and row.cells[c.index]), None)
    if _TOTAL_ROW.match(re.sub(r"\s+", "", name)):
        out.total_wan, out.total_printed, out.total_span = wan, printed, row.span
        return
    out.allocations.append(Allocation(name, wan, printed, unit, row.span, parts=tuple(parts), note=note))


def _structure(out: TableRead, indents: list[int]) -> None:
    """Set parents: by indentation when the recipients are indented, else 市 rows over their 县/区
    rows, else 小计 rows over the rows above them."""
    allocs = out.allocations
    parents: list[int | None] = [None] * len(allocs)
    if indents and min(indents) < max(indents):
        stack: list[int] = []
        for i, ind in enumerate(indents):
            while stack and indents[stack[-1]] >= ind:
                stack.pop()
            parents[i] = stack[-1] if stack else None
            stack.append(i)
    elif any("小计" in a.recipient for a in allocs):
        open_rows: list[int] = []
        for i, a in enumerate(allocs):
            if "小计" in a.recipient:
                for j in open_rows:
                    parents[j] = i
                open_rows = []
            else:
                open_rows.append(i)
    elif allocs and _is_city(allocs[0].recipient) and any(_COUNTY.search(a.recipient) for a in allocs):
        city = None
        for i, a in enumerate(allocs):
            if _is_city(a.recipient):
                city = i
            else:
                parents[i] = city
    out.allocations = [
        replace(a, parent=parents[i], is_subtotal=i in parents) for i, a in enumerate(allocs)
    ]


def _is_city(name: str) -> bool:
    name = re.sub(r"^其中[:：]?", "", name)
    return bool(_CITY.search(name)) and not name.endswith("本级")
