"""`kg build` and `kg add`: sources → records → one build context → every artefact; atomically.

Both run the same steps (kg.steps.STEPS) over one context (kg.context) into a new build directory,
published only when every step has finished, so readers keep the previous build until then. Both hold
the workspace lock. `kg add` stages a new build from the published records plus the new sources, so
everything that relates projects (cross-year links, a unit's name, copied tables, totals) sees both.
"""

from __future__ import annotations

import ctypes
import gc
import json
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from ingest.errors import HrssError
from ingest.records import Diagnostic
from kg.context import BuildContext, Tagged, derive_context, tag_corpus
from ingest.reader import name_is_utf8
from kg.corpus import Corpus, Placement, find_sources, load_corpus, project_identity
from kg.settings import Settings
from kg.sources import ADDED_DIR, SourceRow, append_sources, copy_into_data, read_sources, sha256_of
from kg.steps import STEPS, Finishing, GraphBegun, resume_graph
from kg.workspace import MANIFEST_FILE, Workspace, read_records

__all__ = ["BuildReport", "EmptyBuildError", "BuildWriteError", "build", "add_sources"]

Progress = Callable[[str], None]


class EmptyBuildError(HrssError):
    """No document loaded: nothing would be published."""


class BuildWriteError(HrssError):
    """A build could not be written (disk full, permissions); the published build stays."""


@dataclass
class BuildReport:
    """What a build did: the published directory, counts per step and seconds per step."""

    path: Path
    counts: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    corpus: Corpus | None = None
    notes: list[str] = field(default_factory=list)  # what the user should be told (e.g. duplicates)


def _loaded(corpus: Corpus) -> int:
    """How many files gave at least one document record (project, notice or narrative)."""
    return sum(1 for r in corpus.results if r.projects or r.notices or r.narrative)


def _sources(settings: Settings, paths: list[Path] | None) -> tuple[list[Path], list[Diagnostic]]:
    """The files of a build: the paths given, else every file under data/ plus data/sources.csv."""
    if paths:
        return find_sources(paths), []
    data = Path(settings.data_dir)
    found = find_sources([data]) if data.is_dir() else []
    rows, problems = read_sources(data) if data.is_dir() else ([], [])
    seen = {p.resolve() for p in found}
    for row in rows:
        path = row.resolve(data)
        if path.resolve() not in seen:
            seen.add(path.resolve())
            found.append(path)
    return found, problems


def _run_steps(ctx: BuildContext, ws: Workspace, report: BuildReport, progress: Progress | None,
               manifest: dict[str, Any], begun: GraphBegun | None = None) -> Path:
    """Run every step into a new build directory and publish it; the directory is removed on failure.
    With `begun` (a graph load begun before the context was derived) the directory is its own and
    the graph step resumes it."""
    out = begun.out if begun is not None else ws.new_build()
    report.path = out
    finishing: list[tuple[str, Finishing]] = []
    steps = [(name, partial(resume_graph, begun) if begun is not None and name == "graph" else step)
             for name, step in STEPS]
    try:
        for name, step in steps:
            if progress:
                progress(name)
            t0 = time.perf_counter()
            counts = step(ctx, out) or {}
            if isinstance(counts, Finishing):
                finishing.append((name, counts))
                counts = counts.counts
            report.counts[name] = counts
            report.seconds[name] = time.perf_counter() - t0
            _return_free_memory()
        while finishing:  # what steps left running ends before the build is published
            name, work = finishing.pop(0)
            t0 = time.perf_counter()
            report.counts[name].update(work.wait())
            report.seconds[f"{name}_finish"] = time.perf_counter() - t0
        manifest = {"version": out.name.removesuffix(".partial"),
                    "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                    "store": ctx.settings.store, "profile": ctx.settings.profile,
                    **manifest, "counts": report.counts, "seconds": report.seconds}
        (out / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
    except OSError as e:
        _cancel(finishing, begun)
        ws.discard(out)
        raise BuildWriteError(f"{e.filename or out}: 无法写入构建（{e.strerror or e}）；"
                              "未发布新构建，已发布的构建保持不变") from e
    except BaseException:
        _cancel(finishing, begun)
        ws.discard(out)
        raise
    return ws.publish(out)


def _cancel(finishing: list[tuple[str, Finishing]], begun: GraphBegun | None = None) -> None:
    for _, work in finishing:
        work.cancel()
    if begun is not None:
        begun.cancel()


@contextmanager
def _collector_paused() -> Iterator[Callable[[], None]]:
    """Python's cyclic collector paused while the records and the context are made, then told to
    leave them alone (`gc.freeze`) until the build ends.

    Records and context live for the whole build and hold no cycles to collect, yet every full
    collection walked them all again: ≈ a tenth of parsing, more of the index step, growing with N.
    The function yielded marks the end of the paused part.
    """
    enabled = gc.isenabled()
    gc.disable()

    def made() -> None:
        gc.freeze()
        if enabled:
            gc.enable()

    try:
        yield made
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def _return_free_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's malloc_trim; nothing elsewhere).

    Parsing and deriving leave much freed memory inside the heap (the documents' grids, the parse
    workers' pickles); without this the build's resident size keeps it while the store's loader,
    which needs its own gigabyte or two at a province's size, runs beside the records.
    """
    global _malloc_trim
    if _malloc_trim is None:
        try:
            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim  # glibc; musl and others have none
        except (OSError, AttributeError):
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim: Any = None


def _refuse_empty(corpus: Corpus, where: str) -> None:
    if _loaded(corpus) == 0:
        files = len(corpus.results)
        raise EmptyBuildError(
            f"{where}: 没有载入任何文件（{files} 个源文件中没有项目表、通知或文字段落）；未发布新构建，"
            "已发布的构建保持不变")


def build(settings: Settings, paths: list[Path] | None = None, progress: Progress | None = None) -> BuildReport:
    """Parse the sources (default: data/ and data/sources.csv) and build every artefact into a new build.

    Raises EmptyBuildError when no document loaded; the published build then stays as it was.
    """
    ws = Workspace(settings.index_dir)
    with ws.lock(settings.lock_timeout_s), _collector_paused() as made:
        ws.clean_partials()
        sources, problems = _sources(settings, paths)
        started = time.perf_counter()
        placement = Placement.load(Path(settings.data_dir))
        corpus = load_corpus(sources, placement)
        corpus.diagnostics.extend(problems)
        report = BuildReport(ws.builds, corpus=corpus)
        report.seconds["parse"] = time.perf_counter() - started
        _refuse_empty(corpus, str(paths[0] if paths else settings.data_dir))
        tagged = tag_corpus(corpus)
        begun = _begin_graph(settings, ws, corpus, tagged)
        try:
            ctx = derive_context(corpus, settings, regions=placement.index, tagged=tagged)
        except BaseException:
            if begun is not None:
                begun.cancel()
                ws.discard(begun.out)
            raise
        made()
        _return_free_memory()
        report.seconds["derive"] = time.perf_counter() - started - report.seconds["parse"]
        report.path = _run_steps(ctx, ws, report, progress, {
            # a name that is not UTF-8 was reported and not loaded; it cannot be written to JSON either
            "sources": [str(s) for s in sources if name_is_utf8(s)],
            "source_hashes": {str(s): sha256_of(s) for s in sources if name_is_utf8(s) and s.is_file()},
        }, begun)
    return report


def _begin_graph(settings: Settings, ws: Workspace, corpus: Corpus, tagged: Tagged) -> GraphBegun | None:
    """A fresh Oxigraph build's graph load in a new build directory, begun before the context is
    derived (kg.steps.GraphBegun); None for the other stores, whose graph step waits for derive."""
    if settings.store != "oxigraph":
        return None
    out = ws.new_build()
    try:
        return GraphBegun(corpus, tagged, out)
    except BaseException:
        ws.discard(out)
        raise


def _known_hashes(manifest: dict[str, Any]) -> dict[str, str]:
    """sha256 → path of every source the published build holds."""
    hashes: dict[str, str] = {sha: path for path, sha in manifest.get("source_hashes", {}).items()}
    if "source_hashes" not in manifest:  # a build from before hashes were recorded
        for s in manifest.get("sources", []):
            if Path(s).is_file():
                hashes.setdefault(sha256_of(Path(s)), s)
    return hashes


def _without_known_projects(new: Corpus, old: Corpus) -> None:
    """Drop the new tables whose (region, year, 项目编码) the build already holds, each with a diagnostic."""
    held = {project_identity(p) for p in old.projects if p.project_code}
    for result in new.results:
        kept = []
        for p in result.projects:
            if p.project_code and project_identity(p) in held:
                new.diagnostics.append(Diagnostic(
                    result.file, p.span.first_line,
                    f"项目编码 {p.project_code} ({p.year}) 已在当前构建中；此表未载入", "error"))
            else:
                kept.append(p)
        result.projects = kept


def add_sources(settings: Settings, paths: list[Path], progress: Progress | None = None,
                names: Mapping[Path, str] | None = None, region: str | None = None) -> BuildReport:
    """Add source files to the published build (`python -m kg add FILE…`).

    Each new file is copied under data/added/ and listed in data/sources.csv, so a later `kg build`
    keeps it. A new build is staged from the published records plus the new files, run through the
    same steps as `kg build` and published atomically: an interrupted addition leaves the published
    build as it was. A file whose content the build already holds is not added (`report.notes`).
    `names` gives the name a file came with where it differs from its path's (an upload's); `region`
    (a division code, kg.sources.source_region) is written as the files' region_code in sources.csv
    and places them as such a row does.
    """
    ws = Workspace(settings.index_dir)
    data = Path(settings.data_dir)
    with ws.lock(settings.lock_timeout_s):
        ws.clean_partials()
        current = ws.current
        manifest = ws.manifest()
        old = read_records(current)
        known = _known_hashes(manifest)
        report = BuildReport(current, corpus=old)
        fresh: list[tuple[Path, str]] = []
        for path in find_sources(paths):
            sha = sha256_of(path)
            if sha in known:
                report.notes.append(f"{path}: 内容与已载入的 {known[sha]} 相同（sha256 {sha[:12]}…），未重复载入")
                continue
            known[sha] = str(path)
            fresh.append((path, sha))
        if not fresh:
            report.counts["add"] = {"mode": "unchanged", "files": 0, "duplicates": len(report.notes)}
            return report
        started = time.perf_counter()
        rows: list[SourceRow] = []
        added_before = (data / ADDED_DIR).exists()
        try:
            for path, sha in fresh:
                row = copy_into_data(path, data, sha, (names or {}).get(path))
                rows.append(replace(row, region_code=region) if region else row)
            copies = [row.resolve(data) for row in rows]
            placement = Placement.load(data)
            if region:  # the rows are appended once published; until then they place the files here
                placement.settings.update({row.path: region for row in rows})
            new = load_corpus(copies, placement)
            _without_known_projects(new, old)
            report.notes.extend(str(d) for d in new.all_diagnostics() if d.severity != "info")
            _refuse_empty(new, ", ".join(str(p) for p, _ in fresh))
            merged = Corpus(results=[*old.results, *new.results],
                            diagnostics=[*old.diagnostics, *new.diagnostics])
            report.corpus = merged
            report.seconds["parse"] = time.perf_counter() - started
            ctx = derive_context(merged, settings, staged_from=current, published_results=len(old.results),
                                 regions=placement.index)
            n = int(manifest.get("additions", 0)) + 1
            report.path = _run_steps(ctx, ws, report, progress, {
                "sources": [*manifest.get("sources", []), *map(str, copies)],
                "source_hashes": {**manifest.get("source_hashes", {}),
                                  **{str(c): r.sha256 for c, r in zip(copies, rows, strict=True)}},
                "additions": n, "added_to": manifest.get("version"),
            })
        except BaseException as e:
            for row in rows:
                row.resolve(data).unlink(missing_ok=True)
            if not added_before:
                shutil.rmtree(data / ADDED_DIR, ignore_errors=True)
            if isinstance(e, OSError):
                raise BuildWriteError(f"{e.filename or data}: 无法追加（{e.strerror or e}）；"
                                      "已发布的构建和 data/ 保持不变") from e
            raise
        append_sources(data, rows)
        report.counts["add"] = {"mode": "staged", "files": len(rows), "projects": len(new.projects),
                                "skipped": len(new.diagnostics), "duplicates": len(report.notes)}
        report.seconds["add"] = time.perf_counter() - started
    return report
