"""The reconciliation working paper of a trace: per region 分配数, 预算数, 差额, the projects, both sources.

`write_xlsx(trace, path_or_buffer)` writes it (openpyxl, write-only: one pass, rows streamed), for
`kg trace DOCNUM --xlsx FILE` and the UI's download button; `reconcile_rows(trace)` gives the same
rows as tuples. Amounts are written as the exact Decimal digits (万元), the printed allocation beside.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from ingest.records import SourceSpan
from kg.lineage.model import RegionFlow, TraceDown

__all__ = ["HEADERS", "SUMMARY_HEADERS", "reconcile_rows", "write_xlsx"]

HEADERS = ("文号", "地区代码", "地区", "层级", "分配数（万元）", "分配数（原文）", "预算数（万元）", "差额（万元）",
           "分配来源", "单位编码", "单位名称", "项目编码", "项目名称", "项目预算数（万元）", "项目来源", "引用多个文件")
SUMMARY_HEADERS = ("文号", "标题", "上级文件", "通知来源", "附件", "文件总额（万元）", "分配数合计（万元）",
                   "预算数合计（万元）", "差额（万元）", "未落地区的分配")
_LEVELS = {"province": "省", "city": "市", "county": "县", "sub": "本级/开发区", "unknown": "未知"}


def _where(span: SourceSpan | None) -> str | None:
    return span.locator if span is not None else None


def _region_rows(doc: str, r: RegionFlow, depth: int) -> Iterator[tuple[Any, ...]]:
    name = "　" * depth + (r.region_name or r.region_code)
    yield (doc, r.region_code, name, _LEVELS.get(r.level, r.level), r.allocated_wan, r.allocated_printed,
           r.budgeted_wan, r.difference_wan, _where(r.allocation_source), None, None, None, None, None, None,
           None)
    for sub in r.regions:
        yield from _region_rows(doc, sub, depth + 1)
    for u in r.units:
        for p in u.projects:
            yield (doc, r.region_code, name, _LEVELS.get(r.level, r.level), None, None, None, None, None,
                   u.unit_code, u.unit_name, p.project_code, p.project_name, p.budget_wan, _where(p.source),
                   "是" if p.shared else None)


def reconcile_rows(trace: TraceDown) -> Iterator[tuple[Any, ...]]:
    """The working paper's rows (HEADERS): each region, then its projects; unplaced allocations; then
    the child documents' rows."""
    doc = trace.document.canonical
    for r in trace.regions:
        yield from _region_rows(doc, r, 0)
    for a in trace.unplaced:
        source = a.get("source")
        yield (doc, None, f"（未落地区）{a['recipient']}", None, a["amount_wan"], a["amount_printed"], None, None,
               SourceSpan.from_json(source).locator if source else None, None, None, None, None, None, None, None)
    for child in trace.children:
        yield from reconcile_rows(child)


def _summaries(trace: TraceDown) -> Iterator[tuple[Any, ...]]:
    unplaced = sum((a["amount_wan"] or Decimal(0) for a in trace.unplaced), Decimal(0)) if trace.unplaced else None
    yield (trace.document.canonical, trace.document.title, " ← ".join(p.canonical for p in trace.parents) or None,
           _where(trace.notice_source), "、".join(a.locator for a in trace.attachments) or None,
           trace.document.declared_total_wan, trace.allocated_wan, trace.total_wan, trace.difference_wan, unplaced)
    for child in trace.children:
        yield from _summaries(child)


def write_xlsx(trace: TraceDown, path_or_buffer: str | Path | IO[bytes]) -> None:
    """Write the reconciliation working paper of `trace` (sheets 对账, 文件) to a path or a binary buffer."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, headers, rows, widths in (
            ("对账", HEADERS, reconcile_rows(trace), (20, 16, 18, 10, 14, 14, 14, 12, 34, 10, 24, 26, 40, 16, 30, 12)),
            ("文件", SUMMARY_HEADERS, _summaries(trace), (20, 50, 30, 30, 30, 14, 16, 16, 12, 16))):
        ws = wb.create_sheet(title)
        for n, width in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + n)].width = width
        ws.freeze_panes = "A2"
        header = []
        for text in headers:
            cell = WriteOnlyCell(ws, value=text)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in rows:
            ws.append(list(row))
    wb.save(path_or_buffer if not isinstance(path_or_buffer, Path) else str(path_or_buffer))
