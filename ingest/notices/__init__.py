"""Funding notices (资金下达通知, 提前下达…预算的通知) → `Notice` records.

A document is a notice when it prints a notice title (关于(提前)下达…资金…的通知) or, without one,
a 文号 line above an allocation table. The allocations come from the first allocation table (after
附件 when there is one), else from the running text. Arithmetic is checked, never corrected: a
subtotal against its rows, source columns against their row, the 合计 row and the declared total
against the allocations — each mismatch is a `Mismatch` on the record and a diagnostic with both
figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from ingest.notices.amounts import is_dash
from ingest.notices.blocks import Block, Para, Table, TableRow, blocks_from_rows
from ingest.notices.header import Header, attachment_start, could_be_notice, read_header
from ingest.notices.runtext import read_running_text
from ingest.notices.tables import TableRead, read_table, unit_in
from ingest.records import Allocation, Mismatch, Notice, SourceSpan

__all__ = ["Para", "Table", "TableRow", "blocks_from_rows", "find_notice", "read_notice", "relocate_notice"]

Warn = Callable[..., None]  # warn(line, message, severity="warning")
_HEAD_ROWS = 60


def find_notice(rows, lines: list[str] | None, file: str, warn: Warn) -> list[Notice]:
    """The notice in a file's rows (see `ingest.rows`), as a list of none or one; `lines` are the
    text file's lines (None for a reader's grid)."""
    head = [Para(r.cells[0], SourceSpan(file, r.first, r.last)) for r in rows[:_HEAD_ROWS] if r.is_text]
    if not could_be_notice(head):
        return []  # most files are goal tables: decided on the first paragraphs, before any table is read
    notice = read_notice(blocks_from_rows(rows, lines, file), file, warn)
    return [notice] if notice is not None else []


def _allocation_table(blocks: list[Block]) -> tuple[TableRead | None, list[Table]]:
    """The allocation table (tables after 附件 first) and the other tables that have a header."""
    para_at = [i for i, b in enumerate(blocks) if isinstance(b, Para)]
    at = attachment_start([blocks[i] for i in para_at])  # type: ignore[misc]
    attach = para_at[at] if at < len(para_at) else len(blocks)
    order = list(range(attach, len(blocks))) + list(range(attach))
    found: TableRead | None = None
    others: list[Table] = []
    for i in order:
        b = blocks[i]
        if not isinstance(b, Table):
            continue
        hint = None
        for j in range(i - 1, max(-1, i - 4), -1):
            p = blocks[j]
            if not isinstance(p, Para):
                break
            hint = hint or unit_in(p.text)
        read = read_table(b, hint)
        if read is None:
            continue
        if found is None:
            found = read
        else:
            others.append(b)
    return found, others


def _fmt(d: Decimal) -> str:
    return f"{d:f}"


def _check(allocs: list[Allocation], header: Header, table: TableRead | None,
           allocated: Decimal | None) -> list[Mismatch]:
    out: list[Mismatch] = []
    for i, a in enumerate(allocs):
        kids = [k for k in allocs if k.parent == i]
        if kids and a.amount_wan is not None and all(k.amount_wan is not None or not k.amount_printed
                                                     or is_dash(k.amount_printed) for k in kids):
            summed = sum((k.amount_wan for k in kids if k.amount_wan is not None), Decimal(0))
            if summed != a.amount_wan:
                out.append(Mismatch("subtotal", a.recipient, a.amount_wan, summed, a.span))
        known = [p.amount_wan for p in a.parts if p.amount_wan is not None]
        if a.amount_printed and a.amount_wan is not None and len(a.parts) > 1 and len(known) == len(a.parts):
            summed = sum(known, Decimal(0))
            if summed != a.amount_wan:
                out.append(Mismatch("parts", a.recipient, a.amount_wan, summed, a.span))
    if any(a.amount_wan is None and a.amount_printed and not is_dash(a.amount_printed) for a in allocs):
        return out  # a row that is not a number is reported already; the totals cannot be checked
    if allocated is not None and table is not None and table.total_wan is not None:
        if table.total_wan != allocated:
            out.append(Mismatch("table_total", "合计", table.total_wan, allocated,
                                table.total_span or table.span))  # type: ignore[arg-type]
    if allocated is not None and header.declared_total_wan is not None and header.total_span is not None:
        if header.declared_total_wan != allocated:
            out.append(Mismatch("total", "declared total", header.declared_total_wan, allocated,
                                header.total_span))
    return out


_CHECK_TEXT = {
    "subtotal": "subtotal {label!r} {printed}万元 ≠ sum of its rows {summed}万元 (difference {diff}万元)",
    "parts": "allocation {label!r} {printed}万元 ≠ sum of its source columns {summed}万元 (difference {diff}万元)",
    "table_total": "table 合计 {printed}万元 ≠ sum of the allocations {summed}万元 (difference {diff}万元)",
    "total": "declared total {printed}万元 ≠ sum of the allocations {summed}万元 (difference {diff}万元)",
}


def read_notice(blocks: list[Block], file: str, warn: Warn) -> Notice | None:
    """A notice from paragraphs and tables in reading order; None when the blocks are not a notice."""
    header = read_header(blocks)
    if header is None:
        return None
    table, others = _allocation_table(blocks)
    if header.title is None and table is None:
        return None  # a 文号 alone does not make a notice
    span = SourceSpan(file, min(b.span.first_line for b in blocks), max(b.span.last_line for b in blocks))
    allocs: list[Allocation] = list(table.allocations) if table else []
    if table:
        for line, message in table.problems:
            warn(line, message)
        for t in others:
            warn(t.span.first_line, "another allocation table; only the first one is read")
    else:
        allocs = read_running_text(header.body)
    if header.doc_number is None:
        warn(header.title_span.first_line if header.title_span else span.first_line,
             f"notice prints no 文号 of its own; kept under its title {header.title!r}")
    if header.date is None and not header.attachment:  # an attachment's date is its notice's
        warn(span.first_line, "notice date not found")
    if not allocs:
        warn(span.first_line, "notice has no allocation table and no allocations in its text")
    field_spans = [(name, span) for name, span in (
        ("doc_number", header.doc_number_span), ("title", header.title_span),
        ("addressees", header.addressee_span), ("date", header.date_span), ("total", header.total_span),
        ("table", table.span if table else None),
    ) if span is not None]
    notice = Notice(
        doc_number=header.doc_number,
        doc_number_raw=header.doc_number_raw,
        title=header.title,
        issuers=header.issuers,
        date=header.date,
        date_printed=header.date_printed,
        addressees=header.addressees,
        cited=header.cited,
        fund_name=header.fund_name,
        budget_year=header.budget_year,
        notice_kind=header.notice_kind,
        declared_total_wan=header.declared_total_wan,
        declared_total_printed=header.declared_total_printed,
        amount_unit=table.unit if table else (allocs[0].unit if allocs else None),
        subject_codes=tuple(dict.fromkeys(list(header.subject_codes) + (table.subject_codes if table else []))),
        allocations=tuple(allocs),
        span=span,
        table_total_wan=table.total_wan if table else None,
        table_total_printed=table.total_printed if table else None,
        field_spans=tuple(field_spans),
        attachment=header.attachment,
    )
    mismatches = _check(allocs, header, table, notice.allocated_wan)
    for m in mismatches:
        warn(m.span.first_line, _CHECK_TEXT[m.check].format(
            label=m.label, printed=_fmt(m.printed_wan), summed=_fmt(m.summed_wan), diff=_fmt(m.difference_wan)))
    return replace(notice, mismatches=tuple(mismatches))


def relocate_notice(notice: Notice, relocate: Callable[[SourceSpan], SourceSpan]) -> Notice:
    """The notice with every span passed through `relocate` (a reader's row ordinals → the page,
    table and rows, or sheet and cells, they stand in)."""
    return replace(
        notice,
        span=relocate(notice.span),
        cited=tuple(replace(c, span=relocate(c.span)) for c in notice.cited),
        allocations=tuple(replace(a, span=relocate(a.span)) for a in notice.allocations),
        mismatches=tuple(replace(m, span=relocate(m.span)) for m in notice.mismatches),
        field_spans=tuple((part, relocate(span)) for part, span in notice.field_spans),
    )
