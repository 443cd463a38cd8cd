"""Records → the lineage data: fund classes, allocations, documents, cross-year links.

Derived once per build (kg.context) and handed to the lineage's triples (kg.lineage.triples), its
networkx view (kg.lineage.view) and the document cards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ingest.docnumber import DocNumber
from ingest.records import Project, pickled_by_fields
from kg.docmatch import number_of
from kg.lineage.documents import DOCUMENTS_FILE, DocumentInfo
from kg.lineage.links import CrossYearLink, find_links
from kg.lineage.notices import NoticeData
from kg.lineage.rules import FundClass, classify_fund, level_of_organisation
from kg.rdf.iri import ProjectKey, project_key
from kg.settings import Settings

__all__ = ["Allocation", "DocumentSummary", "DocumentIssuer", "LineageData", "derive_lineage", "documents_path",
           "document_issuers"]


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Allocation:
    """Money a document gives one unit's project: the project's 预算数, classified."""

    document: str  # canonical 文号
    project: Project
    amount: Decimal | None
    fund: FundClass


@pickled_by_fields
@dataclass(frozen=True, slots=True)
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

    project_funds: dict[ProjectKey, FundClass] = field(default_factory=dict)
    documents: dict[str, DocumentSummary] = field(default_factory=dict)
    allocations: list[Allocation] = field(default_factory=list)
    links: list[CrossYearLink] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    notices: NoticeData = field(default_factory=NoticeData)  # ingested notices by 文号, their streams

    def fund(self, p: Project) -> FundClass:
        """The fund class of a project."""
        return self.project_funds[project_key(p)]


def documents_path(settings: Settings) -> Path:
    """Where the user-maintained documents.csv lives: in the data folder."""
    return Path(settings.data_dir) / DOCUMENTS_FILE


def _texts(p: Project) -> list[str | None]:
    return [p.title, p.project_name, p.purpose]


def derive_lineage(projects: Iterable[Project], registered: Mapping[str, DocumentInfo],
                   notices: NoticeData | None = None) -> LineageData:
    """Classify every project and document, list the allocations and link projects across years.

    `registered` is data/documents.csv (kg.lineage.documents.load_documents); `notices` the ingested
    notices (kg.lineage.notices.derive_notices), whose titles come before documents.csv's.
    """
    data = LineageData(projects=list(projects), notices=notices or NoticeData())
    stated = data.notices.docs
    cited: dict[str, list[Project]] = {}
    for p in data.projects:
        for canonical in p.doc_numbers:
            cited.setdefault(canonical, []).append(p)

    def doc_basics(canonical: str) -> tuple[str, str | None, str | None, DocumentInfo | None]:
        """Issuer prefix, organisation, level and documents.csv row of a document."""
        info = registered.get(canonical)
        doc = number_of(canonical)
        if doc is None:  # a notice without a 文号: no prefix; its first issuer as printed
            printed = stated[canonical].notice.issuers if canonical in stated else ()
            organisation = printed[0] if printed else (info.issuer if info else None)
            return "", organisation, level_of_organisation(organisation), info
        organisation = doc.organisation or (info.issuer if info else None)
        level = doc.level or level_of_organisation(info.issuer if info else None)
        return doc.issuer, organisation, level, info

    # A document's own class: the wording of its registered title, else what most of the projects
    # citing it say about themselves, else its issuer's level.
    for canonical in sorted(set(cited) | set(registered) | set(stated)):
        prefix, organisation, level, info = doc_basics(canonical)
        by_issuer = classify_fund([], [level])
        title = stated[canonical].notice.title if canonical in stated else None
        fund = classify_fund([title or (info.title if info else None)], [], fallback=by_issuer)
        if not fund.rule.startswith("text:") and canonical in cited:
            worded = Counter(
                (f.level, f.source) for f in
                (classify_fund(_texts(p), [], fallback=by_issuer) for p in cited[canonical])
                if f.rule.startswith("text:"))
            if worded and sum(worded.values()) * 2 > len(cited[canonical]):
                (lv, src), _ = worded.most_common(1)[0]
                fund = FundClass(lv, src, "projects")
        data.documents[canonical] = DocumentSummary(canonical, prefix, organisation, level, fund, info)
    for p in data.projects:
        docs = [data.documents[c] for c in p.doc_numbers]
        # A project's own wording decides; else its (first) document's title and issuer.
        fallback = None
        if docs:
            d = docs[0]
            fallback = FundClass(d.fund.level, d.fund.source, f"document:{d.canonical}")
        fund = classify_fund(_texts(p), [], fallback=fallback)
        data.project_funds[project_key(p)] = fund
        for d in docs:
            data.allocations.append(Allocation(d.canonical, p, p.budget_wan, fund))
    data.links = find_links(data.projects, data.fund)
    return data


@dataclass(frozen=True)
class DocumentIssuer:
    """Who issued a document, as the graph states it."""

    prefix: str
    organisation: str | None
    level: str | None


def document_issuers(projects: Iterable[Project], data: LineageData) -> dict[str, DocumentIssuer]:
    """Every document of a build — cited as funding or basis, registered in documents.csv, a
    registered parent, an ingested notice or a 文号 a notice cites (the notice it forwards, its basis)
    — with its issuer: as the lineage registers it (documents.csv may name an issuer the issuer table
    does not know), else as its 文号 prefix says."""
    canonicals = {r.canonical for p in projects for r in (*p.doc_refs, *p.basis_refs)}
    canonicals |= set(data.documents)
    canonicals |= {d.info.parent for d in data.documents.values() if d.info and d.info.parent}
    canonicals |= {c.canonical for n in data.notices.docs.values() for c in n.notice.cited}
    out: dict[str, DocumentIssuer] = {}
    for c in sorted(canonicals):
        summary = data.documents.get(c)
        if summary is not None:
            out[c] = DocumentIssuer(summary.issuer, summary.organisation, summary.level)
        else:
            doc = DocNumber.parse(c)
            out[c] = DocumentIssuer(doc.issuer, doc.organisation, doc.level)
    return out
