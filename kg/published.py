"""The published build, opened once: one object answers every question a reader asks.

    b = Build.open(settings)
    b.corpus     records (kg.corpus.Corpus)          b.store     the graph (kg.store.Store)
    b.search     the search index                    b.lineage   traces, histories, totals
    b.findings   audit findings (R* and L* rules)    b.cards     文号 cards, partial 文号 queries
    b.finding_counts  findings per rule, severity, year, unit and region; b.iter_findings() streams them
    b.units      one name per unit                   b.version   changes on every build and add
    b.totals     budget totals per region, unit, theme and year (kg.totals)
    b.projects   one project's page at a time (kg.projectpages)
    b.diagnostics  the ingest diagnostics (diagnostics.json), without the records

Each part is read on first use and kept on the object; a reader holds one `Build` per version
(the UI keys its cache by `version`), so nothing is cached in a module. A file of the build that
cannot be read raises an error naming it and how to rebuild (DamagedBuildError, StoreError, …).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ingest.records import Diagnostic
from kg.audit.engine import FindingCount, iter_findings, load_findings, read_finding_counts
from kg.audit.model import Finding
from kg.corpus import Corpus
from kg.doccard import DocCards, read_cards
from kg.lineage.trace import Lineage, load_lineage
from kg.projectpages import ProjectPages, read_project_pages
from kg.search.service import SearchIndex, open_index
from kg.settings import Settings
from kg.store import Store, open_store
from kg.totals import Totals, read_totals
from kg.units import Units, read_units
from kg.workspace import Workspace, read_diagnostics, read_records

__all__ = ["Build"]


@dataclass
class Build:
    """One published build: its directory, version and settings; parts open on first use."""

    path: Path
    version: str
    settings: Settings

    @classmethod
    def open(cls, settings: Settings) -> Build:
        """The published build of `settings.index_dir`; NotBuiltError when there is none."""
        ws = Workspace(settings.index_dir)
        path = ws.current
        return cls(path, ws.version or path.name, settings)

    @cached_property
    def corpus(self) -> Corpus:
        return read_records(self.path)

    @cached_property
    def units(self) -> Units:
        return read_units(self.path)

    @cached_property
    def totals(self) -> Totals:
        return read_totals(self.path)

    @cached_property
    def projects(self) -> ProjectPages:
        return read_project_pages(self.path)

    @cached_property
    def diagnostics(self) -> list[Diagnostic]:
        return read_diagnostics(self.path)

    @cached_property
    def store(self) -> Store:
        return open_store(self.settings, self.path)  # a damaged graph.json is a StoreError naming it

    @cached_property
    def search(self) -> SearchIndex:
        return open_index(self.settings, self.path)

    @cached_property
    def lineage(self) -> Lineage:
        return load_lineage(self.settings, self.path)

    @cached_property
    def findings(self) -> list[Finding]:
        return load_findings(self.settings, self.path)

    @cached_property
    def finding_counts(self) -> list[FindingCount]:
        return read_finding_counts(self.path)

    def iter_findings(self) -> Iterator[Finding]:
        """The findings one at a time, read from findings.json as they are asked for."""
        return iter_findings(self.path)

    @cached_property
    def cards(self) -> DocCards:
        return read_cards(self.path)

    def close(self) -> None:
        """Close the store and the search index if they were opened."""
        for name in ("store", "search"):
            part = self.__dict__.pop(name, None)
            if part is not None:
                part.close()
