"""The lineage data as triples, added to the build's one writer.

    FundingDocument —hk:allocates→ Allocation (hk:toProject, the project that states it and whose
    hk:unit gets the money; hk:amount, hk:fundLevel, hk:fundSource); Document —hk:parentDocument→
    Document (an ingested notice's upstream 文号, else data/documents.csv); Project —hk:continues→
    Project, with a CrossYearLink node (hk:predecessor, hk:successor, hk:linkScore, hk:linkConfidence,
    and one hk:evidence literal per piece of evidence: "kind weight value", e.g.
    "same_name 0.50 企业养老保险县级配套").

Allocations and links are typed by their properties' domains (hk:toProject, hk:predecessor), not by
rdf:type; a unit's projects are the inverse of hk:unit (kg.graph), not written again.

A document's identity and issuer are written by kg.graph (for every document, cited or registered);
this adds what the lineage knows: fund class, the documents.csv row and its parent, where an ingested
notice states them its title, date, declared total and parent instead; the notices' own header,
allocation table and fund streams come from kg.lineage.notice_triples.
"""

from __future__ import annotations

from collections.abc import Iterator

from ingest.records import SourceSpan
from kg.lineage.derive import LineageData
from kg.lineage.notice_triples import write_notices
from kg.rdf import iri
from kg.rdf import ntriples as N
from kg.rdf.writer import A, DCT, HKT, Writer

__all__ = ["write_lineage"]


def write_lineage(data: LineageData, w: Writer) -> Iterator[None]:
    """Write the lineage's triples; yields whenever the writer is full (see Writer.drain)."""
    lit, dec = N.lit, N.decimal
    for p in data.projects:
        key = iri.project_key(p)
        fund = data.project_funds[key]
        piri = iri.project(key)
        w.add(piri, HKT.fundLevel, lit(fund.level))
        w.add(piri, HKT.fundSource, lit(fund.source))
        w.add(piri, HKT.fundRule, lit(fund.rule))
    yield None
    for d in data.documents.values():
        diri = iri.document(d.canonical)
        w.add(diri, HKT.fundLevel, lit(d.fund.level))
        w.add(diri, HKT.fundSource, lit(d.fund.source))
        w.add(diri, HKT.fundRule, lit(d.fund.rule))
        info = d.info
        stated = data.notices.docs.get(d.canonical)
        if stated is not None:  # an ingested notice: what it states wins over documents.csv
            notice = stated.notice
            w.once(diri, A, HKT.FundingDocument)
            w.lit(diri, DCT.title, notice.title or (info.title if info else None))
            w.lit(diri, HKT.issuerName, info.issuer if info else None)
            w.lit(diri, DCT.date, notice.date or (info.date if info else None))
            parent = stated.parent or (info.parent if info else None)
            if parent:
                w.add(diri, HKT.parentDocument, iri.document(parent))
            total = notice.declared_total_wan
            if total is None and info is not None:
                total = info.total_wan
            if total is not None:
                w.add(diri, HKT.declaredTotal, dec(total))
            # its source is the notice (its rows leave the file out when it is the notice's); the
            # documents.csv row it overrides stays in the lineage (and in an L2.5 finding)
            w.source(diri, notice.span)
            continue
        if info is None:
            continue
        w.once(diri, A, HKT.FundingDocument)
        w.lit(diri, DCT.title, info.title)
        w.lit(diri, HKT.issuerName, info.issuer)
        w.lit(diri, DCT.date, info.date)
        if info.parent:
            w.add(diri, HKT.parentDocument, iri.document(info.parent))
        if info.total_wan is not None:
            w.add(diri, HKT.declaredTotal, dec(info.total_wan))
        w.source(diri, SourceSpan(info.file, info.line, info.line))
    yield None
    for a in data.allocations:
        key = iri.project_key(a.project)
        piri = iri.project(key)
        airi = iri.allocation(key, a.document)
        w.add(iri.document(a.document), HKT.allocates, airi)
        w.add(airi, HKT.toProject, piri)
        if a.amount is not None:
            w.add(airi, HKT.amount, dec(a.amount))
        w.add(airi, HKT.fundLevel, lit(a.fund.level))
        w.add(airi, HKT.fundSource, lit(a.fund.source))
        if w.full():
            yield None
    for link in data.links:
        before = iri.ProjectKey(link.region_code, link.year_from, link.code_from)
        after = iri.ProjectKey(link.region_code, link.year_to, link.code_to)
        liri = iri.link(before, after)
        w.add(iri.project(after), HKT.continues, iri.project(before))
        w.add(liri, HKT.predecessor, iri.project(before))
        w.add(liri, HKT.successor, iri.project(after))
        w.add(liri, HKT.linkScore, dec(link.score))
        w.add(liri, HKT.linkConfidence, lit(link.confidence))
        for e in link.evidence:
            w.add(liri, HKT.evidence, lit(f"{e.kind} {format(e.weight, 'f')} {e.value}"))
        if w.full():
            yield None
    yield from write_notices(data.notices, w)
