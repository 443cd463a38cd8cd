"""One 项目支出绩效目标表 (as rows) → a Project record, by labels rather than positions."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from sys import intern

from ingest.docnumber import find_doc_numbers
from ingest.records import DocRef, Indicator, SourceSpan, SpendingPlan
from ingest.memo import remembered
from ingest.rows import LABEL_CHARS, Row, norm_label
from ingest.values import (
    REPLACEMENT,
    AmountError,
    is_blank,
    parse_amount,
    parse_indicator_value,
    parse_percent,
    shown,
)

__all__ = ["TableDraft", "parse_table", "parse_unit_row", "LEVEL1", "LEVEL2", "UNIT_LABELS"]

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
_OUTLINE_LINE = re.compile(r"\s*\d+\s*[、.．]\s*(?P<label>\S.*)")  # label stripped by the caller
# Unit fields inside a form; the first of these printed is the unit (实施单位 spends the money).
UNIT_LABELS = ("实施单位", "预算单位", "单位名称", "部门名称", "主管部门及代码", "主管部门")
# A unit code printed before the name: "(433001)乌海市…", "[155]濉溪县…", "820001-井研县…"
_UNIT_CODE_FORMS = re.compile(r"^(?:[\[【(（]\s*(?P<a>\d{3,9})\s*[\]】)）]|(?P<b>\d{3,9})\s*[-－—–_])\s*")
_MONEY_NOTE = re.compile(r"[（(]\s*(?P<unit>万元|元)\s*[）)]")
_MAX_LABEL = 12
GOAL_LABELS = ("绩效目标", "年度绩效目标", "年度目标", "总体目标", "项目绩效目标", "年度总体目标")
# Blocks of the years beyond the budget year; kept apart from the 年度目标 when both are printed
# (a table with only one of them has that one as its goals). Notes such as （2021-2023年） are dropped
# before matching.
LONG_TERM_LABELS = ("中期目标", "长期目标", "中长期目标", "总体目标", "中期绩效目标", "长期绩效目标",
                    "中长期绩效目标")
_UNIT_PREFIX = re.compile(
    r"^\s*(?:预算单位|单位名称|部门名称|部门（单位）名称|部门\(单位\)名称|实施单位|主管部门)\s*[:：]\s*")
_UNIT_CODE = re.compile(r"\d{6}")
_UNIT_SEPARATORS = " \t\n\r\f\v、,，;；"
_UNIT_MONEY = re.compile(r"[\s、,，;；]*(?:(?:计量)?单位\s*[:：]\s*(?P<money>[^\s、,，]+))?\s*$")
_UNIT_TAIL = 64
# Possessive, and no optional between two \s*: "1" + a run of spaces + "x" fails in linear time.
_PLAN_VALUE = re.compile(r"\s*+\d++(?:\.\d++)?+\s*+(?:[%％]\s*+)?$")

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
    # each goal as the pieces it was printed in (joined once, so a goal running on over many lines
    # costs linear time)
    goal_parts: list[list[str]] = field(default_factory=list)
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
    goals_numbered: bool = True  # every goal so far starts with its number ("1.", "（2）")
    long_parts: list[list[str]] = field(default_factory=list)  # a 中期目标 / 长期目标 block, as goal_parts
    long_numbered: bool = True

    @property
    def goals(self) -> list[str]:
        return ["".join(parts) for parts in self.goal_parts]

    @property
    def long_term(self) -> list[str]:
        return ["".join(parts) for parts in self.long_parts]

    def mark(self, part: str, row: Row) -> None:
        """Remember that `row` belongs to one part of the table (for field_lines)."""
        span = self.lines.get(part)
        if span is None:
            self.lines[part] = [row.first, row.last]
        elif row.last > span[1]:
            span[1] = row.last  # rows come in order: only the end moves


def parse_unit_row(text: str) -> tuple[str | None, str | None, str | None]:
    """"316005怀来县就业服务中心\t单位：万元" → (code, name, money unit)."""
    text = _UNIT_PREFIX.sub("", text.replace("\t", " ")).strip()
    text = re.sub(r"^金额\s*(?=单位\s*[:：])", "", text)  # "金额单位：元" names no unit
    forms = _UNIT_CODE_FORMS.match(text)
    if forms is not None:
        code, rest = forms["a"] or forms["b"], text[forms.end():]
    else:
        code = text[:6] if _UNIT_CODE.match(text) else None
        rest = text[6:] if code else text
    # The money clause closes the row: look for it in a bounded tail, so a long run of spaces or
    # separators cannot make the search quadratic; whatever separators precede it belong to neither.
    cut = max(0, len(rest) - _UNIT_TAIL)
    m = _UNIT_MONEY.search(rest, cut)  # always found: the pattern is all optional up to the end
    at, money = (m.start(), m["money"]) if m else (len(rest), None)
    name = rest[:at].rstrip(_UNIT_SEPARATORS).strip()
    return code, (name or None), money


# A note in brackets; no opening bracket inside, so a run of "((((" is scanned once, not once per "(".
_NOTE = re.compile(r"[（(][^（()）]*[）)]")


@remembered(maxsize=65536, longest=LABEL_CHARS)  # a long cell is no label: it does not pin the cache
def _label_core(cell: str) -> str:
    """"其中：财政    资金（万元）" → "财政资金": the label without 其中, colons and a unit note."""
    core = _NOTE.sub("", norm_label(cell))
    return core.removeprefix("其中:").removeprefix("其中").strip(":")


def _label_positions(row: Row, labels: tuple[str, ...]) -> dict[str, int]:
    """Index of the first label cell (a short cell) ending with each of `labels`; one pass over the row."""
    found: dict[str, int] = {}
    for i, cell in enumerate(row.cells):
        core = _label_core(cell)
        if len(core) <= _MAX_LABEL and core.endswith(labels):
            for label in labels:
                if label not in found and core.endswith(label):
                    found[label] = i
    return found


def _after(row: Row, label: str, positions: dict[str, int] | None = None) -> tuple[str | None, int | None]:
    """The cell after the first label cell (a short cell ending with `label`)."""
    i = (_label_positions(row, (label,)) if positions is None else positions).get(label)
    if i is None:
        return None, None
    if i + 1 < len(row.cells):
        return row.cells[i + 1], row.lines[i + 1]
    return None, row.lines[i]


_ALL_AMOUNT_LABELS = tuple(label for _, labels in AMOUNT_LABELS for label in labels)


def _is_amount_row(row: Row) -> bool:
    if len(row.cells) < 2:
        return False  # a paragraph that merely ends with 财政资金 is not a label row
    return any(len(core := _label_core(c)) <= _MAX_LABEL and core.endswith(_ALL_AMOUNT_LABELS)
               for c in row.cells)


def _amounts(row: Row, file: str, warn: Warn, out: dict[str, Decimal | None],
             d: TableDraft | None = None) -> None:
    """Read whichever amount labels this row holds into `out` (a template may split them over rows)."""
    if d is not None and _outline_line(row, d, warn):
        return
    positions = _label_positions(row, _ALL_AMOUNT_LABELS)
    for key, labels in AMOUNT_LABELS:
        for label in labels:
            cell, line = _after(row, label, positions)
            if line is None:
                continue
            if cell and REPLACEMENT in cell:
                warn(line, f"{label} {shown(cell.strip())} has bytes that could not be decoded; left empty")
                out[key] = None
                break
            try:
                out[key] = parse_amount(cell)
            except AmountError:
                warn(line, f"{label} {shown((cell or '').strip())} is not a number; left empty")
                out[key] = None
            if d is not None and cell:
                d.printed[key] = cell.strip()
                d.subtotal = d.subtotal or label.endswith("小计")
            break


def _outline_line(row: Row, d: TableDraft, warn: Warn) -> bool:
    """Note a money unit in a label ("预算数（元）"); read a breakdown line under 财政拨款小计.
    True when the row was such a line."""
    note = next((m for c in row.cells if len(c) <= 24 and (m := _MONEY_NOTE.search(c))), None)
    if note and d.money is None:
        d.money = note["unit"]
    label_cell = next((c for c in row.cells if c.strip()), "")
    line = _OUTLINE_LINE.match(_NOTE.sub("", label_cell)) if d.subtotal else None
    if line is None:
        return False
    # under 财政拨款小计: 一般公共预算, 政府性基金预算 … are its breakdown, not fiscal_wan
    cell, at = _after(row, _label_core(label_cell))
    try:
        amount = parse_amount(cell)
    except AmountError:
        warn(at or row.first, f"{line['label'].strip()} {shown((cell or '').strip())} is not a number; "
             "left empty")
        amount = None
    d.breakdown.append((line["label"].strip(), amount, (cell or "").strip()))
    return True


def _is_outline_row(row: Row, d: TableDraft, state: str) -> bool:
    """"1、一般公共预算 | 6.30" right under a 财政拨款小计: a line of its breakdown."""
    return d.subtotal and state == "purpose" and len(row.cells) >= 2 and bool(_OUTLINE_LINE.match(row.key))


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
    return tuple(intern(c.strip()) or None for c in cells)


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
        cells = list(row.cells)
        while len(cells) > len(self.columns) and is_blank(cells[-1]):
            cells.pop()
        values, repaired = self._place(cells, row.first)
        # Interned: a column's cells repeat across the tables of a corpus (产出指标, 数量指标, ≥95%, the
        # same indicator every year), and one string per distinct cell keeps the records small.
        values = {k: (intern(v.strip()) if v and v.strip() else None) for k, v in values.items()}
        value = _joined_value(values)
        weight = None
        if values["weight"]:
            try:
                weight = parse_amount(values["weight"])
            except AmountError:
                self.warn(row.first, f"权重 {shown(values['weight'])} is not a number; left empty")
        for level in ("level1", "level2"):
            if values[level] is None and self.prev.get(level):
                values[level] = self.prev[level]  # a vertically merged cell
        if values["level1"] is None:
            self.warn(row.first, "indicator row has no 一级指标 and none to inherit")
        self.prev = {"level1": values["level1"], "level2": values["level2"]}
        if values["value"] and REPLACEMENT in values["value"]:
            self.warn(row.first, f"指标值 {shown(values['value'])} has bytes that could not be decoded; "
                      "kept as printed, not parsed")
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

    def _place(self, cells: list[str], line: int) -> tuple[dict[str, str | None], bool]:
        """Cells → fields by the header's columns; True when they had to be re-split or shifted."""
        n = len(self.columns)
        values: dict[str, str | None] = dict.fromkeys(FIELDS + _EXTRA_FIELDS)
        joined = _split_joined(cells)
        if joined is not None:
            self._place_joined(cells, joined, values, line)
            return values, True
        if len(cells) == n:
            values.update((f, c) for f, c in zip(self.columns, cells) if f)
            return values, False
        if len(cells) == n - 1 and self.columns[0] == "level1" and (cells[0] in LEVEL2 or cells[0] not in LEVEL1):
            # the merged 一级指标 cell is printed once
            values.update((f, c) for f, c in zip(self.columns[1:], cells) if f)
            return values, False
        values.update((f, c) for f, c in zip(self.columns, cells[:n]) if f)
        if len(cells) > n and self.columns[-1]:
            values[self.columns[-1]] = " ".join(c for c in cells[n - 1 :] if c)
        self.warn(line, f"malformed indicator row: {len(cells)} cells where the header has {n}; "
                  "cells taken left to right")
        return values, True

    def _place_joined(self, cells: list[str], joined: list[str], values: dict[str, str | None],
                      line: int) -> None:
        """A first cell holding several levels ("效益指标、经济效益指标、…"): split it, align the rest."""
        rest = cells[1:]
        labels = dict(zip(("level1", "level2", "level3"), joined))
        values.update(labels)
        # Columns the header could not name stay as positions (None) so the rest still lines up.
        tail = [f for f in self.columns if f not in labels]
        if len(rest) == len(tail):
            values.update((f, c) for f, c in zip(tail, rest) if f)
            self.warn(line, f"indicator cell {shown(cells[0])} held several levels; split into them")
            return
        # The merged cell swallowed some columns; what is left lines up from the right.
        keep = max(0, len(tail) - len(rest))
        values.update((f, c) for f, c in zip(tail[keep:], rest[len(rest) - (len(tail) - keep):]) if f)
        missing = [f for f in tail[:keep] if f]
        lost = f" and {', '.join(missing)} are missing" if missing else ""
        self.warn(line, f"malformed indicator row: cell {shown(cells[0])} held several levels{lost}; "
                  "kept what is clear")


def _joined_value(values: dict[str, str | None]) -> str | None:
    """The value as read across its columns: 指标性质 "≥", 指标值 "95", 度量单位 "%" → "≥95%".
    A 指标性质 that is no comparator (定性, 定量) is not part of the value."""
    value = values["value"]
    op, measure = values.get("op"), values.get("measure")
    if value is None or (op is None and measure is None):
        return value
    parsed = parse_indicator_value(op + value) if op else None
    prefix = op if parsed is not None and parsed.op is not None else ""
    return intern(f"{prefix}{value}{measure or ''}")


def parse_table(rows: list[Row], file: str, warn: Warn) -> TableDraft:
    """Walk the rows of one table (from its 项目编码 row on) and gather its fields."""
    return _TableWalker(file, warn).walk(rows)


class _TableWalker:
    """The steps of reading one table: each row goes to the step its label and position call for."""

    def __init__(self, file: str, warn: Warn):
        self.file, self.warn = file, warn
        self.d = TableDraft()
        self.state = "head"  # head | purpose | plan | after-plan | goals | indicators
        self.plan_labels: tuple[str, ...] = ()
        self.reader: _IndicatorReader | None = None
        # Text rows continuing the last indicator's last cell, joined once when the run ends.
        self.run_on: list[str] = []
        self.run_on_first = self.run_on_last = 0
        self.long_block = False  # the goal rows being read are a long-term block
        self.goal_columns: list[tuple[int, bool]] = []  # (position from the right, long-term)

    def walk(self, rows: list[Row]) -> TableDraft:
        for row in rows:
            self.d.last_line = max(self.d.last_line, row.last)
            step = self._step_for(row)
            if step != self._indicator_row:
                self._end_run_on()
            step(row)
        self._end_run_on()
        d = self.d
        if d.long_parts and not d.goal_parts:
            # only one block printed: it is the goals, whatever its label
            d.goal_parts, d.long_parts = d.long_parts, []
            d.lines["goals"] = d.lines.pop("long_term_goals")
        return d

    def _step_for(self, row: Row) -> Callable[[Row], None]:
        """Which step reads `row`: by its label first, else by the part of the table we are in."""
        key = row.key
        if self.state == "indicators" and self.reader is not None and not key.startswith("项目编码"):
            return self._indicator_row  # the bulk of every table: no label can follow the header
        if key.startswith("项目编码") or key.startswith("项目名称"):
            return self._code_row
        if key.startswith(UNIT_LABELS):
            return self._unit_row
        if key.startswith("预算规模") or _is_amount_row(row) or _is_outline_row(row, self.d, self.state):
            return self._amount_row
        if key.startswith("资金支出计划"):
            return self._plan_header
        if _label_core(row.cells[0]) in GOAL_LABELS or _label_core(row.cells[0]) in LONG_TERM_LABELS:
            return self._goal_row
        if "一级指标" in [norm_label(c) for c in row.cells]:
            return self._indicator_header
        return {"purpose": self._purpose_row, "plan": self._plan_row, "goals": self._goal_continuation,
                "goal-columns": self._goal_columns_row}.get(self.state, self._unexpected_row)

    def _code_row(self, row: Row) -> None:
        d = self.d
        cell, line = _after(row, "项目编码")
        if line is None:
            cell, line = _after(row, "预算编码")
        if line is not None:
            d.project_code, d.code_line = self._exact("项目编码", cell, line), line
            d.lines["code"] = [line, line]
        cell, line = _after(row, "项目名称")
        if line is not None:
            d.project_name, d.name_line = (cell.strip() or None) if cell else None, line
            d.lines["name"] = [line, line]
        self.state = "head"

    def _exact(self, label: str, cell: str | None, line: int) -> str | None:
        """A code as printed; None (and a message) when decoding replaced some of its bytes."""
        text = (cell.strip() or None) if cell else None
        if text and REPLACEMENT in text:
            self.warn(line, f"{label} {shown(text)} has bytes that could not be decoded; left empty")
            return None
        return text

    def _unit_row(self, row: Row) -> None:
        """"实施单位 | (433001)乌海市… | 主管部门 | …" → the draft's units by label."""
        for i, cell in enumerate(row.cells[:-1]):
            label = norm_label(cell).rstrip(":")
            if label in UNIT_LABELS and row.cells[i + 1].strip():
                code, name, _ = parse_unit_row(row.cells[i + 1])
                self.d.units.setdefault(label, (code, name, row.lines[i + 1]))
        self.d.mark("unit", row)

    def _amount_row(self, row: Row) -> None:
        self.d.plan_expected = self.d.plan_expected or row.key.startswith("预算规模")
        _amounts(row, self.file, self.warn, self.d.amounts, self.d)
        self.d.mark("amounts", row)
        self.state = "purpose"

    def _plan_header(self, row: Row) -> None:
        self.plan_labels = tuple(intern(c.strip()) for c in row.cells[1:] if c.strip())
        self.d.plan = SpendingPlan(self.plan_labels, (None,) * len(self.plan_labels))
        self.d.mark("plan", row)
        self.state = "plan"

    def _plan_row(self, row: Row) -> None:
        printed = _plan_values(row, self.plan_labels)
        if printed is None:
            self.warn(row.first, f"unexpected row in the 资金支出计划: {row.text[:40]!r}")
        else:
            self.d.plan = SpendingPlan(self.plan_labels, printed)
            self.d.mark("plan", row)
            for label, value in zip(self.plan_labels, printed):
                if value and parse_percent(value) is None:
                    self.warn(row.first, f"spending plan {label} {shown(value)} is not a percentage")
        self.state = "after-plan"

    def _goal_row(self, row: Row) -> None:
        columns = _goal_columns(row)
        if columns:
            # "绩效目标 | 中期目标（2021-2023年） | 年度目标": the blocks stand in the rows below
            self.goal_columns = columns
            self.state = "goal-columns"
            self.d.mark("goals", row)
            return
        self.long_block = _label_core(row.cells[0]) in LONG_TERM_LABELS
        self._add(self.long_block, [g.strip() for c in row.cells[1:] for g in c.split("\n") if g.strip()], row)
        self.state = "goals"

    def _goal_continuation(self, row: Row) -> None:
        self._add(self.long_block, [g.strip() for c in row.cells for g in c.split("\n") if g.strip()], row)

    def _goal_columns_row(self, row: Row) -> None:
        """A row under the goal blocks' labels: each cell to its block, columns counted from the
        right (a label merged down from above may or may not leave an empty cell on the left)."""
        if row.is_text:
            # one layout's cell broken over lines: it runs on the last column's block
            self._add(self.goal_columns[-1][1], [row.text.strip()], row)
            return
        for offset, long in self.goal_columns:
            k = len(row.cells) - offset
            if 0 <= k < len(row.cells):
                self._add(long, [g.strip() for g in row.cells[k].split("\n") if g.strip()], row)

    def _add(self, long: bool, lines: list[str], row: Row) -> None:
        _add_goals(self.d, lines, long)
        self.d.mark("long_term_goals" if long else "goals", row)

    def _purpose_row(self, row: Row) -> None:
        self.d.purpose.extend((c, ln) for c, ln in zip(row.cells, row.lines) if c.strip())
        self.d.mark("purpose", row)

    def _indicator_header(self, row: Row) -> None:
        self.reader = _IndicatorReader(row, self.file, self.warn)
        self.d.mark("indicators", row)
        self.d.has_header = True
        self.state = "indicators"

    def _indicator_row(self, row: Row) -> None:
        if self.reader is None:  # not chosen before the header has been read
            self._unexpected_row(row)
        elif row.is_text and self.d.indicators:
            # A line break inside a cell: the text continues the previous row's last cell.
            if not self.run_on:
                self.run_on_first = row.first
            self.run_on.append(row.text)
            self.run_on_last = row.last
        else:
            self.d.indicators.append(self.reader.read(row))
        self.d.mark("indicators", row)

    def _end_run_on(self) -> None:
        if self.run_on:
            lines = f"{len(self.run_on)} lines of text" if len(self.run_on) > 1 else "text"
            self.warn(self.run_on_first, f"{lines} inside the indicator table joined to the row above")
            self.d.indicators[-1] = _append_text(self.d.indicators[-1], "".join(self.run_on), self.run_on_last)
            self.run_on.clear()

    def _unexpected_row(self, row: Row) -> None:
        self.warn(row.first, f"unexpected row ignored: {row.text[:40]!r}")


_GOAL_NUMBER = re.compile(r"^\s*(?:\d+\s*[.、．)）]|[（(]\s*\d+\s*[)）]|[一二三四五六七八九十]+\s*[、.．])")


def _add_goals(d: TableDraft, lines: list[str], long: bool = False) -> None:
    """Goals one per line; in a numbered list an unnumbered line is the previous goal running on."""
    parts = d.long_parts if long else d.goal_parts
    for line in lines:
        numbered = bool(_GOAL_NUMBER.match(line))
        if parts and (d.long_numbered if long else d.goals_numbered) and not numbered:
            parts[-1].append(line)
        else:
            parts.append([line])
            if long:
                d.long_numbered = d.long_numbered and numbered
            else:
                d.goals_numbered = d.goals_numbered and numbered


def _goal_columns(row: Row) -> list[tuple[int, bool]]:
    """For a row of goal block labels side by side, with a long-term and an annual one
    (`中期目标（2021-2023年） | 年度目标`, maybe after a `绩效目标` label): each block's
    (position from the right, long-term); else []."""
    cores = [_label_core(c) for c in row.cells]
    if not all(cores[i] in GOAL_LABELS or cores[i] in LONG_TERM_LABELS for i, c in enumerate(row.cells)
               if c.strip()):
        return []
    labels = [i for i, core in enumerate(cores) if core]
    if len(labels) > 2:
        labels = labels[1:]  # "总体目标 | 中长期目标 | 年度目标": the first names the whole
    columns = [(len(row.cells) - i, cores[i] in LONG_TERM_LABELS) for i in labels]
    if len(columns) != 2 or [long for _, long in columns].count(True) != 1:
        return []
    return columns


def _append_text(ind: Indicator, text: str, last_line: int) -> Indicator:
    for name in ("basis", "value", "description", "level3"):
        if getattr(ind, name):
            return replace(
                ind,
                **{name: getattr(ind, name) + text},
                span=SourceSpan(ind.span.file, ind.span.first_line, last_line),
                repaired=True,
            )
    return ind


def collect_doc_refs(items: list[tuple[str, str | None, int | None]], warn: Warn | None = None
                     ) -> tuple[DocRef, ...]:
    """Every 文号 in (field, text, line) items, canonicalised.

    A 文号 touching a byte that decoding replaced is not loaded (its serial or issuer may be cut
    short: 冀财社〔2021〕17�6号 must not become 17号); `warn` hears about it.
    """
    refs: list[DocRef] = []
    for fld, text, line in items:
        if not text:
            continue
        for m in find_doc_numbers(text):
            if m.damaged:
                if warn is not None:
                    warn(line or 0, f"文号 {shown(text[max(0, m.start - 1): m.end + 1])} in the {fld} has "
                         "bytes that could not be decoded; not loaded")
                continue
            refs.append(DocRef(intern(m.doc.canonical), intern(m.raw), fld, line or 0))
    return tuple(refs)
