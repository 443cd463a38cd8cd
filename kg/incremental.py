"""Adding source files to a published build in place: graph, records, lineage, audit, search, doc index.

Each artefact is updated so that a reader sees it before or after the addition: the Oxigraph store in
one transaction, the search index through its own commit, and records, lineage and findings as one
new part file each (records/<n>.pickle, lineage-added/<n>.pickle, findings-added/<n>.json), written
whole and renamed into place. Nothing already stored is read back or rewritten, so the cost of an
addition follows the size of the added files, not of the build.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ingest.records import Diagnostic
from kg.corpus import Corpus, load_corpus
from kg.settings import Settings

__all__ = ["add_to_build"]


def _held(store: Any, iris: Iterable[str], cls: str) -> set[str]:
    """Those of `iris` that the graph holds as instances of hk:`cls` (one VALUES query, answered
    from the store's indexes by subject, never by scanning the class)."""
    values = " ".join(f"<{i}>" for i in sorted(set(iris)))
    if not values:
        return set()
    rows = store.query(f"SELECT ?s WHERE {{ VALUES ?s {{ {values} }} ?s a hk:{cls} }}",
                       limit=None, timeout=0).rows
    return {str(r["s"]) for r in rows}


def _existing_keys(store: Any, corpus: Corpus) -> set[tuple[int, str]]:
    """Which (year, 项目编码) of the new projects the graph already holds (their IRIs, one query)."""
    from kg.graph import project_iri

    by_iri = {str(project_iri(p)): (p.year, p.project_code) for p in corpus.projects
              if p.project_code and p.year is not None}
    return {by_iri[s] for s in _held(store, by_iri, "Project")}  # type: ignore[misc]


def _known_units(store: Any, codes: Iterable[str]) -> set[str]:
    """Which of these unit codes the graph already holds as hk:BudgetUnit."""
    from kg.graph import unit_iri

    by_iri = {str(unit_iri(c)): c for c in codes}
    return {by_iri[s] for s in _held(store, by_iri, "BudgetUnit")}


def add_to_build(build_dir: Path, sources: list[Path], settings: Settings,
                 progress: Callable[[str], None] | None = None) -> tuple[dict[str, Any], dict[str, float]]:
    """Parse `sources` and add their projects to the build; (counts, seconds per part)."""
    from kg.doccard import merge_doc_cards
    from kg.graph import _Builder, derive_units, iter_ntriples
    from kg.store import append_to_store, open_store
    from kg.workspace import write_records

    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    corpus = load_corpus(sources)
    seconds["parse"] = time.perf_counter() - t0
    unbounded = settings.with_(sparql_row_cap=2**62)
    with open_store(unbounded, build_dir) as store:
        taken = _existing_keys(store, corpus)
        units = _known_units(store, {info.code for info in
                                     derive_units(corpus.projects, overrides=None).values()})
    for result in corpus.results:
        kept = []
        for p in result.projects:
            if p.project_code and (p.year, p.project_code) in taken:
                corpus.diagnostics.append(Diagnostic(
                    result.file, p.span.first_line,
                    f"项目编码 {p.project_code} ({p.year}) 已在当前构建中；此表未载入", "error"))
            else:
                kept.append(p)
        result.projects = kept

    def step(name: str, fn: Callable[[], Any]) -> Any:
        if progress:
            progress(name)
        t = time.perf_counter()
        out = fn()
        seconds[name] = time.perf_counter() - t
        return out

    def graph_lines() -> list[str]:
        lines = list(iter_ntriples(corpus, settings, shared=False))
        b = _Builder()
        for info in derive_units(corpus.projects, overrides=None).values():
            if info.code not in units:
                b.unit(info)
        return [*lines, *b.out]

    lines = step("graph_triples", graph_lines)
    triples = step("graph", lambda: append_to_store(lines, build_dir, settings))
    part = step("records", lambda: write_records(build_dir, corpus))
    step("doc_cards", lambda: merge_doc_cards(build_dir, corpus, settings))
    step("lineage", lambda: _add_lineage(build_dir, corpus, settings, part))
    findings = step("audit", lambda: _add_findings(build_dir, corpus, settings, part))
    search = step("search", lambda: _add_search(build_dir, corpus, settings))
    counts = {"files": len(corpus.results), "projects": len(corpus.projects),
              "skipped": len(corpus.diagnostics), "triples_added": len(set(lines)),
              "triples": triples, "findings": findings, "search": search}
    return counts, seconds


def _add_lineage(build_dir: Path, corpus: Corpus, settings: Settings, part: int) -> None:
    """The new projects' lineage view, stored as part `part` beside the build's view (read_view
    merges it in; existing nodes keep their attributes)."""
    from kg.lineage.view import LINEAGE_FILE, view_from_corpus, write_view_part

    if not (build_dir / LINEAGE_FILE).exists():
        return
    write_view_part(build_dir, view_from_corpus(corpus, settings), part)


def _add_findings(build_dir: Path, corpus: Corpus, settings: Settings, part: int) -> int:
    """Audit findings of the new projects, stored as part `part` beside findings.json."""
    from kg.audit.engine import FINDINGS_FILE, _findings, append_findings

    if not (build_dir / FINDINGS_FILE).exists():
        return 0
    new = _findings(corpus, settings)
    append_findings(build_dir, new, part)
    return len(new)


def _add_search(build_dir: Path, corpus: Corpus, settings: Settings) -> dict[str, Any] | None:
    try:
        from kg.search.indexing import add_to_index
    except ImportError:
        return None
    return add_to_index(corpus.projects, build_dir, settings)
