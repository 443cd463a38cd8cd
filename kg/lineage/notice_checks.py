"""Reconciliation of ingested notices against the projects citing them (rules L2.* of kg.audit.rules).

    L2.1 a region budgeted less or more than the notice allocates to it;
    L2.2 a project citing a notice that allocates nothing to its region;
    L2.3 a notice whose allocations do not add up (subtotal, source columns, 合计, declared total);
    L2.4 one allocation claimed by projects of two counties;
    L2.5 data/documents.csv and the notice disagree (parent, total, title); the notice wins.

Each problem carries both sides' sources: the notice's row and the projects' tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ingest.records import SourceSpan
from ingest.regions import is_unknown
from kg.lineage.model import ProjectFlow, RegionFlow
from kg.lineage.trace import Lineage
from kg.lineage.view import doc_node

__all__ = ["NoticeProblem", "notice_problems"]

_CHECK = {"subtotal": "小计", "parts": "分项资金之和", "table_total": "合计行", "total": "文件总额"}
_FIELD = {"parent": "上级文件", "total_wan": "总额（万元）", "title": "标题"}


@dataclass(frozen=True)
class NoticeProblem:
    """One reconciliation problem, located at `span` with the other side's sources in `related`."""

    rule_id: str
    message: str
    span: SourceSpan
    related: tuple[SourceSpan, ...] = ()
    year: int | None = None
    region_code: str | None = None
    project: ProjectFlow | None = None
    field: str = "资金文件"
    value: str = ""


def _wan(d: Decimal | None) -> str:
    return "-" if d is None else f"{d}"


def _where(pfs: list[ProjectFlow]) -> str:
    return "、".join(f"{pf.project_code} {_wan(pf.budget_wan)}（{pf.source.locator}）" if pf.source
                    else pf.project_code for pf in pfs)


def _regions(flows: tuple[RegionFlow, ...]) -> Iterator[RegionFlow]:
    for r in flows:
        yield r
        yield from _regions(r.regions)


def _notices(lineage: Lineage) -> Iterator[tuple[str, dict[str, Any]]]:
    for canonical in lineage.documents():
        attrs = lineage.graph.nodes[doc_node(canonical)]
        if attrs.get("notice_source") is not None:
            yield canonical, attrs


def _reconcile(lineage: Lineage, canonical: str, attrs: dict[str, Any]) -> Iterator[NoticeProblem]:
    allocations = attrs.get("allocations") or ()
    if not allocations:
        return
    year = attrs.get("budget_year")
    notice_span: SourceSpan = attrs["notice_source"]
    trace = lineage.trace_down(canonical)
    nodes = {r.region_code: r for r in _regions(trace.regions)}
    parents = {a.parent for a in allocations if a.parent is not None}
    # L2.1: a recipient row without rows under it, where projects there cite the notice
    for i, a in enumerate(allocations):
        r = nodes.get(a.region_code) if a.region_code else None
        if r is None or i in parents or r.difference_wan is None or r.difference_wan == 0:
            continue
        pfs = [pf for u in r.all_units() for pf in u.projects]
        more = "少于" if r.difference_wan < 0 else "多于"
        name = r.region_name or r.region_code
        yield NoticeProblem(
            "L2.1", f"{name}（{r.region_code}）预算数 {r.budgeted_wan} 万元{more}{canonical} 分配数 "
                    f"{_wan(r.allocated_wan)} 万元（差额 {r.difference_wan} 万元）；分配见 {a.span.locator}，"
                    f"项目: {_where(pfs)}",
            a.span, tuple(pf.source for pf in pfs if pf.source), year, r.region_code, field="分配数",
            value=a.amount_printed or _wan(a.amount_wan))
    # L2.2 and L2.4: each citing project against the deepest allocation whose region holds it
    row_of: dict[str, int] = {}  # region → its (first) allocation row
    for i, a in enumerate(allocations):
        if a.region_code:
            row_of.setdefault(a.region_code, i)
    claimed: dict[int, list[ProjectFlow]] = {}
    for pf in (pf for u in trace.units for pf in u.projects):
        if not pf.region_code or is_unknown(pf.region_code):
            continue
        # the deepest allocation whose region holds the project's (a county is 3 steps from the top)
        row = next((row_of[c] for c in lineage.region_chain(pf.region_code) if c in row_of), None)
        # a city row broken down into its counties allocates nothing to a county it does not list
        if row is None or row in parents:
            names = list(dict.fromkeys(a.recipient for a in allocations if a.region_code))
            listed = "、".join(names[:8]) + (f" 等 {len(names)} 个" if len(names) > 8 else "")
            yield NoticeProblem(
                "L2.2", f"项目 {pf.project_code} 在 {pf.region_name or pf.region_code}（{pf.region_code}），"
                        f"引用 {canonical}，但该通知未向此地区分配资金（分配对象: {listed}；"
                        f"分配表 {allocations[0].span.locator}）",
                pf.source or notice_span, (allocations[0].span,), pf.year, pf.region_code, pf,
                value=canonical)
            continue
        claimed.setdefault(row, []).append(pf)
    for i, pfs in sorted(claimed.items()):
        counties = sorted({pf.region_code for pf in pfs if pf.region_code})
        if len(counties) < 2:
            continue
        a = allocations[i]
        places = "、".join(f"{lineage.region_name(c) or c}（{c}）" for c in counties)
        yield NoticeProblem(
            "L2.4", f"{canonical} 对 {a.recipient} 的一笔分配 {_wan(a.amount_wan)} 万元（{a.span.locator}）"
                    f"被多个县的项目引用: {places}；项目: {_where(pfs)}",
            a.span, tuple(pf.source for pf in pfs if pf.source), year, a.region_code, field="分配数",
            value=a.amount_printed or _wan(a.amount_wan))


def _arithmetic(canonical: str, attrs: dict[str, Any]) -> Iterator[NoticeProblem]:
    for m in attrs.get("mismatches") or ():
        what = _CHECK.get(m.check, m.check)
        label = "" if m.check == "total" else f"「{m.label}」"
        yield NoticeProblem(
            "L2.3", f"{canonical} {what}{label} {m.printed_wan} 万元，各行相加 {m.summed_wan} 万元"
                    f"（差 {m.difference_wan} 万元）；位置 {m.span.locator}",
            m.span, (attrs["notice_source"],), attrs.get("budget_year"), field=what, value=f"{m.printed_wan}")


def notice_problems(lineage: Lineage) -> Iterator[NoticeProblem]:
    """Every L2.* problem of the lineage's ingested notices, notice by notice."""
    for canonical, attrs in _notices(lineage):
        yield from _arithmetic(canonical, attrs)
        yield from _reconcile(lineage, canonical, attrs)
    for c in lineage.graph.graph.get("notice_conflicts", ()):
        yield NoticeProblem(
            "L2.5", f"{c.canonical} 的{_FIELD.get(c.field, c.field)}: documents.csv 第 {c.line} 行为「{c.listed}」，"
                    f"通知（{c.source.locator}）为「{c.stated}」；以通知为准",
            SourceSpan(c.file, c.line, c.line), (c.source,), field=_FIELD.get(c.field, c.field),
            value=c.canonical)
