"""Records → the lineage model: fund classes, allocations, documents, cross-year links, as RDF.

    FundingDocument —hk:allocates→ Allocation (hk:toUnit, hk:toProject, hk:amount, hk:fundLevel,
    hk:fundSource; prov:wasDerivedFrom the project that states it); BudgetUnit —hk:runs→ Project;
    Document —hk:parentDocument→ Document (data/documents.csv); Project —hk:continues→ Project, with a
    CrossYearLink node carrying hk:linkScore, hk:linkConfidence and hk:linkEvidence.
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS
from rdflib.namespace import DCTERMS, PROV, SKOS

from ingest.docnumber import DocNumber
from ingest.records import Project, SourceSpan
from kg.corpus import Corpus
from kg.lineage.documents import DOCUMENTS_FILE, DocumentInfo, load_documents
from kg.lineage.links import CrossYearLink, find_links
from kg.lineage.rules import FundClass, classify_fund, level_of_organisation
from kg import ntriples as N
from kg.namespace import HK, HK_DATA
from kg.settings import Settings

__all__ = ["Allocation", "DocumentSummary", "LineageData", "derive_lineage", "build_lineage_data",
           "lineage_ntriples", "lineage_triples", "documents_path"]


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


_LAST: list[Any] = []  # [weakref to the corpus, documents.csv path, its LineageData]


def _forget(ref: Any) -> None:
    if _LAST and _LAST[0] is ref:
        _LAST.clear()


def build_lineage_data(corpus: Corpus, settings: Settings) -> LineageData:
    """derive_lineage for a build's corpus, computed once for the graph and the lineage steps.

    The lineage step's view then comes from the very derivation the graph's lineage triples were
    written from; the entry is dropped with the corpus.
    """
    path = documents_path(settings)
    if _LAST and _LAST[0]() is corpus and _LAST[1] == path:
        return _LAST[2]
    data = derive_lineage(corpus, settings)
    _LAST[:] = [weakref.ref(corpus, _forget), path, data]
    return data


# ---------------------------------------------------------------- triples


def _graph_iris() -> Any:
    import kg.graph as graph  # the graph module owns IRIs; imported late, as it imports this one

    return graph


def _slug(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="-_.~")


_HK, _DCT, _RDF, _RDFS, _PROV, _SKOS = (N.Terms(ns) for ns in (HK, DCTERMS, RDF, RDFS, PROV, SKOS))


def _document_core(diri: str, canonical: str) -> list[str]:
    """The identity lines kg.graph gives a cited document, for documents known only to documents.csv."""
    doc = DocNumber.parse(canonical)
    return [f"{diri} {_RDF.type} {_HK.Document} .\n",
            f"{diri} {_DCT.identifier} {N.lit(doc.canonical)} .\n",
            f"{diri} {_RDFS.label} {N.lit(doc.canonical)} .\n",
            f"{diri} {_DCT.issued} {N.typed(str(doc.year), N.XSD_GYEAR)} .\n",
            f"{diri} {_HK.docYear} {N.integer(doc.year)} .\n",
            f"{diri} {_HK.docSeq} {N.integer(doc.seq)} .\n",
            f"{diri} {_HK.issuerPrefix} {N.lit(doc.issuer)} .\n"]


def lineage_ntriples(corpus: Corpus, settings: Settings) -> Iterator[str]:
    """The lineage model of a corpus as N-Triples lines (kg.ntriples), for the graph builder.

    Each project, unit and document IRI is built once (kg.graph's helpers) and reused as text.
    """
    g = _graph_iris()
    data = build_lineage_data(corpus, settings)
    a_, hk, dct, prov, skos = _RDF.type, _HK, _DCT, _PROV, _SKOS
    lit, dec = N.lit, N.decimal
    fund_level, fund_source, fund_rule = hk.fundLevel, hk.fundSource, hk.fundRule
    projects: dict[int, str] = {}
    units: dict[str, str] = {}
    docs: dict[str, str] = {}

    def unit(code: str) -> str:
        iri = units.get(code)
        if iri is None:
            iri = units[code] = f"<{g.unit_iri(code)}>"
        return iri

    def document(canonical: str) -> str:
        iri = docs.get(canonical)
        if iri is None:
            iri = docs[canonical] = f"<{g.document_iri(canonical)}>"
        return iri

    out: list[str] = []
    add = out.append
    for p in data.projects:
        fund = data.project_funds[id(p)]
        piri = projects[id(p)] = f"<{g.project_iri(p)}>"
        add(f"{piri} {fund_level} {lit(fund.level)} .\n")
        add(f"{piri} {fund_source} {lit(fund.source)} .\n")
        add(f"{piri} {fund_rule} {lit(fund.rule)} .\n")
        if p.unit_code:
            add(f"{unit(p.unit_code)} {hk.runs} {piri} .\n")
    yield from out
    out.clear()
    for d in data.documents.values():
        diri = document(d.canonical)
        out.extend(_document_core(diri, d.canonical))
        add(f"{diri} {fund_level} {lit(d.fund.level)} .\n")
        add(f"{diri} {fund_source} {lit(d.fund.source)} .\n")
        add(f"{diri} {fund_rule} {lit(d.fund.rule)} .\n")
        issuer = f"<{g.issuer_iri(d.issuer)}>"
        add(f"{diri} {dct.creator} {issuer} .\n")
        add(f"{issuer} {a_} {hk.Issuer} .\n")
        add(f"{issuer} {hk.issuerPrefix} {lit(d.issuer)} .\n")
        if d.organisation:
            add(f"{issuer} {skos.prefLabel} {lit(d.organisation)} .\n")
        if d.level:
            add(f"{issuer} {hk.adminLevel} {lit(d.level)} .\n")
        info = d.info
        if info is not None:
            add(f"{diri} {a_} {hk.FundingDocument} .\n")
            if info.title:
                add(f"{diri} {dct.title} {lit(info.title)} .\n")
            if info.issuer:
                add(f"{diri} {hk.issuerName} {lit(info.issuer)} .\n")
            if info.date:
                add(f"{diri} {dct.date} {lit(info.date)} .\n")
            if info.parent:
                add(f"{diri} {hk.parentDocument} {document(info.parent)} .\n")
                if info.parent not in data.documents:
                    out.extend(_document_core(document(info.parent), info.parent))
            if info.total_wan is not None:
                add(f"{diri} {hk.declaredTotal} {dec(info.total_wan)} .\n")
            span, span_lines = g.span_ntriples(SourceSpan(info.file, info.line, info.line))
            add(f"{diri} {prov.wasDerivedFrom} {span} .\n")
            out.extend(span_lines)
    yield from out
    out.clear()
    slugs: dict[str, str] = {}
    for a in data.allocations:
        piri = projects[id(a.project)]
        slug = slugs.get(a.document)
        if slug is None:
            slug = slugs[a.document] = _slug(a.document)
        airi = f"{piri[:-1]}/allocation/{slug}>"
        add(f"{document(a.document)} {hk.allocates} {airi} .\n")
        add(f"{airi} {a_} {hk.Allocation} .\n")
        add(f"{airi} {hk.toProject} {piri} .\n")
        add(f"{airi} {prov.wasDerivedFrom} {piri} .\n")
        if a.project.unit_code:
            add(f"{airi} {hk.toUnit} {unit(a.project.unit_code)} .\n")
        if a.amount is not None:
            add(f"{airi} {hk.amount} {dec(a.amount)} .\n")
        add(f"{airi} {fund_level} {lit(a.fund.level)} .\n")
        add(f"{airi} {fund_source} {lit(a.fund.source)} .\n")
        if len(out) >= 10_000:
            yield from out
            out.clear()
    yield from out
    out.clear()
    by_key = {(p.year, p.project_code): projects[id(p)] for p in data.projects if p.project_code}
    base = str(HK_DATA)
    for link in data.links:
        before = by_key[(link.year_from, link.code_from)]
        after = by_key[(link.year_to, link.code_to)]
        liri = (f"<{base}link/{link.year_from}/{_slug(link.code_from)}/{link.year_to}/"
                f"{_slug(link.code_to)}>")
        add(f"{after} {hk.continues} {before} .\n")
        add(f"{liri} {a_} {hk.CrossYearLink} .\n")
        add(f"{liri} {hk.predecessor} {before} .\n")
        add(f"{liri} {hk.successor} {after} .\n")
        add(f"{liri} {hk.linkScore} {dec(link.score)} .\n")
        add(f"{liri} {hk.linkConfidence} {lit(link.confidence)} .\n")
        for n, e in enumerate(link.evidence, start=1):
            eiri = f"{liri[:-1]}/evidence/{n}>"
            add(f"{liri} {hk.linkEvidence} {eiri} .\n")
            add(f"{eiri} {a_} {hk.LinkEvidence} .\n")
            add(f"{eiri} {hk.evidenceKind} {lit(e.kind)} .\n")
            add(f"{eiri} {hk.evidenceValue} {lit(e.value)} .\n")
            add(f"{eiri} {hk.evidenceWeight} {dec(e.weight)} .\n")
        if len(out) >= 10_000:
            yield from out
            out.clear()
    yield from out


def lineage_triples(corpus: Corpus, settings: Settings) -> Iterator[tuple[Any, Any, Any]]:
    """The lineage model as rdflib triples: `lineage_ntriples` read back as terms."""
    return N.to_triples(lineage_ntriples(corpus, settings))
