"""Projects → search documents → an index directory (built beside the old one, then swapped in)."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.docnumber import DocNumber, known_issuers
from ingest.errors import DocNumberError
from ingest.records import Indicator, Project
from kg.search.analysis import Analyzer, AnalyzerConfig, get_analyzer
from kg.search.backend import IndexDoc, backend_class

if TYPE_CHECKING:
    from kg.corpus import Corpus
    from kg.settings import Settings

__all__ = [
    "SEARCH_DIR",
    "META_FILE",
    "ANALYZER_FILE",
    "DEFAULT_BACKEND",
    "build_index",
    "search_step",
    "project_key",
    "project_document",
]

SEARCH_DIR = "search"
META_FILE = "meta.json"
ANALYZER_FILE = "analyzer.json"
INDEX_SUBDIR = "index"
DEFAULT_BACKEND = "whoosh"


def project_key(p: Project) -> str:
    """The document key of a project: year and 项目编码 (file and line when the code is missing)."""
    ident = p.project_code or f"{p.span.file}:{p.span.first_line}"
    return f"{p.year if p.year is not None else '-'}:{ident}"


def indicator_text(ind: Indicator) -> str:
    """The words of an indicator row that say what is measured: 三级指标, 指标内容 and a 指标值 that
    is words rather than a number (some tables put the description in the value column)."""
    cells = [ind.level3, ind.description, ind.value if ind.parsed is None else None]
    parts = list(dict.fromkeys(x.strip() for x in cells if x and x.strip()))
    return "：".join(parts)


def _issuer(canonical: str) -> str | None:
    try:
        return DocNumber.parse(canonical).issuer
    except DocNumberError:
        return None


def _tag(project: Project) -> list[tuple[str, str]]:
    from kg.themes import tag_project  # the theme vocabulary loads rdflib: only when indexing

    return [(t.id, t.label) for t in tag_project(project)]


def project_document(p: Project, analyzer: Analyzer, themes: list[tuple[str, str]]) -> IndexDoc:
    """The search document of one project (each text is segmented once, here)."""
    doc_numbers = p.doc_numbers
    basis = tuple(dict.fromkeys(r.canonical for r in p.basis_refs if r.canonical not in doc_numbers))
    issuers = tuple(dict.fromkeys(i for i in map(_issuer, (*doc_numbers, *basis)) if i))
    # A heading without its title line: the project name stands for the title.
    title = p.title or p.project_name
    goals = list(p.goals)
    indicators = [t for t in map(indicator_text, p.indicators) if t]
    meta_words = [str(p.year) if p.year else "", p.project_code or "", p.unit_code or "", *issuers]
    terms = {
        "title": analyzer.index_terms(title),
        "name": analyzer.index_terms(p.project_name),
        "purpose": analyzer.index_terms(p.purpose),
        "goals": [t for g in goals for t in analyzer.index_terms(g)],
        "indicators": [t for i in indicators for t in analyzer.index_terms(i)],
        "unit_text": analyzer.index_terms(p.unit_name),
        "meta": [analyzer.fold(w) for w in meta_words if w],
    }
    payload = {
        "year": p.year,
        "project_code": p.project_code,
        "project_name": p.project_name,
        "title": p.title,
        "unit_code": p.unit_code,
        "unit_name": p.unit_name,
        "budget_wan": format(p.budget_wan, "f") if p.budget_wan is not None else None,
        "doc_refs": list(doc_numbers),
        "basis_refs": list(basis),
        "themes": [list(t) for t in themes],
        "source": [p.span.file, p.span.first_line, p.span.last_line],
        "texts": {"title": title, "project_name": p.project_name, "purpose": p.purpose,
                  "goals": goals, "indicators": indicators, "unit_name": p.unit_name},
    }
    return IndexDoc(
        key=project_key(p), kind="project", year=p.year, unit_code=p.unit_code,
        unit_name=p.unit_name, amount_wan=p.budget_wan, doc_numbers=doc_numbers,
        basis_numbers=basis, issuers=issuers, themes=tuple(t for t, _ in themes), terms=terms,
        payload=json.dumps(payload, ensure_ascii=False),
    )


def _swap_in(tmp: Path, out_dir: Path) -> None:
    """Replace out_dir by tmp; a reader holding the old files keeps reading them."""
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}-{time.time_ns()}")
        out_dir.rename(old)
        tmp.rename(out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(out_dir)


def build_index(projects: Iterable[Project], out_dir: Path, settings: Settings | None = None,
                backend: str = DEFAULT_BACKEND) -> dict[str, Any]:
    """Index projects into out_dir (built in a sibling directory, then swapped in); returns counts."""
    projects = list(projects)
    units = {p.unit_code or p.unit_name: p.unit_name for p in projects if p.unit_name}
    issuers = {_issuer(r.canonical) for p in projects for r in (*p.doc_refs, *p.basis_refs)}
    extra = [*sorted(u for u in units.values() if u), *sorted(known_issuers()),
             *sorted(i for i in issuers if i)]
    config = AnalyzerConfig.default(extra)
    analyzer = get_analyzer(config)
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.with_name(f".{out_dir.name}.tmp-{os.getpid()}-{time.time_ns()}")
    themes: dict[str, str] = {}
    try:
        engine = backend_class(backend).create(tmp / INDEX_SUBDIR)
        docs = []
        for p in projects:
            tagged = _tag(p)
            themes.update(tagged)
            docs.append(project_document(p, analyzer, tagged))
        n = engine.add(docs)
        engine.commit()
        engine.close()
        config.save(tmp / ANALYZER_FILE)
        meta = {
            "backend": backend,
            "documents": n,
            "units": {code: name for code, name in sorted(units.items()) if code},
            "themes": dict(sorted(themes.items())),
            "years": sorted({p.year for p in projects if p.year is not None}),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        (tmp / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1), "utf-8")
        _swap_in(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {"documents": n, "dictionary_words": len(config.words), "themes": len(themes),
            "backend": backend}


def search_step(corpus: Corpus, build_dir: Path, settings: Settings) -> dict[str, Any]:
    """The `search` step of `kg build`: the index under build_dir / "search"."""
    return build_index(corpus.projects, Path(build_dir) / SEARCH_DIR, settings)
