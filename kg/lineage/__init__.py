"""Fund lineage: trace funds from central and provincial notices down to county projects, and across years.

    derive_lineage(projects, documents) -> LineageData   fund classes, allocations, cross-year links
    write_lineage(data, writer)         the lineage's triples, into the build's one writer
    build_view(data, units, issuers, regions)  the networkx view stored with the build (lineage.nodes)
    load_lineage(settings) -> Lineage   .trace_down(doc, region, unit), .trace_up(code, year, region),
                                        .history(code, year, region), .totals(), .resolve_region(text),
                                        .shortest_chain(a, b), .cross_year_links()
    sankey(trace_down)                  plotly Sankey nodes and links
    consistency_findings(lineage, config, documents_file)   rules L1.* as audit findings

Fund levels and sources are data (ontology/fund_rules.csv); parent documents and totals come from the
user-maintained data/documents.csv.
"""

from kg.lineage.checks import consistency_findings
from kg.lineage.derive import DocumentIssuer, LineageData, derive_lineage
from kg.lineage.documents import DocumentInfo, DocumentsFileError, load_documents
from kg.lineage.links import CrossYearLink, Evidence
from kg.lineage.model import (
    DocLink,
    DocumentCard,
    History,
    HistoryEntry,
    ProjectCard,
    ProjectFlow,
    TraceDown,
    TraceUp,
    UnitFlow,
)
from kg.lineage.rules import FundClass, classify_fund
from kg.lineage.sankey import sankey
from kg.lineage.trace import (
    AmbiguousDocumentError,
    AmbiguousProjectError,
    Lineage,
    LineageQueryError,
    load_lineage,
)
from kg.lineage.triples import write_lineage
from kg.lineage.nodes import LineageNotBuiltError
from kg.lineage.view import build_view

__all__ = [
    "derive_lineage",
    "LineageData",
    "DocumentIssuer",
    "write_lineage",
    "build_view",
    "load_lineage",
    "Lineage",
    "sankey",
    "consistency_findings",
    "classify_fund",
    "FundClass",
    "load_documents",
    "DocumentInfo",
    "DocumentsFileError",
    "CrossYearLink",
    "Evidence",
    "DocumentCard",
    "ProjectCard",
    "ProjectFlow",
    "UnitFlow",
    "TraceDown",
    "DocLink",
    "TraceUp",
    "HistoryEntry",
    "History",
    "LineageQueryError",
    "AmbiguousDocumentError",
    "AmbiguousProjectError",
    "LineageNotBuiltError",
]
