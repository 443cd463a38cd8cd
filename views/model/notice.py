"""A funding notice (资金下达通知) on the 文号 and 资金追溯 pages: header facts, the allocation table
(分配数 / 预算数 / 差额 per region, city rows over their counties), its findings, the working paper.

分配数 is what the notice declares; 预算数 and 差额 are read from the trace (schema 2), never summed
here. Without allocations in the trace (a notice the lineage does not place) the table falls back to
the notice's own rows, 分配数 only.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
import re
from urllib.parse import urlencode

from ingest.records import Notice
from kg.audit import Finding
from kg.lineage import TraceDown
from kg.lineage.model import RegionFlow
from kg.lineage.reconcile import write_xlsx

__all__ = ["AllocationRow", "header_facts", "allocation_rows", "has_allocations", "allocation_table",
           "finding_table", "forwarding", "trace_url", "reconciliation_xlsx",
           "paper_name", "XLSX_MIME"]

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_INDENT = "　"  # one full-width space per level: counties under their city
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')  # characters no file name may hold on one system or another


@dataclass(frozen=True)
class AllocationRow:
    """One line of the allocation table: a region (or an unplaced recipient) at its depth."""

    depth: int
    name: str
    region_code: str | None
    level: str | None
    allocated_wan: Decimal | None
    allocated_printed: str | None
    budgeted_wan: Decimal | None
    difference_wan: Decimal | None
    placed: bool = True
    has_projects: bool = False  # a project in the region cites the notice (its row links to them)


def header_facts(notice: Notice) -> list[tuple[str, str]]:
    """(label, text) pairs of the notice's header as printed; missing facts are left out."""
    facts = [
        ("标题", notice.title),
        ("发文机关", "、".join(notice.issuers) if notice.issuers else None),
        ("成文日期", notice.date_printed if notice.date_printed == notice.date or not notice.date
         else f"{notice.date_printed}（{notice.date}）"),
        ("预算年度", f"{notice.budget_year} 年" if notice.budget_year else None),
        ("类型", notice.notice_kind),
        ("资金", notice.fund_name),
        ("下达总额", notice.declared_total_printed),
        ("支出科目", "、".join(notice.subject_codes) if notice.subject_codes else None),
        ("主送", "、".join(notice.addressees) if notice.addressees else None),
    ]
    return [(k, v) for k, v in facts if v]


def _value(item: Any, name: str) -> Any:
    """A field of an allocation in the trace, whether the core hands a record or its JSON dict."""
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def _regions(regions: Iterable[RegionFlow], depth: int) -> list[AllocationRow]:
    out: list[AllocationRow] = []
    for r in regions:
        out.append(AllocationRow(depth, r.region_name or r.region_code, r.region_code, r.level,
                                 r.allocated_wan, r.allocated_printed, r.budgeted_wan, r.difference_wan,
                                 has_projects=bool(r.all_units())))
        out += _regions(r.regions, depth + 1)
    return out


def has_allocations(trace: TraceDown) -> bool:
    """Whether the trace carries the notice's declared allocations (an ingested notice it placed)."""

    def any_allocated(regions: Iterable[RegionFlow]) -> bool:
        return any(r.allocated_wan is not None or any_allocated(r.regions) for r in regions)

    return trace.allocated_wan is not None or bool(trace.unplaced) or any_allocated(trace.regions)


def allocation_rows(trace: TraceDown | None, notice: Notice | None = None) -> list[AllocationRow]:
    """The allocation table: the trace's regions (city → county) with 分配数, 预算数 and 差额 as the trace
    gives them, then the allocations whose recipient names no known region. Without allocations in the
    trace, the notice's own rows (分配数 only)."""
    if trace is not None and has_allocations(trace):
        rows = _regions(trace.regions, 0)
        for a in trace.unplaced:
            rows.append(AllocationRow(0, str(_value(a, "recipient") or ""), None, None, _value(a, "amount_wan"),
                                      _value(a, "amount_printed"), None, None, placed=False))
        return rows
    if notice is None:
        return []
    return [AllocationRow(1 if a.parent is not None else 0, a.recipient, a.region_code, None, a.amount_wan,
                          a.amount_printed, None, None) for a in notice.allocations]


def trace_url(doc: str, region: str | None = None) -> str:
    """The 资金追溯 page of a document, kept to one region (and the regions inside it) when given."""
    return "./trace?" + urlencode({"doc": doc} | ({"region": region} if region else {}))


def allocation_table(rows: list[AllocationRow], doc: str) -> list[dict[str, Any]]:
    """Table rows keyed by the Chinese headers; 项目 links to the region's projects funded by `doc` (where
    a project there cites it)."""
    return [{
        "地区": _INDENT * r.depth + r.name,
        "地区代码": r.region_code if r.placed else "未定位",
        "分配数(万元)": r.allocated_wan,
        "预算数(万元)": r.budgeted_wan,
        "差额(万元)": r.difference_wan,
        "项目": trace_url(doc, r.region_code) if r.has_projects and r.region_code else None,
    } for r in rows]


def finding_table(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """Findings as rows: rule, severity, region, what was found and where."""
    return [{"规则": f.rule_id, "级别": f.severity, "地区代码": f.region_code or "—", "说明": f.message,
             "位置": f.location, "另一方位置": "、".join(r.locator for r in f.related) or "—"}
            for f in findings]


def forwarding(trace: TraceDown | None, notice: Notice | None) -> tuple[list[str], list[str]]:
    """(upstream 文号 nearest first, forwarding children): the trace's parents and children, then the
    upstream notices the notice cites that the lineage does not hold."""
    ups = [p.canonical for p in trace.parents] if trace is not None else []
    if notice is not None:
        ups += [c for c in notice.upstream if c not in ups]
    kids = [c.document.canonical for c in trace.children] if trace is not None else []
    return ups, kids


def reconciliation_xlsx(trace: TraceDown) -> bytes:
    """The reconciliation working paper (对账底稿) of a trace as XLSX bytes (`kg.lineage.reconcile`:
    sheet 对账 per region and project, sheet 文件 per document)."""
    buf = io.BytesIO()
    write_xlsx(trace, buf)
    return buf.getvalue()



def paper_name(doc: str) -> str:
    """The working paper's download name: 对账底稿-<文号 or title>.xlsx, safe as a file name anywhere.

        >>> paper_name("冀财社〔2021〕288号"), paper_name("title:关于下达资金的通知")
        ('对账底稿-冀财社〔2021〕288号.xlsx', '对账底稿-关于下达资金的通知.xlsx')
    """
    name = _UNSAFE.sub("_", doc.removeprefix("title:")).strip()[:80]
    return f"对账底稿-{name or '通知'}.xlsx"
