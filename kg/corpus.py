"""The corpus: every source document under data/ parsed into records, checked across files."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingest import SUPPORTED_SUFFIXES, Diagnostic, NarrativeItem, ParseResult, Project, parse_file
from ingest.records import Notice, SourceSpan
from ingest.reader import display_name

__all__ = ["Corpus", "SOURCE_SUFFIXES", "find_sources", "load_corpus"]

SOURCE_SUFFIXES = SUPPORTED_SUFFIXES
# Data files that live beside the documents in data/ (documents.csv …) and are not documents.
DATA_SUFFIXES = (".csv", ".tsv", ".json", ".md", ".ttl", ".toml")


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

    def project(self, code: str, year: int | None = None) -> Project | None:
        """The project with this 项目编码 (the latest year when `year` is None)."""
        hits = [p for p in self.projects if p.project_code == code and (year is None or p.year == year)]
        return max(hits, key=lambda p: p.year or 0) if hits else None


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


def load_corpus(paths: Iterable[Path | str]) -> Corpus:
    """Parse every source; a 项目编码 already loaded from another file is reported and skipped."""
    corpus = Corpus()
    seen: dict[tuple[int | None, str], Project] = {}
    for path in find_sources(paths):
        if path.suffix.lower() in DATA_SUFFIXES:
            corpus.diagnostics.append(
                Diagnostic(display_name(path), None, "skipped: a data file, not a source document", "info"))
            continue
        result = parse_file(path)
        kept = []
        for p in result.projects:
            key = (p.year, p.project_code or "")
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
    return corpus


def _start(span: SourceSpan) -> str:
    """Where a table starts: FILE:LINE for text, the page/table/rows or sheet/cells locator otherwise."""
    return f"{span.file}:{span.first_line}" if span.is_text else span.locator
