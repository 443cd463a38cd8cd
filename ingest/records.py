"""Typed records passed between layers: exactly what the source says, plus where it says it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ingest.numbers import parse_percent

__all__ = [
    "SourceSpan",
    "Diagnostic",
    "DocRef",
    "IndicatorValue",
    "Indicator",
    "SpendingPlan",
    "Project",
    "NarrativeItem",
    "ParseResult",
]


@dataclass(frozen=True, order=True)
class SourceSpan:
    """Where a fact stands: a file name and an inclusive 1-based line range.

    For Word, PDF, Excel and web pages the place is `page` / `table` / `rows` or `sheet` / `cells`
    (an A1 range); `first_line` / `last_line` then count rows and paragraphs in reading order, so
    spans of one file still sort and stay distinct, and the JSON has no `lines`.
    """

    file: str
    first_line: int
    last_line: int
    page: int | None = None
    table: int | None = None
    rows: tuple[int, int] | None = None
    sheet: str | None = None
    cells: str | None = None
    paragraph: int | None = None  # Word and web pages: a paragraph outside tables, in reading order

    @property
    def is_text(self) -> bool:
        """True for a span of a text file (lines), False for a page, table, sheet or paragraph."""
        return self.page is None and self.table is None and self.sheet is None and self.paragraph is None

    @property
    def locator(self) -> str:
        """`FILE:LINE`, `FILE p.3 table 2 row 5` or `FILE!Sheet1!A5:L9`."""
        if self.sheet is not None:
            return f"{self.file}!{self.sheet}!{self.cells}" if self.cells else f"{self.file}!{self.sheet}"
        if self.is_text:
            if self.first_line == self.last_line:
                return f"{self.file}:{self.first_line}"
            return f"{self.file}:{self.first_line}-{self.last_line}"
        parts = [self.file]
        if self.page is not None:
            parts.append(f"p.{self.page}")
        if self.table is not None:
            parts.append(f"table {self.table}")
        if self.rows is not None:
            first, last = self.rows
            parts.append(f"row {first}" if first == last else f"rows {first}-{last}")
        if self.paragraph is not None:
            parts.append(f"paragraph {self.paragraph}")
        return " ".join(parts)

    def to_json(self) -> dict[str, Any]:
        if self.is_text:
            return {"file": self.file, "lines": [self.first_line, self.last_line]}
        out: dict[str, Any] = {"file": self.file}
        for key in ("page", "table", "rows", "sheet", "cells", "paragraph"):
            value = getattr(self, key)
            if value is not None:
                out[key] = list(value) if key == "rows" else value
        return out


@dataclass(frozen=True)
class Diagnostic:
    """A message about the input, located at FILE:LINE (severity: error, warning or info)."""

    file: str
    line: int | None
    message: str
    severity: str = "warning"
    # Where in a Word, PDF, Excel or web file ("a.pdf p.3 table 2 row 5"); replaces FILE:LINE.
    locator: str | None = None

    def __str__(self) -> str:
        where = self.locator or (f"{self.file}:{self.line}" if self.line else self.file)
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class DocRef:
    """A 文号 cited by a project: its canonical form, the raw spelling, and where it was seen."""

    canonical: str
    raw: str
    field: str  # title | project_name | purpose | basis
    line: int


@dataclass(frozen=True)
class IndicatorValue:
    """An indicator value parsed into comparator, number and unit ("≥80百分率" → ≥, 80, 百分率)."""

    op: str | None
    number: Decimal
    unit: str | None

    def to_json(self) -> dict[str, Any]:
        return {"op": self.op, "number": self.number, "unit": self.unit}


@dataclass(frozen=True)
class Indicator:
    """One row of the three-level indicator table, every cell as printed."""

    level1: str | None
    level2: str | None
    level3: str | None
    description: str | None
    value: str | None
    basis: str | None
    span: SourceSpan
    parsed: IndicatorValue | None = None
    repaired: bool = False  # cells were re-split or inherited beyond the plain level-1 continuation
    # Templates with a 权重/分值 column and a 指标方向(性) column (正向, 反向 …); None when not printed.
    weight: Decimal | None = None
    direction: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = {
            "level1": self.level1,
            "level2": self.level2,
            "level3": self.level3,
            "description": self.description,
            "value": self.value,
            "basis": self.basis,
            "value_parsed": self.parsed.to_json() if self.parsed else None,
            **({"lines": [self.span.first_line, self.span.last_line]} if self.span.is_text
               else {"source": self.span.to_json()}),
        }
        if self.weight is not None:
            out["weight"] = self.weight
        if self.direction is not None:
            out["direction"] = self.direction
        return out


@dataclass(frozen=True)
class SpendingPlan:
    """The 资金支出计划: cumulative share spent by each column label (3月底 …), as printed."""

    labels: tuple[str, ...]
    printed: tuple[str | None, ...]

    @property
    def percents(self) -> tuple[Decimal | None, ...]:
        """Each printed value as a percentage number ("25.00%" → 25.00); None where blank."""
        return tuple(parse_percent(p) if p else None for p in self.printed)

    @property
    def is_blank(self) -> bool:
        return all(p is None for p in self.printed)

    def to_json(self) -> dict[str, str | None] | None:
        if self.is_blank:
            return None
        return dict(zip(self.labels, self.printed, strict=True))


@dataclass(frozen=True)
class Project:
    """One 项目支出绩效目标表."""

    year: int | None
    seq: str | None  # the table number as printed ("11", "9"), None when the heading has none
    title: str | None
    unit_code: str | None
    unit_name: str | None
    project_code: str | None
    project_name: str | None
    budget_wan: Decimal | None
    fiscal_wan: Decimal | None
    other_wan: Decimal | None
    purpose: str | None
    spending_plan: SpendingPlan | None
    goals: tuple[str, ...]
    indicators: tuple[Indicator, ...]
    doc_refs: tuple[DocRef, ...]
    span: SourceSpan
    year_source: str = "code"  # code | document | title | none
    basis_refs: tuple[DocRef, ...] = field(default=())
    # (part, first line, last line) for the table's parts: unit, code, name, amounts, purpose, plan,
    # goals, indicators — so a finding about the goals points at the goals' lines.
    field_lines: tuple[tuple[str, int, int], ...] = field(default=())
    # The region the project (and its unit) is in: a GB/T 2260 code, `<parent>-<slug>` for a named
    # sub-region, or `unknown:<file>`; and the rule that decided it (see ingest.placing).
    region_code: str | None = None
    region_evidence: str | None = None
    # The same parts located in a Word, PDF, Excel or web file (page/table/rows, sheet/cells).
    field_spans: tuple[tuple[str, SourceSpan], ...] = field(default=())
    # The 预算数 exactly as printed ("1,286,500.00") and the unit it is printed in (万元, 元);
    # budget_wan is that amount in 万元, exactly (元 ÷ 10000).
    budget_printed: str | None = None
    amount_unit: str | None = None
    # An outline funding block's lines under 财政拨款小计: (label, amount in 万元, as printed).
    fiscal_breakdown: tuple[tuple[str, Decimal | None, str], ...] = field(default=())

    def field_span(self, part: str) -> SourceSpan:
        """The lines of one part of the table (see `field_lines`); the whole table when unknown."""
        for name, span in self.field_spans:
            if name == part:
                return span
        for name, first, last in self.field_lines:
            if name == part:
                return SourceSpan(self.span.file, first, last)
        return self.span

    @property
    def doc_numbers(self) -> tuple[str, ...]:
        """Distinct canonical 文号 cited in title, name and purpose, in order of appearance."""
        return tuple(dict.fromkeys(r.canonical for r in self.doc_refs))

    def to_json(self) -> dict[str, Any]:
        """The JSON Lines shape of `python -m kg ingest --json` (amounts stay Decimal)."""
        return {
            "year": self.year,
            "seq": self.seq,
            "title": self.title,
            "unit_code": self.unit_code,
            "unit_name": self.unit_name,
            "project_code": self.project_code,
            "project_name": self.project_name,
            "budget_wan": self.budget_wan,
            "fiscal_wan": self.fiscal_wan,
            "other_wan": self.other_wan,
            "spending_plan": self.spending_plan.to_json() if self.spending_plan else None,
            "goals": list(self.goals),
            "indicators": [i.to_json() for i in self.indicators],
            "doc_refs": list(self.doc_numbers),
            "source": self.span.to_json(),
        } | self._template_json()

    def _template_json(self) -> dict[str, Any]:
        """Keys only other templates give: absent for a table printed in 万元 without them."""
        out: dict[str, Any] = {}
        if self.amount_unit not in (None, "万元"):
            out["budget_printed"] = self.budget_printed
            out["amount_unit"] = self.amount_unit
        if self.fiscal_breakdown:
            out["fiscal_breakdown"] = [{"label": label, "amount_wan": amount, "printed": printed}
                                       for label, amount, printed in self.fiscal_breakdown]
        return out


@dataclass(frozen=True)
class NarrativeItem:
    """A paragraph of the document-level narrative (总体绩效目标, 工作保障措施 …)."""

    section: str  # the section heading without its number, e.g. 总体绩效目标
    heading: str | None  # the item's own heading ("全面提升就业服务水平"), None for plain paragraphs
    parent: str | None  # the enclosing heading for sub-items ("（一）…" under "二、…")
    text: str
    year: int | None
    span: SourceSpan


@dataclass
class ParseResult:
    """Everything read from one file: records plus the diagnostics met on the way."""

    file: str
    encoding: str | None
    projects: list[Project] = field(default_factory=list)
    narrative: list[NarrativeItem] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # The document's region: its projects' one region (or their nearest common parent), see ingest.placing
    region_code: str | None = None
    region_evidence: str | None = None

    @property
    def ok(self) -> bool:
        """True when anything at all was loaded."""
        return bool(self.projects or self.narrative)
