"""Everything the 项目 page shows about one project, written once by the build, read one project at a
time.

`projects.bin` holds one item per project (kg.itemfile): its record, themes, audit findings and line
across years (kg.lineage's history entries), pickled like the build's records. `projects.json` is the index, one row per project
keyed by (region, year, 项目编码) with the item's span, so the page reads the index and the one item it
shows, never the records of the build.

    pages = read_project_pages(build_dir)
    entry = pages.find("13073123H5L2CXJM00001")          # the latest year, when one region has it
    pages.read(entry).project.budget_wan                 # Decimal("50.00")
"""

from __future__ import annotations

import json
import pickle
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from sys import intern
from typing import Any

from ingest.errors import HrssError
from ingest.records import ParseResult, Project
from kg.atomic import write_text
from kg.audit.model import Finding
from kg.itemfile import Span, read_items, write_items
from kg.lineage.model import HistoryEntry
from kg.lineage.trace import Lineage
from kg.lineage.view import project_node
from kg.rdf.iri import ProjectKey, project_key
from kg.themes import Theme

__all__ = ["PROJECTS_FILE", "PROJECT_INDEX_FILE", "ProjectPage", "ProjectEntry", "ProjectPages",
           "ProjectPagesError", "derive_pages", "write_project_pages", "read_project_pages"]

PROJECTS_FILE = "projects.bin"
PROJECT_INDEX_FILE = "projects.json"
_SCHEMA = 1


class ProjectPagesError(HrssError):
    """The build's projects.json or projects.bin is missing or cannot be read."""


@dataclass(frozen=True)
class ProjectPage:
    """One project as its page shows it: the record, its themes, its findings, its line across years
    (`Lineage.history(…).entries`, oldest first; None when the lineage does not hold it) and the path
    its source file was parsed from."""

    project: Project
    themes: tuple[str, ...]
    findings: tuple[Finding, ...]
    history: tuple[HistoryEntry, ...] | None
    file: str


@dataclass(frozen=True, order=True, slots=True)
class ProjectEntry:
    """A row of the index: (region, year, 项目编码) and the span of the project's item."""

    region: str
    year: int | None
    code: str
    span: Span


class ProjectPages:
    """The index of the build's project pages; `read` reads one project's item."""

    def __init__(self, entries: Iterable[ProjectEntry], path: Path) -> None:
        self.path = path
        self._by_code: dict[str, list[ProjectEntry]] = defaultdict(list)
        for e in entries:
            self._by_code[e.code].append(e)
        for found in self._by_code.values():
            found.sort(key=lambda e: (e.region, e.year or 0))

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_code.values())

    def with_code(self, code: str, year: int | None = None) -> list[ProjectEntry]:
        """Every project with this 项目编码 (of `year` when given), by region and year."""
        return [e for e in self._by_code.get(code, []) if year is None or e.year == year]

    def regions(self, code: str, year: int | None = None) -> list[str]:
        """The regions whose tables print this 项目编码: several mean different projects."""
        return sorted({e.region for e in self.with_code(code, year)})

    def find(self, code: str, year: int | None = None, region: str | None = None) -> ProjectEntry | None:
        """The project (region, year, code); the latest year when `year` is None; any region when
        `region` is None (the caller checks `regions` first)."""
        hits = [e for e in self.with_code(code, year) if region is None or e.region == region]
        return max(hits, key=lambda e: e.year or 0) if hits else None

    def read(self, entry: ProjectEntry) -> ProjectPage:
        """The project's item, read alone."""
        return self.read_many([entry])[0]

    def read_many(self, entries: Sequence[ProjectEntry]) -> list[ProjectPage]:
        """Several projects' items, in the order given."""
        try:
            raws = read_items(self.path, [e.span for e in entries])
            pages = [pickle.loads(raw) for raw in raws]
        except Exception as e:  # a truncated or foreign pickle raises many unrelated types
            raise ProjectPagesError(f"{self.path}: 项目数据不可读（{type(e).__name__}）；"
                                    "请运行 `python -m kg build`") from e
        if not all(isinstance(p, ProjectPage) for p in pages):
            raise ProjectPagesError(f"{self.path}: 不是项目数据；请运行 `python -m kg build`")
        return pages


def derive_pages(results: Iterable[ParseResult], themes: Mapping[ProjectKey, Sequence[Theme]],
                 findings: Iterable[Finding], lineage: Lineage) -> Iterable[ProjectPage]:
    """Each project with a 项目编码 as its page shows it, from the build context's parts."""
    mine: dict[tuple[str, int | None, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if f.project_code:
            mine[(f.region_code or "", f.year, f.project_code)].append(f)
    shown = [(r.file, p) for r in results for p in r.projects if p.project_code]  # a page needs a code
    nodes = [project_node(p.region_code, p.year, p.project_code or "") if p.year is not None else ""
             for _, p in shown]
    for (file, p), history in zip(shown, lineage.histories(nodes), strict=True):
        labels = tuple(t.label for t in themes.get(project_key(p), ()))
        yield ProjectPage(p, labels, tuple(mine.get((p.region_code or "", p.year, p.project_code or ""), ())),
                          history.entries if history is not None else None, file)


def write_project_pages(pages: Iterable[ProjectPage], build_dir: Path) -> dict[str, Any]:
    """Store every page (PROJECTS_FILE) and the index (PROJECT_INDEX_FILE), atomically; counts."""
    keys: list[tuple[str, int | None, str]] = []

    def items() -> Iterable[tuple[int, bytes]]:
        for n, page in enumerate(pages):
            p = page.project
            keys.append((p.region_code or "", p.year, p.project_code or ""))
            yield n, pickle.dumps(page, protocol=pickle.HIGHEST_PROTOCOL)

    spans = write_items(build_dir / PROJECTS_FILE, items())
    rows = [[region, year, code, *spans[n]] for n, (region, year, code) in enumerate(keys)]
    path = build_dir / PROJECT_INDEX_FILE
    write_text(path, json.dumps({"schema": _SCHEMA, "projects": rows}, ensure_ascii=False,
                                separators=(",", ":")))
    return {"projects": len(rows)}


def read_project_pages(build_dir: Path) -> ProjectPages:
    """The index of a build's project pages; ProjectPagesError names the file when it is missing or
    unreadable."""
    path = build_dir / PROJECT_INDEX_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("schema") != _SCHEMA:
            raise ValueError(f"schema {data.get('schema')}")
        entries = [ProjectEntry(intern(r), None if y is None else int(y), c, (int(at), int(size)))
                   for r, y, c, at, size in data["projects"]]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ProjectPagesError(f"{path}: 项目索引不可读（{type(e).__name__}）；请运行 `python -m kg build`") from e
    return ProjectPages(entries, build_dir / PROJECTS_FILE)
