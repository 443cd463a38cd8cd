"""Multi-project goal tables: one header row of column labels, one row per indicator below it.

    单位名称 | 项目名称 | 预算数 | 年度目标 | 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位 | 权重 | 指标方向性

The unit, project, amount and goal cells span the rows of their indicators (a cell merged down reads
as an empty cell, so it is inherited); a printed 项目名称 starts the next project. Amounts are in the
unit the table prints (`金额单位：元` above it, or `预算数（元）` in the header), kept as printed and
given in 万元 exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from ingest.records import Project, SourceSpan
from ingest.rows import Row, match_table_heading, norm_label
from ingest.tables import GOAL_LABELS, LONG_TERM_LABELS, _IndicatorReader, collect_doc_refs, parse_unit_row
from ingest.values import AmountError, parse_amount

__all__ = ["find_column_tables", "parse_column_table", "is_column_header"]

_UNIT_COLUMNS = ("单位名称", "预算单位", "部门名称", "实施单位", "部门（单位）名称", "单位")
_AMOUNT_COLUMNS = {
    "budget_wan": ("预算数", "年度资金总额", "资金总额", "预算金额", "年度预算数", "项目金额", "金额"),
    "fiscal_wan": ("财政拨款", "财政资金", "财政性资金"),
    "other_wan": ("其他资金", "其它资金"),
}
# No opening bracket inside a note: a run of "（（（…" without a closer is scanned once, not once per "（".
_NOTE = re.compile(r"[（(](?P<note>[^（()）]*)[）)]")
_MAX_LABEL = 24  # a longer cell is no column label
_MONEY_ROW = re.compile(r"(?:金额)?单位\s*[:：]\s*(?P<unit>万元|元)")

Warn = Callable[..., None]


def _core(cell: str) -> tuple[str, str | None]:
    """("预算数", "元") for "预算数（元）": the label and the money unit in its note."""
    if len(cell) > _MAX_LABEL:
        return "", None
    label = norm_label(cell)
    note = _NOTE.search(label)
    unit = note["note"].strip() if note and note["note"].strip() in ("元", "万元") else None
    return _NOTE.sub("", label), unit


def is_column_header(row: Row) -> bool:
    """A header row naming 项目名称 and 一级指标 as columns of one table."""
    if row.is_text:
        return False
    labels = {_core(c)[0] for c in row.cells}
    return "项目名称" in labels and "一级指标" in labels


def find_column_tables(rows: list[Row]) -> list[tuple[int, int]]:
    """(header index, end index) of every multi-project table."""
    out = []
    i = 0
    while i < len(rows):
        if is_column_header(rows[i]):
            width = len(rows[i].cells)
            j = i + 1
            while j < len(rows) and not rows[j].is_text and len(rows[j].cells) == width \
                    and not is_column_header(rows[j]):
                j += 1
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


@dataclass
class _Draft:
    first: int  # source line of the project's first row
    unit: tuple[str | None, str | None] = (None, None)
    name: str | None = None
    name_line: int | None = None
    code: str | None = None
    printed: dict[str, str] = field(default_factory=dict)
    goals: list[str] = field(default_factory=list)
    long_term: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    lines: dict[str, list[int]] = field(default_factory=dict)

    def mark(self, part: str, line: int) -> None:
        span = self.lines.setdefault(part, [line, line])
        span[1] = max(span[1], line)


def parse_column_table(rows: list[Row], header: int, end: int, source_name: str, warn: Warn
                       ) -> tuple[list[Project], int]:
    """Projects of the table whose header is rows[header]; also the index of its first row (heading)."""
    head = rows[header]
    columns: dict[str, int] = {}
    money = None
    indicator_cols: list[int] = []
    for k, head_cell in enumerate(head.cells):
        label, printed_unit = _core(head_cell)
        if label == "项目名称":
            columns["name"] = k
        elif label in ("项目编码", "预算编码", "项目代码"):
            columns["code"] = k
        elif label in _UNIT_COLUMNS or label.endswith("单位名称"):
            columns["unit"] = k
        elif label in LONG_TERM_LABELS:
            columns["long_term_goals"] = k
        elif label in GOAL_LABELS:
            columns["goals"] = k
        elif (key := next((key for key, names in _AMOUNT_COLUMNS.items() if label in names), None)):
            columns[key] = k
            money = money or printed_unit
        else:
            indicator_cols.append(k)
    if "goals" not in columns and "long_term_goals" in columns:
        columns["goals"] = columns.pop("long_term_goals")  # the one goal column, whatever its label
    first = header
    title = seq = None
    for j in range(header - 1, max(header - 4, -1), -1):
        r = rows[j]
        if not r.is_text:
            break
        m = _MONEY_ROW.search(r.text)
        if m and money is None:
            money = m["unit"]
            first = j
            continue
        hit = match_table_heading(r.cells[0])
        if hit is not None and hit[1] and "绩效目标" in hit[1]:
            seq, title = hit
            first = j
            break
    ind_header = Row(tuple(head.cells[k] for k in indicator_cols), tuple(head.lines[k] for k in indicator_cols),
                     head.kind)
    reader = _IndicatorReader(ind_header, source_name, warn)

    drafts: list[_Draft] = []
    unit: tuple[str | None, str | None] = (None, None)
    for r in rows[header + 1:end]:
        def cell(key: str, r: Row = r) -> str:
            return r.cells[columns[key]].strip() if key in columns else ""

        if cell("unit"):
            code, name, _ = parse_unit_row(cell("unit"))
            unit = (code, name)
        if cell("name") or not drafts:
            drafts.append(_Draft(r.first, unit=unit))
            reader.prev = {}
        d = drafts[-1]
        if cell("name"):
            d.name, d.name_line = cell("name"), r.lines[columns["name"]]
            d.mark("name", r.first)
        if cell("unit"):
            d.unit = unit
            d.mark("unit", r.first)
        if cell("code"):
            d.code = cell("code")
            d.mark("code", r.first)
        for key in _AMOUNT_COLUMNS:
            if cell(key) and key not in d.printed:
                d.printed[key] = cell(key)
                d.mark("amounts", r.first)
        if cell("goals"):
            d.goals.extend(g.strip() for g in cell("goals").split("\n") if g.strip())
            d.mark("goals", r.first)
        if cell("long_term_goals"):
            d.long_term.extend(g.strip() for g in cell("long_term_goals").split("\n") if g.strip())
            d.mark("long_term_goals", r.first)
        d.rows.append(r)
    projects = []
    for n, d in enumerate(drafts):
        indicators = []
        for r in d.rows:
            sub = Row(tuple(r.cells[k] for k in indicator_cols), tuple(r.lines[k] for k in indicator_cols), r.kind)
            if any(c.strip() for c in sub.cells):
                indicators.append(reader.read(sub))
                d.mark("indicators", r.first)
        amounts: dict[str, Decimal | None] = {}
        for key, printed in d.printed.items():
            try:
                value = parse_amount(printed)
            except AmountError:
                warn(d.first, f"{printed!r} is not a number; left empty")
                value = None
            amounts[key] = value.scaleb(-4) if value is not None and money == "元" else value
        start = rows[first].first if n == 0 else d.first
        last = d.rows[-1].last if d.rows else d.first
        refs = collect_doc_refs([("title", title, rows[first].first if title else None),
                                 ("project_name", d.name, d.name_line)], warn)
        projects.append(Project(
            year=None, seq=seq, title=title, unit_code=d.unit[0], unit_name=d.unit[1],
            project_code=d.code, project_name=d.name,
            budget_wan=amounts.get("budget_wan"), fiscal_wan=amounts.get("fiscal_wan"),
            other_wan=amounts.get("other_wan"), purpose=None, spending_plan=None,
            goals=tuple(d.goals), indicators=tuple(indicators), doc_refs=refs,
            span=SourceSpan(source_name, start, last), year_source="none",
            field_lines=tuple((part, a, b) for part, (a, b) in d.lines.items()),
            budget_printed=d.printed.get("budget_wan"), amount_unit=money, long_term_goals=tuple(d.long_term),
        ))
        if d.name is None:
            warn(d.first, "row of a multi-project table before any 项目名称")
    return projects, first
