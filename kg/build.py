"""`python -m kg build`: data/ → records → graph + store, search index, lineage, audit; atomically.

Each step writes into the new build directory; the build is published only when every step has
finished, so readers keep the previous build until then. Steps are listed in STEPS in the order they
run; a step gets the corpus, the build directory and the settings, and returns counts for the manifest.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.corpus import Corpus, find_sources, load_corpus
from kg.jsonout import dumps
from kg.settings import Settings
from kg.workspace import MANIFEST_FILE, Workspace, write_records

__all__ = ["BuildReport", "STEPS", "build", "add_sources"]

Step = Callable[[Corpus, Path, Settings], dict[str, Any]]


def _records_step(corpus: Corpus, out: Path, settings: Settings) -> dict[str, Any]:
    write_records(out, corpus)
    (out / "diagnostics.json").write_text(
        dumps([{"file": d.file, "line": d.line, "message": d.message, "severity": d.severity}
               for d in corpus.all_diagnostics()], indent=1),
        encoding="utf-8",
    )
    return {"files": len(corpus.results), "projects": len(corpus.projects),
            "narrative": len(corpus.narrative)}


def _step(module: str, name: str) -> Step:
    """A step implemented elsewhere in kg, imported when it runs (keeps `kg build` start-up light)."""

    def run(corpus: Corpus, out: Path, settings: Settings) -> dict[str, Any]:
        import importlib

        return getattr(importlib.import_module(module), name)(corpus, out, settings)

    run.__name__ = f"{module}.{name}"
    return run


# (name, step). Each later issue adds its own line here.
STEPS: list[tuple[str, Step]] = [
    ("records", _records_step),
    ("graph", _step("kg.graph", "graph_step")),
    ("lineage", _step("kg.lineage", "lineage_step")),
    ("audit", _step("kg.audit", "audit_step")),
    ("search", _step("kg.search", "search_step")),
]


@dataclass
class BuildReport:
    """What a build did: the published directory, counts per step and seconds per step."""

    path: Path
    counts: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    corpus: Corpus | None = None


def build(
    settings: Settings,
    paths: list[Path] | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuildReport:
    """Parse the sources (default: settings.data_dir) and build every artefact into a new build."""
    ws = Workspace(settings.index_dir)
    sources = find_sources(paths or [settings.data_dir])
    started = time.perf_counter()
    corpus = load_corpus(sources)
    parse_s = time.perf_counter() - started
    out = ws.new_build()
    report = BuildReport(out, corpus=corpus)
    report.seconds["parse"] = parse_s
    try:
        for name, step in STEPS:
            if progress:
                progress(name)
            t0 = time.perf_counter()
            report.counts[name] = step(corpus, out, settings) or {}
            report.seconds[name] = time.perf_counter() - t0
        manifest = {
            "version": out.name.removesuffix(".partial"),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "store": settings.store,
            "profile": settings.profile,
            "sources": [str(s) for s in sources],
            "counts": report.counts,
            "seconds": report.seconds,
        }
        (out / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
    except BaseException:
        ws.discard(out)
        raise
    report.path = ws.publish(out)
    return report


def add_sources(
    settings: Settings,
    paths: list[Path],
    progress: Callable[[str], None] | None = None,
) -> BuildReport:
    """Add source files to the published build without rebuilding it (`python -m kg add FILE…`).

    The new projects' triples go into the graph store in one transaction, their records into a new
    records part, their search documents through the index's own update, their lineage and audit
    findings beside the existing ones; then the manifest's version is bumped, so caches refresh.
    Projects whose (year, 项目编码) the build already holds are reported and skipped.

    The memory store cannot be appended to: there the build is redone in full with the new files
    added to its sources (`report.counts["add"]["mode"] == "rebuild"`).
    """
    from kg.store import GRAPH_INFO_FILE

    ws = Workspace(settings.index_dir)
    current = ws.current
    manifest = ws.manifest()
    sources = find_sources(paths)
    backend = json.loads((current / GRAPH_INFO_FILE).read_text(encoding="utf-8")).get("backend")
    if backend == "memory":
        known = [Path(s) for s in manifest.get("sources", [])]
        report = build(settings.with_(store="memory"), [*known, *sources], progress)
        report.counts["add"] = {"mode": "rebuild", "files": len(sources)}
        return report
    from kg.incremental import add_to_build

    started = time.perf_counter()
    report = BuildReport(current)
    counts, seconds = add_to_build(current, sources, settings, progress)
    report.counts["add"] = {"mode": "incremental", **counts}
    report.seconds.update(seconds)
    report.seconds["add"] = time.perf_counter() - started
    n = int(manifest.get("additions", 0)) + 1
    build_id = current.name
    manifest.update(version=f"{build_id}+{n}", additions=n,
                    sources=[*manifest.get("sources", []), *map(str, sources)],
                    updated_at=time.strftime("%Y-%m-%dT%H:%M:%S"))
    manifest.setdefault("added", []).append(counts)
    tmp = current / f".{MANIFEST_FILE}.tmp"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, default=str), "utf-8")
    tmp.replace(current / MANIFEST_FILE)
    return report
