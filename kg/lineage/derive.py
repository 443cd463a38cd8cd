"""Records → the lineage model: fund classes, allocations, documents, cross-year links, as RDF triples.

    FundingDocument —hk:allocates→ Allocation (hk:toUnit, hk:toProject, hk:amount, hk:fundLevel,
    hk:fundSource; prov:wasDerivedFrom the project that states it); BudgetUnit —hk:runs→ Project;
    Document —hk:parentDocument→ Document (data/documents.csv); Project —hk:continues→ Project, with a
    CrossYearLink node carrying hk:linkScore, hk:linkConfidence and hk:linkEvidence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from ingest.docnumber import DocNumber
from ingest.records import Project, SourceSpan
from kg.corpus import Corpus
from kg.lineage.documents import DOCUMENTS_FILE, DocumentInfo, load_documents
from kg.lineage.links import CrossYearLink, find_links
from kg.lineage.rules import FundClass, classify_fund, level_of_organisation
from kg.namespace import HK, HK_DATA
from kg.settings import Settings

__all__ = ["Allocation", "DocumentSummary", "LineageData", "derive_lineage", "lineage_triples",
           "documents_path"]


@dataclass(frozen=True)
class Allocation:
    """Money a document gives one unit's project: the project's 预算数, classified."""

    document: str  # canonical 文号
    project: Project
    amount: Decimal | None
    fund: FundClass


@dataclass(frozen=True)
class DocumentSummary:
    """A funding document as the lineage sees it."""

    canonical: str
    issuer: str
    organisation: str | None
    level: str | None  # administrative level of the issuer (中央/省/市/县)
    fund: FundClass
    info: DocumentInfo | None  # its row in data/documents.csv


@dataclass
class LineageData:
    """Everything the lineage derives from the records, before it becomes triples."""

    project_funds: dict[int, FundClass] = field(default_factory=dict)  # id(project) → class
    documents: dict[str, DocumentSummary] = field(default_factory=dict)
    allocations: list[Allocation] = field(default_factory=list)
    links: list[CrossYearLink] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)


def documents_path(settings: Settings) -> Path:
    """Where the user-maintained documents.csv lives: in the data folder."""
    return Path(settings.data_dir) / DOCUMENTS_FILE


def _texts(p: Project) -> list[str | None]:
    return [p.title, p.project_name, p.purpose]


def derive_lineage(corpus: Corpus, settings: Settings) -> LineageData:
    """Classify every project and document, list the allocations and link projects across years."""
    registered = load_documents(documents_path(settings))
    data = LineageData(projects=list(corpus.projects))
    cited: dict[str, list[Project]] = {}
    for p in data.projects:
        for canonical in p.doc_numbers:
            cited.setdefault(canonical, []).append(p)

    def doc_basics(canonical: str) -> tuple[DocNumber, str | None, str | None, DocumentInfo | None]:
        doc = DocNumber.parse(canonical)
        info = registered.get(canonical)
        organisation = doc.organisation or (info.issuer if info else None)
        level = doc.level or level_of_organisation(info.issuer if info else None)
        return doc, organisation, level, info

    # A document's own class: the wording of its registered title, else what most of the projects
    # citing it say about themselves, else its issuer's level.
    for canonical in sorted(set(cited) | set(registered)):
        doc, organisation, level, info = doc_basics(canonical)
        by_issuer = classify_fund([], [level])
        fund = classify_fund([info.title if info else None], [], fallback=by_issuer)
        if not fund.rule.startswith("text:") and canonical in cited:
            worded = Counter(
                (f.level, f.source) for f in
                (classify_fund(_texts(p), [], fallback=by_issuer) for p in cited[canonical])
                if f.rule.startswith("text:"))
            if worded and sum(worded.values()) * 2 > len(cited[canonical]):
                (lv, src), _ = worded.most_common(1)[0]
                fund = FundClass(lv, src, "projects")
        data.documents[canonical] = DocumentSummary(canonical, doc.issuer, organisation, level,
                                                    fund, info)
    for p in data.projects:
        docs = [data.documents[c] for c in p.doc_numbers]
        # A project's own wording decides; else its (first) document's title and issuer.
        fallback = None
        if docs:
            d = docs[0]
            fallback = FundClass(d.fund.level, d.fund.source, f"document:{d.canonical}")
        fund = classify_fund(_texts(p), [], fallback=fallback)
        data.project_funds[id(p)] = fund
        for d in docs:
            data.allocations.append(Allocation(d.canonical, p, p.budget_wan, fund))
    data.links = find_links(data.projects, lambda q: data.project_funds[id(q)])
    return data


# ---------------------------------------------------------------- triples


def _graph_iris() -> Any:
    import kg.graph as graph  # the graph module owns IRIs; imported late, as it imports this one

    return graph


def _decimal(value: Decimal) -> Literal:
    return Literal(format(value, "f"), datatype=XSD.decimal)


def _slug(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="-_.~")


def _document_core(g: Any, canonical: str) -> Iterator[tuple[Any, Any, Any]]:
    """The identity triples kg.graph gives a cited document, for documents known only to documents.csv."""
    doc = DocNumber.parse(canonical)
    diri = g.document_iri(canonical)
    yield diri, RDF.type, HK.Document
    yield diri, DCTERMS.identifier, Literal(doc.canonical)
    yield diri, RDFS.label, Literal(doc.canonical)
    yield diri, DCTERMS.issued, Literal(str(doc.year), datatype=XSD.gYear)
    yield diri, HK.docYear, Literal(doc.year)
    yield diri, HK.docSeq, Literal(doc.seq)
    yield diri, HK.issuerPrefix, Literal(doc.issuer)


def lineage_triples(corpus: Corpus, settings: Settings) -> Iterator[tuple[Any, Any, Any]]:
    """The lineage model of a corpus as RDF triples, for kg.graph.build_graph to add."""
    g = _graph_iris()
    data = derive_lineage(corpus, settings)
    for p in data.projects:
        fund = data.project_funds[id(p)]
        piri = g.project_iri(p)
        yield piri, HK.fundLevel, Literal(fund.level)
        yield piri, HK.fundSource, Literal(fund.source)
        yield piri, HK.fundRule, Literal(fund.rule)
        if p.unit_code:
            yield g.unit_iri(p.unit_code), HK.runs, piri
    for d in data.documents.values():
        diri = g.document_iri(d.canonical)
        yield from _document_core(g, d.canonical)
        yield diri, HK.fundLevel, Literal(d.fund.level)
        yield diri, HK.fundSource, Literal(d.fund.source)
        yield diri, HK.fundRule, Literal(d.fund.rule)
        issuer = g.issuer_iri(d.issuer)
        yield diri, DCTERMS.creator, issuer
        yield issuer, RDF.type, HK.Issuer
        yield issuer, HK.issuerPrefix, Literal(d.issuer)
        if d.organisation:
            yield issuer, SKOS.prefLabel, Literal(d.organisation)
        if d.level:
            yield issuer, HK.adminLevel, Literal(d.level)
        if d.info is not None:
            yield diri, RDF.type, HK.FundingDocument
            if d.info.title:
                yield diri, DCTERMS.title, Literal(d.info.title)
            if d.info.issuer:
                yield diri, HK.issuerName, Literal(d.info.issuer)
            if d.info.date:
                yield diri, DCTERMS.date, Literal(d.info.date)
            if d.info.parent:
                yield diri, HK.parentDocument, g.document_iri(d.info.parent)
                if d.info.parent not in data.documents:
                    yield from _document_core(g, d.info.parent)
            if d.info.total_wan is not None:
                yield diri, HK.declaredTotal, _decimal(d.info.total_wan)
            row = SourceSpan(d.info.file, d.info.line, d.info.line)
            span = g.span_iri(row)
            yield diri, PROV.wasDerivedFrom, span
            yield span, RDF.type, HK.SourceSpan
            yield span, HK.sourceFile, Literal(row.file)
            yield span, HK.firstLine, Literal(row.first_line)
            yield span, HK.lastLine, Literal(row.last_line)
    for a in data.allocations:
        piri = g.project_iri(a.project)
        diri = g.document_iri(a.document)
        airi = URIRef(f"{piri}/allocation/{_slug(a.document)}")
        yield diri, HK.allocates, airi
        yield airi, RDF.type, HK.Allocation
        yield airi, HK.toProject, piri
        yield airi, PROV.wasDerivedFrom, piri
        if a.project.unit_code:
            yield airi, HK.toUnit, g.unit_iri(a.project.unit_code)
        if a.amount is not None:
            yield airi, HK.amount, _decimal(a.amount)
        yield airi, HK.fundLevel, Literal(a.fund.level)
        yield airi, HK.fundSource, Literal(a.fund.source)
    by_key = {(p.year, p.project_code): p for p in data.projects if p.project_code}
    for link in data.links:
        before = g.project_iri(by_key[(link.year_from, link.code_from)])
        after = g.project_iri(by_key[(link.year_to, link.code_to)])
        liri = HK_DATA[f"link/{link.year_from}/{_slug(link.code_from)}/{link.year_to}/"
                       f"{_slug(link.code_to)}"]
        yield after, HK.continues, before
        yield liri, RDF.type, HK.CrossYearLink
        yield liri, HK.predecessor, before
        yield liri, HK.successor, after
        yield liri, HK.linkScore, _decimal(link.score)
        yield liri, HK.linkConfidence, Literal(link.confidence)
        for n, e in enumerate(link.evidence, start=1):
            eiri = URIRef(f"{liri}/evidence/{n}")
            yield liri, HK.linkEvidence, eiri
            yield eiri, RDF.type, HK.LinkEvidence
            yield eiri, HK.evidenceKind, Literal(e.kind)
            yield eiri, HK.evidenceValue, Literal(e.value)
            yield eiri, HK.evidenceWeight, _decimal(e.weight)
