"""The build context: everything the build steps share, derived once from the sources.

`derive_context(corpus, settings)` reads the side files (documents.csv, units.csv, themes.ttl, the
audit config) and derives, once: units with their one name, the themes of every project, the lineage
data and its view, the audit findings (rules R* over the projects, L* over the lineage) and the
document cards. Every step of `kg build` and `kg add` gets the context and reads from it; nothing is
recomputed in another module or cached behind the caller's back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from ingest.regions import RegionIndex
from kg.audit.engine import run_audit
from kg.audit.model import AuditConfig, Finding, load_config
from kg.corpus import Corpus
from kg.doccard import DocCard, derive_cards
from kg.lineage.checks import consistency_findings
from kg.lineage.derive import DocumentIssuer, LineageData, derive_lineage, document_issuers, documents_path
from kg.lineage.documents import load_documents
from kg.lineage.notices import derive_notices
from kg.lineage.trace import Lineage
from kg.lineage.view import build_view
from kg.rdf.iri import ProjectKey, project_key
from kg.settings import Settings
from kg.themes import Theme, load_themes, tag_project
from kg.units import Units, derive_units

__all__ = ["BuildContext", "Tagged", "derive_context", "tag_corpus"]


@dataclass(frozen=True)
class BuildContext:
    """Everything the build steps share, derived once from the sources."""

    settings: Settings
    corpus: Corpus
    units: Units  # one name per unit, decided here and only here
    vocabulary: list[Theme]
    themes: Mapping[ProjectKey, tuple[Theme, ...]]
    lineage: LineageData
    issuers: Mapping[str, DocumentIssuer]  # every document of the build
    view: nx.DiGraph  # the lineage's networkx view
    audit_config: AuditConfig
    findings: tuple[Finding, ...]
    cards: Mapping[str, DocCard]
    staged_from: Path | None = None  # `kg add`: the published build the new one is staged from
    published_results: int = 0  # `kg add`: corpus.results[:n] are the published build's files
    regions: RegionIndex | None = None  # the regions index the corpus was placed with


Tagged = tuple[list[Theme], Mapping[ProjectKey, tuple[Theme, ...]]]


def tag_corpus(corpus: Corpus) -> Tagged:
    """The policy-theme vocabulary and each project's themes (what the projects' own triples need)."""
    vocabulary = load_themes()
    return vocabulary, {project_key(p): tuple(tag_project(p, vocabulary)) for p in corpus.projects}


def derive_context(corpus: Corpus, settings: Settings, staged_from: Path | None = None,
                   published_results: int = 0, regions: RegionIndex | None = None,
                   tagged: Tagged | None = None) -> BuildContext:
    """Derive everything the steps need from a corpus, each part once, in dependency order.

    For `kg add`, `staged_from` is the published build and `published_results` how many of the
    corpus's files it holds (the rest are new). `regions` names the projects' regions (default
    RegionIndex.load()); `tagged` is tag_corpus(corpus) when the caller has made it already.
    """
    regions = regions or RegionIndex.load()
    projects = corpus.projects
    units = derive_units(projects)
    vocabulary, themes = tagged if tagged is not None else tag_corpus(corpus)
    documents_file = documents_path(settings)  # findings name it as the data folder's files are named
    registered = load_documents(documents_file)
    lineage = derive_lineage(projects, registered, derive_notices(corpus.notices, registered))
    issuers = document_issuers(projects, lineage)
    view = build_view(lineage, units, issuers, regions)
    config = load_config(settings=settings)
    findings = tuple(sorted(dict.fromkeys([*run_audit(projects, config),
                                           *consistency_findings(Lineage(view), config, documents_file.name)]),
                            key=Finding.sort_key))
    cards = derive_cards(projects, units, lineage.documents,
                         {c: r["name"] for c, r in view.graph["regions"].items()}, lineage.notices.docs, findings)
    return BuildContext(settings, corpus, units, vocabulary, themes, lineage, issuers, view, config,
                        findings, cards,
                        staged_from, published_results, regions)
