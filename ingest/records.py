"""Typed records passed between layers: exactly what the source says, plus where it says it."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from operator import attrgetter
from typing import Any, TypeVar

from ingest.numbers import parse_percent

__all__ = [
    "pickled_by_fields",
    "SourceSpan",
    "Diagnostic",
    "DocRef",
    "IndicatorValue",
    "Indicator",
    "SpendingPlan",
    "Project",
    "NarrativeItem",
    "ParseResult",
    "CitedDoc",
    "AllocationPart",
    "Allocation",
    "Mismatch",
    "Notice",
]


_T = TypeVar("_T")


def pickled_by_fields(cls: type[_T]) -> type[_T]:
    """A frozen, slotted dataclass pickled as its constructor and field values.

    Python pickles such a class through a __getstate__ written in Python that lists its fields on
    every call; a build pickles records by the million (the project pages, the parse workers' results),
    so this one reads them in one C call. Apply it above @dataclass.
    """
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
    values = attrgetter(*names)
    if len(names) == 1:
        def __reduce__(self: Any) -> tuple[Any, tuple[Any, ...]]:
            return cls, (values(self),)
    else:
        def __reduce__(self: Any) -> tuple[Any, tuple[Any, ...]]:
            return cls, values(self)
    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls


@pickled_by_fields
@dataclass(frozen=True, order=True, slots=True)
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

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> SourceSpan:
        """The inverse of `to_json`; a non-text span comes back with line ordinals 0 (its JSON has
        none), so it is found again by its place. Raises KeyError, TypeError, ValueError."""
        if "lines" in obj:
            return cls(obj["file"], int(obj["lines"][0]), int(obj["lines"][1]))
        rows = obj.get("rows")
        span = cls(obj["file"], 0, 0, page=obj.get("page"), table=obj.get("table"),
                   rows=(int(rows[0]), int(rows[1])) if rows else None, sheet=obj.get("sheet"),
                   cells=obj.get("cells"), paragraph=obj.get("paragraph"))
        if span.is_text:
            raise ValueError(f"a source with neither lines nor a place: {obj!r:.100}")
        return span

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


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class DocRef:
    """A 文号 cited by a project: its canonical form, the raw spelling, and where it was seen."""

    canonical: str
    raw: str
    field: str  # title | project_name | purpose | basis
    line: int


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class IndicatorValue:
    """An indicator value parsed into comparator, number and unit ("≥80百分率" → ≥, 80, 百分率)."""

    op: str | None
    number: Decimal
    unit: str | None

    def to_json(self) -> dict[str, Any]:
        return {"op": self.op, "number": self.number, "unit": self.unit}


@pickled_by_fields
@dataclass(frozen=True, slots=True)
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
        out: dict[str, Any] = {
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


@pickled_by_fields
@dataclass(frozen=True, slots=True)
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


@pickled_by_fields
@dataclass(frozen=True, slots=True)
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
    # A 中期目标 / 长期目标 / 总体目标 block printed beside or above the 年度目标 (which stays `goals`).
    long_term_goals: tuple[str, ...] = ()

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
            "kind": "project",
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
        if self.long_term_goals:
            out["long_term_goals"] = list(self.long_term_goals)
        return out


@pickled_by_fields
@dataclass(frozen=True, slots=True)
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
    notices: list[Notice] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when anything at all was loaded."""
        return bool(self.projects or self.narrative or self.notices)


@dataclass(frozen=True)
class CitedDoc:
    """A 文号 a notice cites, and why: the notice it forwards (upstream), a policy basis, or a mention."""

    canonical: str
    raw: str
    role: str  # upstream | basis | mention
    span: SourceSpan  # the paragraph it is printed in
    title: str | None = None  # the 《…》 title printed before it, when there is one

    def to_json(self) -> dict[str, Any]:
        return {"canonical": self.canonical, "raw": self.raw, "role": self.role, "title": self.title,
                "source": self.span.to_json()}


@dataclass(frozen=True)
class AllocationPart:
    """One source column of an allocation row (中央资金, 省级资金 …), in 万元 and as printed."""

    source: str
    amount_wan: Decimal | None
    printed: str | None

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "amount_wan": self.amount_wan, "printed": self.printed}


@dataclass(frozen=True)
class Allocation:
    """One recipient's share in a notice's allocation table or text.

    `amount_wan` is exact 万元 whatever the printed unit (元 amounts are divided by 10 000, never
    rounded); it is None when the cell is blank or not a number. `amount_printed` is None when the
    table prints only source columns and the amount is their sum. `parent` is the index (in
    `Notice.allocations`) of the subtotal row this one is counted in.
    """

    recipient: str
    amount_wan: Decimal | None
    amount_printed: str | None
    unit: str  # the printed unit of amount_printed: 万元 | 元 | 亿元
    span: SourceSpan
    parts: tuple[AllocationPart, ...] = ()
    parent: int | None = None
    is_subtotal: bool = False
    origin: str = "table"  # table | text
    region_code: str | None = None
    note: str | None = None

    def to_json(self, index: int | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {} if index is None else {"index": index}
        out.update({
            "recipient": self.recipient,
            "region_code": self.region_code,
            "amount_wan": self.amount_wan,
            "amount_printed": self.amount_printed,
            "unit": self.unit,
            "parts": [p.to_json() for p in self.parts],
            "parent": self.parent,
            "subtotal": self.is_subtotal,
            "origin": self.origin,
            "note": self.note,
            "source": self.span.to_json(),
        })
        return out


@dataclass(frozen=True)
class Mismatch:
    """An arithmetic check that failed: what the notice prints against what its rows add up to."""

    check: str  # subtotal | total | table_total | parts
    label: str  # the row or total checked ("张家口市", "合计", "declared total")
    printed_wan: Decimal
    summed_wan: Decimal
    span: SourceSpan

    @property
    def difference_wan(self) -> Decimal:
        return self.printed_wan - self.summed_wan

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check, "label": self.label, "printed_wan": self.printed_wan,
                "summed_wan": self.summed_wan, "difference_wan": self.difference_wan,
                "source": self.span.to_json()}


@dataclass(frozen=True)
class Notice:
    """A funding notice (资金下达通知, 提前下达…预算的通知): its header, its total and its allocations."""

    doc_number: str | None  # the canonical own 文号, None when the notice prints none
    doc_number_raw: str | None
    title: str | None
    issuers: tuple[str, ...]  # joint issuers kept apart, as printed
    date: str | None  # ISO yyyy-mm-dd
    date_printed: str | None
    addressees: tuple[str, ...]
    cited: tuple[CitedDoc, ...]
    fund_name: str | None
    budget_year: int | None  # the year funded; a 提前下达 notice of 2021 funds 2022
    notice_kind: str | None  # 提前下达 | 下达 | 追加 | 清算
    declared_total_wan: Decimal | None
    declared_total_printed: str | None  # as printed, with its unit ("3,580,000.50元")
    amount_unit: str | None  # the allocation table's printed unit: 万元 | 元
    subject_codes: tuple[str, ...]
    allocations: tuple[Allocation, ...]
    span: SourceSpan
    table_total_wan: Decimal | None = None  # the table's own 合计 row
    table_total_printed: str | None = None
    mismatches: tuple[Mismatch, ...] = ()
    region_code: str | None = None  # the issuer's region
    # where each part stands: doc_number, title, addressees, date, total, table
    field_spans: tuple[tuple[str, SourceSpan], ...] = field(default=())
    # an allocation table published as its own file, its caption naming the notice it belongs to
    attachment: bool = False

    @property
    def key(self) -> str:
        """The notice's identity in a corpus: its 文号, else its title."""
        return self.doc_number or f"title:{self.title or self.span.file}"

    @property
    def upstream(self) -> tuple[str, ...]:
        """Canonical 文号 of the notices this one forwards, in order of appearance."""
        return tuple(dict.fromkeys(c.canonical for c in self.cited if c.role == "upstream"))

    @property
    def allocated_wan(self) -> Decimal | None:
        """Sum of the top-level allocations (subtotals, not their children); None when none is a number."""
        amounts = []
        for i, a in enumerate(self.allocations):
            if a.parent is not None:
                continue
            if a.amount_wan is not None:
                amounts.append(a.amount_wan)
            else:  # a city row printed without its own figure counts through its counties
                amounts += [k.amount_wan for k in self.allocations if k.parent == i and k.amount_wan is not None]
        return sum(amounts, Decimal(0)) if amounts else None

    def children(self, index: int) -> list[int]:
        """Indexes of the allocations counted in the subtotal at `index`."""
        return [i for i, a in enumerate(self.allocations) if a.parent == index]

    def field_span(self, part: str) -> SourceSpan:
        """Where one part of the notice stands (see `field_spans`); the whole notice when unknown."""
        return next((span for name, span in self.field_spans if name == part), self.span)

    def to_json(self) -> dict[str, Any]:
        """The JSON Lines shape of `python -m kg ingest --json` for a notice (amounts stay Decimal)."""
        return {
            "kind": "notice",
            "doc_number": self.doc_number,
            "doc_number_raw": self.doc_number_raw,
            "title": self.title,
            "issuers": list(self.issuers),
            "date": self.date,
            "date_printed": self.date_printed,
            "addressees": list(self.addressees),
            "cited": [c.to_json() for c in self.cited],
            "fund_name": self.fund_name,
            "budget_year": self.budget_year,
            "notice_kind": self.notice_kind,
            "declared_total_wan": self.declared_total_wan,
            "declared_total_printed": self.declared_total_printed,
            "amount_unit": self.amount_unit,
            "subject_codes": list(self.subject_codes),
            "allocated_wan": self.allocated_wan,
            "table_total_wan": self.table_total_wan,
            "table_total_printed": self.table_total_printed,
            "allocations": [a.to_json(i) for i, a in enumerate(self.allocations)],
            "mismatches": [m.to_json() for m in self.mismatches],
            "region_code": self.region_code,
            "source": self.span.to_json(),
        }
