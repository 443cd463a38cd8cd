"""Adding source files to a published build in place: graph, records, lineage, audit, search, doc index.

Each artefact is updated so that a reader sees it before or after the addition: the Oxigraph store in
one transaction, every file replaced whole (os.replace), the search index through its own commit.
"""

from __future__ import annotations

import json
import os
import pickle
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from ingest.records import Diagnostic
from kg.corpus import Corpus, load_corpus
from kg.settings import Settings

__all__ = ["add_to_build"]


def _existing_keys(store: Any, corpus: Corpus) -> set[tuple[int, str]]:
    """Which (year, 项目编码) of the new projects the graph already holds (one VALUES query)."""
    pairs = {(p.year, p.project_code) for p in corpus.projects if p.project_code and p.year is not None}
    if not pairs:
        return set()
    values = " ".join(f"({y} {json.dumps(c, ensure_ascii=False)})" for y, c in sorted(pairs))
    rows = store.query(f"SELECT ?y ?c WHERE {{ VALUES (?y ?c) {{ {values} }} "
                       "?p a hk:Project ; hk:year ?y ; hk:projectCode ?c }", limit=None, timeout=0).rows
    return {(int(r["y"]), str(r["c"])) for r in rows}  # type: ignore[arg-type]


def _known_units(store: Any) -> set[str]:
    rows = store.query("SELECT ?c WHERE { ?u a hk:BudgetUnit ; hk:unitCode ?c }", limit=None,
                       timeout=0).rows
    return {str(r["c"]) for r in rows}


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def add_to_build(build_dir: Path, sources: list[Path], settings: Settings,
                 progress: Callable[[str], None] | None = None) -> tuple[dict[str, Any], dict[str, float]]:
    """Parse `sources` and add their projects to the build; (counts, seconds per part)."""
    from kg.doccard import write_doc_index
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
        units = _known_units(store)
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
    step("records", lambda: write_records(build_dir, corpus))
    with open_store(unbounded, build_dir) as store:
        step("doc_index", lambda: write_doc_index(store, build_dir))
    step("lineage", lambda: _add_lineage(build_dir, corpus, settings))
    findings = step("audit", lambda: _add_findings(build_dir, corpus, settings))
    search = step("search", lambda: _add_search(build_dir, corpus, settings))
    counts = {"files": len(corpus.results), "projects": len(corpus.projects),
              "skipped": len(corpus.diagnostics), "triples_added": len(set(lines)),
              "triples": triples, "findings": findings, "search": search}
    return counts, seconds


def _add_lineage(build_dir: Path, corpus: Corpus, settings: Settings) -> None:
    """The new projects' lineage merged into the cached view (existing nodes keep their attributes)."""
    import networkx as nx

    from kg.lineage.view import LINEAGE_FILE, read_view, view_from_corpus

    path = build_dir / LINEAGE_FILE
    if not path.exists():
        return
    old = read_view(build_dir)
    new = view_from_corpus(corpus, settings)
    merged = nx.compose(new, old)  # old attributes win on shared nodes (documents, units)
    merged.graph.update(old.graph)
    merged.graph["mentions"] = [*old.graph.get("mentions", []), *new.graph.get("mentions", [])]
    _write(path, pickle.dumps(merged, protocol=pickle.HIGHEST_PROTOCOL))


def _add_findings(build_dir: Path, corpus: Corpus, settings: Settings) -> int:
    """Audit findings of the new projects appended to findings.json."""
    from kg.audit.engine import FINDINGS_FILE, _findings
    from kg.jsonout import dumps

    path = build_dir / FINDINGS_FILE
    if not path.exists():
        return 0
    payload = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    new = [f.to_json() for f in _findings(corpus, settings)]
    payload["findings"] = [*payload.get("findings", []), *new]
    _write(path, dumps(payload, indent=1).encode("utf-8"))
    return len(new)


def _add_search(build_dir: Path, corpus: Corpus, settings: Settings) -> dict[str, Any] | None:
    try:
        from kg.search.indexing import add_to_index
    except ImportError:
        return None
    return add_to_index(corpus.projects, build_dir, settings)
