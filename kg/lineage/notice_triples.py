"""Ingested notices as triples: the allocation table, the header, the fund streams.

Each row of a notice's allocation table is a `hk:NoticeAllocation` of the notice's document (row n, in
the order printed): the recipient as printed, its region when placed, the amount in exact 万元 with the
printed digits and unit, the subtotal row it is counted in, its source columns and its source span.
The document gains what the header states (issuers and addressees as printed, budget year, kind,
科目 codes, the 文号 it forwards or is based on) and the fund stream it belongs to.
"""

from __future__ import annotations

from collections.abc import Iterator

from ingest.records import Allocation, Notice
from kg.lineage.notices import NoticeData, NoticeDoc
from kg.rdf import iri
from kg.rdf import ntriples as N
from kg.rdf.writer import A, DCT, HKT, Writer

__all__ = ["write_notices", "notice_regions"]

# a cited 文号's role → how the notice's document relates to it
_CITES = {"upstream": HKT.forwards, "basis": HKT.basedOn, "mention": DCT.references}


def notice_regions(data: NoticeData) -> set[str]:
    """The region codes the notices allocate to (to be written as concepts of hk:Regions)."""
    return {a.region_code for d in data.docs.values() for a in d.allocations if a.region_code}


def _row(w: Writer, canonical: str, n: int, a: Allocation) -> None:
    row = iri.notice_allocation(canonical, n)
    w.add(row, A, HKT.NoticeAllocation)
    w.add(row, HKT.allocationOf, iri.document(canonical))
    w.add(row, HKT.position, N.integer(n))
    w.lit(row, HKT.recipientPrinted, a.recipient)
    if a.region_code:
        w.add(row, HKT.toRegion, iri.region(a.region_code))
    if a.amount_wan is not None:
        w.add(row, HKT.amountWan, N.decimal(a.amount_wan))
    if a.amount_printed:
        w.lit(row, HKT.amountPrinted, a.amount_printed)
        w.lit(row, HKT.amountUnit, a.unit)
    if a.parent is not None:
        w.add(row, HKT.subtotalOf, iri.notice_allocation(canonical, a.parent + 1))
    for k, part in enumerate(a.parts, start=1):
        piri = iri.allocation_part(canonical, n, k)
        w.add(row, HKT.hasPart, piri)
        w.add(piri, A, HKT.AllocationPart)
        w.lit(piri, HKT.fundSource, part.source)
        if part.amount_wan is not None:
            w.add(piri, HKT.amountWan, N.decimal(part.amount_wan))
        w.lit(piri, HKT.amountPrinted, part.printed)
    w.derived(row, a.span)


def _header(w: Writer, canonical: str, n: Notice) -> None:
    d = iri.document(canonical)
    for name in n.issuers:
        w.lit(d, HKT.issuerPrinted, name)
    for name in n.addressees:
        w.lit(d, HKT.addressee, name)
    if n.budget_year is not None:
        w.add(d, HKT.budgetYear, N.integer(n.budget_year))
    w.lit(d, HKT.noticeKind, n.notice_kind)
    for code in n.subject_codes:
        w.lit(d, HKT.subjectCode, code)
    cited: set[tuple[str, str]] = set()  # a 文号 printed twice in one role is linked once
    for c in n.cited:
        if c.canonical != canonical and (c.role, c.canonical) not in cited:
            cited.add((c.role, c.canonical))
            w.add(d, _CITES.get(c.role, DCT.references), iri.document(c.canonical))


def _notice(w: Writer, doc: NoticeDoc) -> None:
    _header(w, doc.canonical, doc.notice)
    for n, a in enumerate(doc.allocations, start=1):
        _row(w, doc.canonical, n, a)
    if doc.stream:
        w.add(iri.document(doc.canonical), HKT.inStream, iri.fund_stream(doc.stream))


def write_notices(data: NoticeData, w: Writer) -> Iterator[None]:
    """Write every ingested notice's header, allocation rows and fund stream; yields when the writer is full."""
    for canonical in sorted(data.docs):
        _notice(w, data.docs[canonical])
        if w.full():
            yield None
    for key in sorted(data.streams):
        s = iri.fund_stream(key)
        w.add(s, A, HKT.FundStream)
        w.add(s, HKT.streamKey, N.lit(key))
    yield None
