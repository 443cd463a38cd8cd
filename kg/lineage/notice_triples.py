"""Ingested notices as triples: the allocation table, the header, the fund streams.

Each row of a notice's allocation table is a node of the notice's document (hk:allocationOf; row n,
in the order printed): the recipient as printed, its region when placed, the amount in exact 万元,
the subtotal row it is counted in, its source columns and its lines. The document gains what the
header states (issuers and addressees as printed, budget year, kind, 科目 codes, the 文号 it forwards
or is based on) and the fund stream it belongs to.

Lean like the rest of the graph (kg.graph): a row is an hk:NoticeAllocation by the domain of
hk:allocationOf, a source column an hk:AllocationPart by the range of hk:hasPart, a stream an
hk:FundStream by the range of hk:inStream, none with rdf:type. A row's lines are its own properties
(Writer.source), its file left out when it is the notice's (an attachment's rows name theirs). The
printed amount (hk:amountPrinted) is written only where it is not the canonical form of the 万元
decimal (`3,580,000.50` 元, `240.00`; `200` 万元 needs none: read `COALESCE(?printed, STR(?wan))`),
and its unit (hk:amountUnit) only where it is not 万元.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ingest.records import Allocation, Notice
from kg.lineage.notices import NoticeData, NoticeDoc
from kg.rdf import iri
from kg.rdf import ntriples as N
from kg.rdf.writer import DCT, HKT, Writer, canonical_decimal

__all__ = ["write_notices", "notice_regions"]

_WAN = "万元"  # the unit of hk:amountWan, and of a printed amount without hk:amountUnit

# a cited 文号's role → how the notice's document relates to it
_CITES = {"upstream": HKT.forwards, "basis": HKT.basedOn, "mention": DCT.references}


def notice_regions(data: NoticeData) -> set[str]:
    """The region codes the notices allocate to (to be written as concepts of hk:Regions)."""
    return {a.region_code for d in data.docs.values() for a in d.allocations if a.region_code}


def _printed(w: Writer, s: str, wan: Decimal | None, printed: str | None, unit: str) -> None:
    """The printed digits (and their unit, when not 万元) where `STR(hk:amountWan)` would not give them."""
    if not printed:
        return
    if unit == _WAN and wan is not None and printed == canonical_decimal(format(wan, "f")):
        return
    w.add(s, HKT.amountPrinted, N.lit(printed))
    if unit != _WAN:
        w.lit(s, HKT.amountUnit, unit)


def _row(w: Writer, canonical: str, n: int, a: Allocation, in_file: str) -> None:
    row = iri.notice_allocation(canonical, n)  # an hk:NoticeAllocation by the domain of hk:allocationOf
    w.add(row, HKT.allocationOf, iri.document(canonical))
    w.add(row, HKT.position, N.integer(n))
    w.lit(row, HKT.recipientPrinted, a.recipient)
    if a.region_code:
        w.add(row, HKT.toRegion, iri.region(a.region_code))
    if a.amount_wan is not None:
        w.add(row, HKT.amountWan, N.decimal(a.amount_wan))
    _printed(w, row, a.amount_wan, a.amount_printed, a.unit)
    if a.parent is not None:
        w.add(row, HKT.subtotalOf, iri.notice_allocation(canonical, a.parent + 1))
    for k, part in enumerate(a.parts, start=1):
        piri = iri.allocation_part(canonical, n, k)  # an hk:AllocationPart by the range of hk:hasPart
        w.add(row, HKT.hasPart, piri)
        w.lit(piri, HKT.fundSource, part.source)
        if part.amount_wan is not None:
            w.add(piri, HKT.amountWan, N.decimal(part.amount_wan))
        _printed(w, piri, part.amount_wan, part.printed, a.unit)
    w.source(row, a.span, in_file=in_file)


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
        _row(w, doc.canonical, n, a, doc.notice.span.file)
    if doc.stream:
        w.add(iri.document(doc.canonical), HKT.inStream, iri.fund_stream(doc.stream))


def write_notices(data: NoticeData, w: Writer) -> Iterator[None]:
    """Write every ingested notice's header, allocation rows and fund stream; yields when the writer is full."""
    for canonical in sorted(data.docs):
        _notice(w, data.docs[canonical])
        if w.full():
            yield None
    for key in sorted(data.streams):
        # an hk:FundStream by the range of hk:inStream
        w.add(iri.fund_stream(key), HKT.streamKey, N.lit(key))
    yield None
