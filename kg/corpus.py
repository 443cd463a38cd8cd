"""The corpus: every source document under data/ parsed into records, checked across files."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingest import SUPPORTED_SUFFIXES, Diagnostic, NarrativeItem, ParseResult, Project, parse_file
from ingest.notices.placing import place_notices
from ingest.placing import UnitOverride, assign_regions, load_unit_overrides, source_regions
from ingest.reader import display_name
from ingest.records import Notice, SourceSpan
from ingest.regions import RegionIndex
from kg.sources import SOURCES_FILE, SourcesError, read_sources

__all__ = ["Corpus", "Placement", "SOURCE_SUFFIXES", "find_sources", "load_corpus", "parse_placed",
           "project_identity"]

SOURCE_SUFFIXES = SUPPORTED_SUFFIXES
# Data files that live beside the documents in data/ (documents.csv …) and are not documents.
DATA_SUFFIXES = (".csv", ".tsv", ".json", ".md", ".ttl", ".toml")
# Below these a process pool costs more (start, pickling the records back) than it saves.
POOL_MIN_FILES = 8
POOL_MIN_BYTES = 2 << 20


@dataclass
class Corpus:
    """Parse results of every file, plus diagnostics that span files."""

    results: list[ParseResult] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def projects(self) -> list[Project]:
        return [p for r in self.results for p in r.projects]

    @property
    def narrative(self) -> list[NarrativeItem]:
        return [n for r in self.results for n in r.narrative]

    @property
    def notices(self) -> list[Notice]:
        """Funding notices (资金下达通知) read from the sources, in file order."""
        return [n for r in self.results for n in r.notices]

    def all_diagnostics(self) -> Iterator[Diagnostic]:
        for r in self.results:
            yield from r.diagnostics
        yield from self.diagnostics

    def project(self, code: str, year: int | None = None, region: str | None = None) -> Project | None:
        """The project with this 项目编码 (in `region` when given; the latest year when `year` is None)."""
        hits = [p for p in self.with_code(code, year) if region is None or p.region_code == region]
        return max(hits, key=lambda p: p.year or 0) if hits else None

    def with_code(self, code: str, year: int | None = None) -> list[Project]:
        """Every project with this 项目编码 (of `year` when given): several regions may print one code."""
        return [p for p in self.projects if p.project_code == code and (year is None or p.year == year)]


def project_identity(p: Project) -> tuple[str, int | None, str]:
    """What makes a project the same project: (region, year, 项目编码)."""
    return (p.region_code or "", p.year, p.project_code or "")


@dataclass
class Placement:
    """What places a file's projects in a region (ingest.placing): the regions, the unit overrides of
    ontology/units.csv and the region_code column of data/sources.csv."""

    index: RegionIndex
    data_dir: Path | None = None
    settings: dict[str, str] = field(default_factory=dict)
    overrides: list[UnitOverride] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @classmethod
    def load(cls, data_dir: Path | None = None) -> Placement:
        """The regions index, the unit overrides and, when data_dir has one, data/sources.csv's regions."""
        index = RegionIndex.load()
        overrides, problems = load_unit_overrides(index)
        settings: dict[str, str] = {}
        if data_dir is not None and (data_dir / SOURCES_FILE).is_file():
            try:
                rows, _ = read_sources(data_dir)
            except SourcesError:  # the build reports an unreadable sources list itself
                rows = []
            settings, more = source_regions(
                [{"path": r.path, "region_code": r.region_code} for r in rows], index,
                str(data_dir / SOURCES_FILE))
            problems += more
        return cls(index, data_dir, settings, overrides, problems)

    def place(self, result: ParseResult, path: Path) -> None:
        """Give the file's projects (and the document) their region, in place."""
        source = None
        if self.data_dir is not None:
            try:
                source = path.resolve().relative_to(self.data_dir.resolve()).as_posix()
            except ValueError:
                source = None
        assign_regions(result, self.index, self.settings, source=source, overrides=self.overrides)
        place_notices(result, self.index)


def find_sources(paths: Iterable[Path | str]) -> list[Path]:
    """Files to parse: each file as given, and every *.txt under a directory, sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(
                sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SOURCE_SUFFIXES
                       and not any(part.startswith(".") for part in f.relative_to(p).parts))
            )
        else:
            out.append(p)
    return out


def _workers(paths: list[Path]) -> int:
    """Processes to parse `paths` with: one per idle core for many files or many bytes, else 1.

    A pool costs about a fifth more CPU (pickling the records back), so on a machine whose cores are
    already busy it is slower than parsing here.
    """
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    idle = cpus - _busy()
    if idle < 1 or len(paths) < POOL_MIN_FILES or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    size = 0
    for p in paths:
        try:
            size += p.stat().st_size
        except OSError:
            pass  # parse_file reports it, in the file's place
    return min(cpus, int(idle) + 1, len(paths)) if size >= POOL_MIN_BYTES else 1


def _busy(loadavg: Path = Path("/proc/loadavg")) -> float:
    """How many cores other work keeps busy: the one-minute load average, or fewer when fewer other
    tasks can run right now (the average still counts, for a minute, a job that has just ended)."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    try:
        runnable = int(loadavg.read_text().split()[3].split("/")[0]) - 1  # this process is one of them
    except (OSError, ValueError, IndexError):
        return load
    return min(load, max(runnable, 0))


def parse_placed(path: Path, placement: Placement) -> ParseResult:
    """One file parsed and its projects placed in their region (the same in a worker or here)."""
    result = parse_file(path)
    placement.place(result, path)
    return result


_worker_placement: Placement | None = None  # set once in each pool worker by _start_worker


def _start_worker(placement: Placement) -> None:
    global _worker_placement
    _worker_placement = placement


def _parse_in_worker(paths: list[Path]) -> list[ParseResult]:
    if _worker_placement is None:
        raise RuntimeError("parse worker started without a placement")
    return [parse_placed(path, _worker_placement) for path in paths]


def _parsed(paths: list[Path], placement: Placement, workers: int) -> Generator[ParseResult, None, None]:
    """Every file parsed and placed, in the order given; by `workers` processes (this one included)
    when > 1."""
    if workers <= 1:
        for path in paths:
            yield parse_placed(path, placement)
        return
    # Blocks of files in turn: this process parses every `workers`-th block itself while the pool
    # parses the others, since it also unpickles the pool's records (a quarter of parsing them).
    size = max(1, len(paths) // (workers * 8))
    blocks = [paths[i:i + size] for i in range(0, len(paths), size)]
    # fork: the workers inherit the placement (regions index, overrides) instead of unpickling it
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers - 1, initializer=_start_worker, initargs=(placement,)) as pool:
        theirs = pool.imap(_parse_in_worker, [b for i, b in enumerate(blocks) if i % workers])
        for i, block in enumerate(blocks):
            if i % workers:
                yield from next(theirs)
            else:
                for path in block:
                    yield parse_placed(path, placement)


def load_corpus(paths: Iterable[Path | str], placement: Placement | None = None,
                workers: int | None = None) -> Corpus:
    """Parse every source and place its projects in their region (default: Placement.load());
    a project (region, year, 项目编码) already loaded from another file is reported and skipped.

    Files are parsed in `workers` processes (default: one per core when there are many files or
    bytes, else this process); the results are merged in file order, so the corpus and its
    diagnostics are the same either way.
    """
    corpus = Corpus()
    placement = placement or Placement.load()
    corpus.diagnostics.extend(placement.diagnostics)
    seen: dict[tuple[str, int | None, str], Project] = {}
    sources = find_sources(paths)
    documents = [p for p in sources if p.suffix.lower() not in DATA_SUFFIXES]
    results = _parsed(documents, placement, _workers(documents) if workers is None else workers)
    try:
        _merge(corpus, sources, results, seen)
    finally:
        results.close()  # ends the pool's processes
    return corpus


def _merge(corpus: Corpus, sources: list[Path], results: Iterator[ParseResult],
           seen: dict[tuple[str, int | None, str], Project]) -> None:
    """The parse results into the corpus in file order, each (region, year, 项目编码) once."""
    for path in sources:
        if path.suffix.lower() in DATA_SUFFIXES:
            corpus.diagnostics.append(
                Diagnostic(display_name(path), None, "skipped: a data file, not a source document", "info"))
            continue
        result = next(results)
        kept = []
        for p in result.projects:
            key = project_identity(p)
            if p.project_code and key in seen:
                first = seen[key]
                corpus.diagnostics.append(Diagnostic(
                    result.file, p.span.first_line,
                    f"项目编码 {p.project_code} ({p.year}) already loaded from "
                    f"{_start(first.span)}; this table is not loaded", "error",
                    locator=None if p.span.is_text else p.span.locator))
                continue
            if p.project_code:
                seen[key] = p
            kept.append(p)
        result.projects = kept
        corpus.results.append(result)


def _start(span: SourceSpan) -> str:
    """Where a table starts: FILE:LINE for text, the page/table/rows or sheet/cells locator otherwise."""
    return f"{span.file}:{span.first_line}" if span.is_text else span.locator
