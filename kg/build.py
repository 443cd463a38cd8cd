"""`python -m kg build`: data/ → records → graph + store, search index, lineage, audit; atomically.

Each step writes into the new build directory; the build is published only when every step has
finished, so readers keep the previous build until then. Steps are listed in STEPS in the order they
run; a step gets the corpus, the build directory and the settings, and returns counts for the manifest.
"""

from __future__ import annotations

import json
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.corpus import Corpus, find_sources, load_corpus
from kg.jsonout import dumps
from kg.settings import Settings
from kg.workspace import MANIFEST_FILE, RECORDS_FILE, Workspace

__all__ = ["BuildReport", "STEPS", "build"]

Step = Callable[[Corpus, Path, Settings], dict[str, Any]]


def _records_step(corpus: Corpus, out: Path, settings: Settings) -> dict[str, Any]:
    with (out / RECORDS_FILE).open("wb") as f:
        pickle.dump(corpus, f, protocol=pickle.HIGHEST_PROTOCOL)
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
