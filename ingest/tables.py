"""One 项目支出绩效目标表 (as rows) → a Project record, by labels rather than positions."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from ingest.docnumber import find_doc_numbers
from ingest.records import DocRef, Indicator, SourceSpan, SpendingPlan
from ingest.rows import Row, norm_label
from ingest.values import AmountError, is_blank, parse_amount, parse_indicator_value, parse_percent

__all__ = ["TableDraft", "parse_table", "parse_unit_row", "LEVEL1", "LEVEL2"]

# The indicator framework's first and second levels (财预〔2015〕88号, 财预〔2021〕101号).
LEVEL1 = ("产出指标", "效益指标", "满意度指标", "成本指标")
LEVEL2 = (
    "数量指标", "质量指标", "时效指标", "成本指标", "经济效益指标", "社会效益指标", "生态效益指标",
    "可持续影响指标", "服务对象满意度指标", "经济成本指标", "社会成本指标", "生态环境成本指标",
)
FIELDS = ("level1", "level2", "level3", "description", "value", "basis")
_EXTRA_FIELDS = ("op", "measure", "weight", "direction")  # columns only some templates print
# Header words → field, first match wins (a header cell may carry a note: "指标值（含单位）").
_HEADER_FIELDS = (
    ("一级", "level1"), ("二级", "level2"), ("三级", "level3"),
    ("指标性质", "op"), ("度量单位", "measure"), ("计量单位", "measure"), ("权重", "weight"),
    ("分值", "weight"), ("指标方向", "direction"),
    ("依据", "basis"), ("描述", "description"), ("指标内容", "description"), ("指标说明", "description"),
    ("指标值", "value"), ("目标值", "value"), ("标准值", "value"), ("年度指标", "value"),
)
# Amount labels of the common templates: 预算数/财政资金/其他资金 and 年度资金总额/财政拨款/其他资金.
AMOUNT_LABELS = (
    ("budget_wan", ("预算数", "年度资金总额", "资金总额", "预算金额", "年度预算数", "项目总额", "合计")),
    ("fiscal_wan", ("财政资金", "财政拨款", "财政性资金", "一般公共预算", "财政拨款数", "财政拨款小计",
                    "财政拨款资金")),
    ("other_wan", ("其他资金", "其它资金")),
)
# A line of an outline funding block under "(一)财政拨款小计": "1、一般公共预算", "2、政府性基金预算".
_OUTLINE_LINE = re.compile(r"^\s*\d+\s*[、.．]\s*(?P<label>\S.*?)\s*$")
# Unit fields inside a form; the first of these printed is the unit (实施单位 spends the money).
UNIT_LABELS = ("实施单位", "预算单位", "单位名称", "部门名称", "主管部门及代码", "主管部门")
# A unit code printed before the name: "(433001)乌海市…", "[155]濉溪县…", "820001-井研县…", "316001怀来县…"
_UNIT_CODE = re.compile(
    r"^\s*(?:[\[【(（]\s*(?P<a>\d{3,9})\s*[\]】)）]|(?P<b>\d{3,9})\s*[-－—–_]|(?P<c>\d{6})(?=\D))\s*"
)
_MONEY_NOTE = re.compile(r"[（(]\s*(?P<unit>万元|元)\s*[）)]")
_MAX_LABEL = 12
GOAL_LABELS = ("绩效目标", "年度绩效目标", "年度目标", "总体目标", "项目绩效目标", "年度总体目标")
_UNIT_ROW = re.compile(
    r"^\s*(?P<code>\d{6})?\s*(?P<name>.*?)[\s、,，;；]*(?:(?:计量)?单位\s*[:：]\s*(?P<money>[^\s、,，]+))?\s*$"
)
_PLAN_VALUE = re.compile(r"^\s*\d+(?:\.\d+)?\s*[%％]?\s*$")

Warn = Callable[[int, str], None]


@dataclass
class TableDraft:
    """Fields gathered while walking a table's rows."""

    project_code: str | None = None
    project_name: str | None = None
    code_line: int | None = None
    name_line: int | None = None
    amounts: dict[str, Decimal | None] = field(default_factory=dict)
    purpose: list[tuple[str, int]] = field(default_factory=list)
    plan: SpendingPlan | None = None
    goals: list[str] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    has_header: bool = False
    last_line: int = 0
    lines: dict[str, list[int]] = field(default_factory=dict)
    printed: dict[str, str] = field(default_factory=dict)  # amounts as printed, by key
    money: str | None = None  # 元 or 万元 from a label's note ("预算数（元）")
    breakdown: list[tuple[str, Decimal | None, str]] = field(default_factory=list)
    subtotal: bool = False  # a 财政拨款小计 was read: numbered lines below it are its breakdown
    plan_expected: bool = False  # the 预算规模及资金用途 template, which always prints a 资金支出计划
    units: dict[str, tuple[str | None, str | None, int]] = field(default_factory=dict)

    def mark(self, part: str, row: Row) -> None:
        """Remember that `row` belongs to one part of the table (for field_lines)."""
        span = self.lines.get(part)
        if span is None:
            self.lines[part] = [row.first, row.last]
        elif row.last > span[1]:
            span[1] = row.last  # rows come in order: only the end moves


def parse_unit_row(text: str) -> tuple[str | None, str | None, str | None]:
    """"316005怀来县就业服务中心\t单位：万元" → (code, name, money unit)."""
    text = re.sub(r"^\s*(?:预算单位|单位名称|部门名称|部门（单位）名称|部门\(单位\)名称|实施单位|主管部门)"
                  r"\s*[:：]\s*", "", text.replace("\t", " "))
    text = re.sub(r"^\s*金额\s*(?=单位\s*[:：])", "", text)  # "金额单位：元" names no unit
    code = None
    c = _UNIT_CODE.match(text)
    if c is not None:
        code = c["a"] or c["b"] or c["c"]
        text = text[c.end():]
    m = _UNIT_ROW.match(text)
    if m is None:  # pragma: no cover - every string matches the optional groups
        return code, None, None
    return code or m["code"], (m["name"].strip() or None), m["money"]


_NOTE = re.compile(r"[（(][^）)]*[）)]")


@lru_cache(maxsize=65536)
def _label_core(cell: str) -> str:
    """"其中：财政    资金（万元）" → "财政资金": the label without 其中, colons and a unit note."""
    core = _NOTE.sub("", norm_label(cell))
    return core.removeprefix("其中:").removeprefix("其中").strip(":")


def _after(row: Row, label: str) -> tuple[str | None, int | None]:
    """The cell after the first label cell (a short cell ending with `label`)."""
    for i, cell in enumerate(row.cells):
        core = _label_core(cell)
        if core.endswith(label) and len(core) <= _MAX_LABEL:
            for j in range(i + 1, len(row.cells)):
                return row.cells[j], row.lines[j]
            return None, row.lines[i]
    return None, None


_ALL_AMOUNT_LABELS = tuple(label for _, labels in AMOUNT_LABELS for label in labels)


def _is_amount_row(row: Row) -> bool:
    if len(row.cells) < 2:
        return False  # a paragraph that merely ends with 财政资金 is not a label row
    return any(len(core := _label_core(c)) <= _MAX_LABEL and core.endswith(_ALL_AMOUNT_LABELS)
               for c in row.cells)


def _amounts(row: Row, file: str, warn: Warn, out: dict[str, Decimal | None],
             d: TableDraft | None = None) -> None:
    """Read whichever amount labels this row holds into `out` (a template may split them over rows)."""
    if d is not None:
        label_cell = next((c for c in row.cells if c.strip()), "")
        note = next((m for c in row.cells if len(c) <= 24 and (m := _MONEY_NOTE.search(c))), None)
        if note and d.money is None:
            d.money = note["unit"]
        line = _OUTLINE_LINE.match(_NOTE.sub("", label_cell)) if d.subtotal else None
        if line is not None:
            # under 财政拨款小计: 一般公共预算, 政府性基金预算 … are its breakdown, not fiscal_wan
            cell, at = _after(row, _label_core(label_cell))
            try:
                amount = parse_amount(cell)
            except AmountError:
                warn(at or row.first, f"{line['label']} {(cell or '').strip()!r} is not a number; left empty")
                amount = None
            d.breakdown.append((line["label"], amount, (cell or "").strip()))
            return
    for key, labels in AMOUNT_LABELS:
        for label in labels:
            cell, line = _after(row, label)
            if line is None:
                continue
            try:
                out[key] = parse_amount(cell)
            except AmountError:
                warn(line, f"{label} {(cell or '').strip()!r} is not a number; left empty")
                out[key] = None
            if d is not None and cell:
                d.printed[key] = cell.strip()
                d.subtotal = d.subtotal or label.endswith("小计")
            break


def _plan_values(row: Row, labels: tuple[str, ...]) -> tuple[str | None, ...] | None:
    """The printed values of a plan row, aligned to the labels; None when the row is not one."""
    cells = list(row.cells)
    if row.is_text and not _PLAN_VALUE.match(cells[0]):
        return None
    if not all(is_blank(c) or _PLAN_VALUE.match(c) for c in cells):
        return None
    if len(cells) > len(labels) and is_blank(cells[0]):
        cells = cells[1:]  # the cell under the row label 资金支出计划
    cells = (cells + [""] * len(labels))[: len(labels)]
    return tuple(c.strip() or None for c in cells)


def _split_joined(cells: list[str]) -> list[str] | None:
    """"效益指标、经济效益指标、经济效益" in one cell → the labels it joins; None when not such a cell."""
    first = cells[0]
    if "、" not in first:
        return None
    parts = [p.strip() for p in first.split("、")]
    if parts[0] in LEVEL1 and len(parts) <= 3 and parts[1] in LEVEL2:
        return parts
    return None


class _IndicatorReader:
    """Turns indicator rows into Indicator records, inheriting merged level-1/level-2 cells."""

    def __init__(self, header: Row, file: str, warn: Warn):
        self.file, self.warn = file, warn
        self.columns: list[str | None] = []
        for cell in header.cells:
            label = norm_label(cell)
            self.columns.append(next((f for k, f in _HEADER_FIELDS if k in label), None) if label else None)
        while self.columns and self.columns[-1] is None:
            self.columns.pop()
        named = [c for c in self.columns if c]
        if len(set(named)) != len(named) or not {"level1", "level2", "level3", "value"} <= set(named):
            self.columns = list(FIELDS)  # an unfamiliar header: fall back to the standard order
        self.prev: dict[str, str | None] = {}

    def read(self, row: Row) -> Indicator:
        n = len(self.columns)
        cells = list(row.cells)
        lines = list(row.lines)
        while len(cells) > n and is_blank(cells[-1]):
            cells.pop()
            lines.pop()
        values: dict[str, str | None] = dict.fromkeys(FIELDS + _EXTRA_FIELDS)
        repaired = False
        joined = _split_joined(cells)
        if joined is not None:
            rest = cells[1:]
            labels = dict(zip(("level1", "level2", "level3"), joined))
            tail = [f for f in self.columns if f not in labels]  # type: ignore[misc]
            values.update(labels)
            repaired = True
            if len(rest) == len(tail):
                values.update(zip(tail, rest))
                self.warn(row.first, f"indicator cell {cells[0]!r} held several levels; split into them")
            else:
                # The merged cell swallowed some columns; what is left lines up from the right.
                values.update(zip(tail[len(tail) - len(rest):], rest))
                missing = tail[: len(tail) - len(rest)]
                self.warn(
                    row.first,
                    f"malformed indicator row: cell {cells[0]!r} held several levels and "
                    f"{', '.join(missing)} are missing; kept what is clear",
                )
        elif len(cells) == n:
            values.update((f, c) for f, c in zip(self.columns, cells) if f)
        elif len(cells) == n - 1 and self.columns[0] == "level1" and (
            cells[0] in LEVEL2 or cells[0] not in LEVEL1
        ):
            # the merged 一级指标 cell is printed once
            values.update((f, c) for f, c in zip(self.columns[1:], cells) if f)
        else:
            values.update((f, c) for f, c in zip(self.columns, cells[:n]) if f)
            if len(cells) > n and self.columns[-1]:
                values[self.columns[-1]] = " ".join(c for c in cells[n - 1 :] if c)
            repaired = True
            self.warn(
                row.first,
                f"malformed indicator row: {len(cells)} cells where the header has {n}; "
                "cells taken left to right",
            )
        values = {k: (v.strip() if v and v.strip() else None) for k, v in values.items()}
        value = _joined_value(values)
        weight = None
        if values["weight"]:
            try:
                weight = parse_amount(values["weight"])
            except AmountError:
                self.warn(row.first, f"权重 {values['weight']!r} is not a number; left empty")
        for level in ("level1", "level2"):
            if values[level] is None and self.prev.get(level):
                values[level] = self.prev[level]  # a vertically merged cell
        if values["level1"] is None:
            self.warn(row.first, "indicator row has no 一级指标 and none to inherit")
        self.prev = {"level1": values["level1"], "level2": values["level2"]}
        return Indicator(
            level1=values["level1"],
            level2=values["level2"],
            level3=values["level3"],
            description=values["description"],
            value=value,
            basis=values["basis"],
            span=SourceSpan(self.file, row.first, row.last),
            parsed=parse_indicator_value(value),
            repaired=repaired,
            weight=weight,
            direction=values["direction"],
        )


def _joined_value(values: dict[str, str | None]) -> str | None:
    """The value as read across its columns: 指标性质 "≥", 指标值 "95", 度量单位 "%" → "≥95%".
    A 指标性质 that is no comparator (定性, 定量) is not part of the value."""
    value = values["value"]
    op, measure = values.get("op"), values.get("measure")
    if value is None or (op is None and measure is None):
        return value
    parsed = parse_indicator_value(op + value) if op else None
    prefix = op if parsed is not None and parsed.op is not None else ""
    return f"{prefix}{value}{measure or ''}"


def parse_table(rows: list[Row], file: str, warn: Warn) -> TableDraft:
    """Walk the rows of one table (from its 项目编码 row on) and gather its fields."""
    d = TableDraft()
    state = "head"
    plan_labels: tuple[str, ...] = ()
    reader: _IndicatorReader | None = None
    for row in rows:
        key = row.key
        d.last_line = max(d.last_line, row.last)
        if state == "indicators" and reader is not None and not key.startswith("项目编码"):
            # the bulk of every table: no label can follow the indicator header
            if row.is_text and d.indicators:
                # A line break inside a cell: the text continues the previous row's last cell.
                warn(row.first, "text inside the indicator table joined to the row above")
                d.indicators[-1] = _append_text(d.indicators[-1], row.text, row.last)
            else:
                d.indicators.append(reader.read(row))
            d.mark("indicators", row)
            continue
        if key.startswith("项目编码") or key.startswith("项目名称"):
            cell, line = _after(row, "项目编码")
            if line is None:
                cell, line = _after(row, "预算编码")
            if line is not None:
                d.project_code, d.code_line = (cell.strip() or None) if cell else None, line
                d.lines["code"] = [line, line]
            cell, line = _after(row, "项目名称")
            if line is not None:
                d.project_name, d.name_line = (cell.strip() or None) if cell else None, line
                d.lines["name"] = [line, line]
            state = "head"
        elif key.startswith(UNIT_LABELS) and state != "indicators":
            _unit_fields(row, d)
            d.mark("unit", row)
        elif key.startswith("预算规模") or _is_amount_row(row) or _is_outline_row(row, d, state):
            d.plan_expected = d.plan_expected or key.startswith("预算规模")
            _amounts(row, file, warn, d.amounts, d)
            d.mark("amounts", row)
            state = "purpose"
        elif key.startswith("资金支出计划"):
            plan_labels = tuple(c.strip() for c in row.cells[1:] if c.strip())
            d.plan = SpendingPlan(plan_labels, (None,) * len(plan_labels))
            d.mark("plan", row)
            state = "plan"
        elif _label_core(row.cells[0]) in GOAL_LABELS and state != "indicators":
            _add_goals(d, [g.strip() for c in row.cells[1:] for g in c.split("\n") if g.strip()])
            d.mark("goals", row)
            state = "goals"
        elif "一级指标" in [norm_label(c) for c in row.cells]:
            reader = _IndicatorReader(row, file, warn)
            d.mark("indicators", row)
            d.has_header = True
            state = "indicators"
        elif state == "purpose":
            d.purpose.extend((c, ln) for c, ln in zip(row.cells, row.lines) if c.strip())
            d.mark("purpose", row)
        elif state == "plan":
            printed = _plan_values(row, plan_labels)
            if printed is None:
                warn(row.first, f"unexpected row in the 资金支出计划: {row.text[:40]!r}")
            else:
                d.plan = SpendingPlan(plan_labels, printed)
                d.mark("plan", row)
                for label, value in zip(plan_labels, printed):
                    if value and parse_percent(value) is None:
                        warn(row.first, f"spending plan {label} {value!r} is not a percentage")
            state = "after-plan"
        elif state == "goals":
            _add_goals(d, [g.strip() for c in row.cells for g in c.split("\n") if g.strip()])
            d.mark("goals", row)
        else:
            warn(row.first, f"unexpected row ignored: {row.text[:40]!r}")
    return d


def _is_outline_row(row: Row, d: TableDraft, state: str) -> bool:
    """"1、一般公共预算 | 6.30" right under a 财政拨款小计: a line of its breakdown."""
    return d.subtotal and state == "purpose" and len(row.cells) >= 2 and bool(_OUTLINE_LINE.match(row.key))


_GOAL_NUMBER = re.compile(r"^\s*(?:\d+\s*[.、．)）]|[（(]\s*\d+\s*[)）]|[一二三四五六七八九十]+\s*[、.．])")


def _add_goals(d: TableDraft, lines: list[str]) -> None:
    """Goals one per line; in a numbered list an unnumbered line is the previous goal running on."""
    for line in lines:
        if d.goals and all(_GOAL_NUMBER.match(g) for g in d.goals) and not _GOAL_NUMBER.match(line):
            d.goals[-1] += line
        else:
            d.goals.append(line)


def _unit_fields(row: Row, d: TableDraft) -> None:
    """"实施单位 | (433001)乌海市… | 主管部门 | …" → d.units by label."""
    for i, cell in enumerate(row.cells[:-1]):
        label = norm_label(cell).rstrip(":")
        if label in UNIT_LABELS and row.cells[i + 1].strip():
            code, name, _ = parse_unit_row(row.cells[i + 1])
            d.units.setdefault(label, (code, name, row.lines[i + 1]))


def _append_text(ind: Indicator, text: str, last_line: int) -> Indicator:
    from dataclasses import replace

    for name in ("basis", "value", "description", "level3"):
        if getattr(ind, name):
            return replace(
                ind,
                **{name: getattr(ind, name) + text},
                span=SourceSpan(ind.span.file, ind.span.first_line, last_line),
                repaired=True,
            )
    return ind


def collect_doc_refs(items: list[tuple[str, str | None, int | None]]) -> tuple[DocRef, ...]:
    """Every 文号 in (field, text, line) items, canonicalised."""
    refs: list[DocRef] = []
    for fld, text, line in items:
        if not text:
            continue
        for m in find_doc_numbers(text):
            refs.append(DocRef(m.doc.canonical, m.raw, fld, line or 0))
    return tuple(refs)
