"""The search-backend interface: what an engine must do for kg.search, and nothing engine-specific.

Documents arrive already analysed (kg.search.analysis gives the terms), so every engine indexes the
same tokens; queries arrive as words with alternatives plus an optional set of 文号. An engine
builds, adds, deletes, searches with filters, counts facets, and lists the values of a keyword field.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from ingest.errors import HrssError
from kg.rdf.iri import UnitKey
from kg.search.analysis import QueryWord

__all__ = [
    "TEXT_FIELDS",
    "FACET_FIELDS",
    "KEYWORD_FIELDS",
    "IndexDoc",
    "Filters",
    "BackendQuery",
    "BackendHit",
    "BackendResult",
    "SearchBackend",
    "SearchError",
    "BACKENDS",
    "backend_class",
    "unit_term",
]

# Full-text fields and their boosts: title > name > goals > indicators (purpose between name and
# goals). Themes are filters and facets, not text: a theme's label would match words the project
# never uses.
TEXT_FIELDS: dict[str, float] = {
    "title": 4.0,
    "name": 3.0,
    "purpose": 2.0,
    "goals": 1.6,
    "indicators": 1.0,
    "unit_text": 2.0,  # the unit name: a query naming a unit finds its projects
    "meta": 1.0,  # year, 项目编码, unit code, issuer prefixes
}
# Exact-value fields: doc = funding 文号 (canonical), basis = 文号 cited as 政策依据.
KEYWORD_FIELDS = ("year", "unit", "unit_name", "theme", "issuer", "doc", "basis", "kind", "region")
# unit: the unit's identity (unit_term), region: county, city and province codes
FACET_FIELDS = ("year", "unit", "theme", "issuer", "region")


def unit_term(key: UnitKey) -> str:
    """The value a unit is indexed, filtered and counted under: its region and code (as in its IRI),
    since two counties' budget systems reuse unit codes."""
    return key.path


class SearchError(HrssError):
    """The search index is missing, unreadable, or was asked something it cannot answer."""


@dataclass(frozen=True)
class IndexDoc:
    """One searchable document (a project): analysed terms per text field, exact values, payload."""

    key: str
    kind: str
    year: int | None
    unit: str | None  # the unit's identity, unit_term(key)
    unit_name: str | None
    amount_wan: Decimal | None
    doc_numbers: tuple[str, ...]
    basis_numbers: tuple[str, ...]
    issuers: tuple[str, ...]
    themes: tuple[str, ...]
    terms: Mapping[str, str]  # per text field, its analysed terms separated by spaces
    payload: str  # JSON text for display, returned as is with each hit
    regions: tuple[str, ...] = ()  # the project's region and the regions it is in (county, city, province)


@dataclass(frozen=True)
class Filters:
    """Restrictions every hit must meet; None means "any"."""

    year: int | None = None
    unit: str | None = None  # a unit name; or a unit code, whose units are in `units`
    units: tuple[str, ...] = ()  # unit identities (unit_term): a project of any of them, or named `unit`
    region: str | None = None  # a region code: the projects in it or in a region inside it
    theme: str | None = None  # theme id
    issuer: str | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    kind: str = "project"


@dataclass(frozen=True)
class BackendQuery:
    """What to match: full-text words and/or 文号.

    With doc_numbers, hits are exactly the documents citing one of them (as funding document first,
    as basis second) and the words only rank them. Without, the words match: every word when
    require_all, any word otherwise (documents with more words rank higher).
    """

    words: tuple[QueryWord, ...] = ()
    doc_numbers: tuple[str, ...] = ()
    require_all: bool = True


@dataclass(frozen=True)
class BackendHit:
    key: str
    score: float
    payload: str


@dataclass
class BackendResult:
    total: int
    hits: list[BackendHit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


class SearchBackend(ABC):
    """A full-text engine behind kg.search. Create or open one directory; close when done."""

    name: ClassVar[str]

    @classmethod
    @abstractmethod
    def create(cls, path: Path) -> SearchBackend:
        """A new, empty index in the directory `path` (created if needed)."""

    @classmethod
    @abstractmethod
    def open(cls, path: Path) -> SearchBackend:
        """An existing index, for searching and updating; raises SearchError when unreadable."""

    @abstractmethod
    def add(self, docs: Iterable[IndexDoc]) -> int:
        """Add (or replace, by key) documents; returns how many. Visible after commit()."""

    @abstractmethod
    def delete(self, keys: Iterable[str]) -> int:
        """Delete documents by key; returns how many were found. Visible after commit()."""

    @abstractmethod
    def commit(self) -> None:
        """Make added and deleted documents visible to searches."""

    @abstractmethod
    def search(self, query: BackendQuery, filters: Filters, *, offset: int = 0, limit: int = 10,
               facets: Sequence[str] = FACET_FIELDS) -> BackendResult:
        """Hits offset..offset+limit by descending score, the total and facet counts of all hits."""

    @abstractmethod
    def values(self, field: str) -> list[str]:
        """Every distinct value of a keyword field (e.g. all canonical 文号 in "doc")."""

    @abstractmethod
    def count(self) -> int:
        """How many documents the index holds."""

    def close(self) -> None:
        """Release files and searchers."""


# name → "module:Class"; another engine registers here and is chosen at build time.
BACKENDS: dict[str, str] = {
    "whoosh": "kg.search.whoosh_backend:WhooshBackend",
    "tantivy": "kg.search.tantivy_backend:TantivyBackend",
}


def backend_class(name: str) -> type[SearchBackend]:
    """The backend class registered under `name`."""
    if name not in BACKENDS:
        raise SearchError(f"unknown search backend {name!r}; known: {', '.join(sorted(BACKENDS))}")
    module, _, cls = BACKENDS[name].partition(":")
    return getattr(importlib.import_module(module), cls)
