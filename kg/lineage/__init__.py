"""Fund lineage: trace funds from central and provincial notices down to county projects, and across years.

    lineage_ntriples(corpus, settings)  the model as N-Triples lines (added by kg.graph's builder)
    lineage_triples(corpus, settings)   the same as rdflib triples
    lineage_step(corpus, build_dir, settings)   build step: the networkx view read back from the store
    load_lineage(settings) -> Lineage   .trace_down(doc), .trace_up(code), .history(code), .totals(),
                                        .shortest_chain(a, b), .cross_year_links()
    sankey(trace_down)                  plotly Sankey nodes and links
    consistency_findings(corpus or lineage)

Fund levels and sources are data (ontology/fund_rules.csv); parent documents and totals come from the
user-maintained data/documents.csv.
"""

from kg.lineage.checks import consistency_findings
from kg.lineage.derive import derive_lineage, lineage_ntriples, lineage_triples
from kg.lineage.documents import DocumentInfo, DocumentsFileError, load_documents
from kg.lineage.links import CrossYearLink, Evidence
from kg.lineage.model import (
    DocLink,
    DocumentCard,
    History,
    HistoryEntry,
    LineageFinding,
    ProjectCard,
    ProjectFlow,
    TraceDown,
    TraceUp,
    UnitFlow,
)
from kg.lineage.rules import FundClass, classify_fund
from kg.lineage.sankey import sankey
from kg.lineage.trace import AmbiguousDocumentError, Lineage, LineageQueryError, load_lineage
from kg.lineage.view import LineageNotBuiltError, lineage_step

__all__ = [
    "lineage_ntriples",
    "lineage_triples",
    "lineage_step",
    "load_lineage",
    "Lineage",
    "sankey",
    "consistency_findings",
    "derive_lineage",
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
    "LineageFinding",
    "LineageQueryError",
    "AmbiguousDocumentError",
    "LineageNotBuiltError",
]
