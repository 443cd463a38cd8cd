"""Searching a built index: 文号 routing, full text, filters, facets, highlights, pages.

    >>> idx = open_index(load_settings())                          # doctest: +SKIP
    >>> [h.project_code for h in idx.search("冀财社2021 176").hits]   # doctest: +SKIP
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from ingest.docnumber import DocQuery, find_doc_query
from kg.docmatch import DocNumbers
from kg.rdf.iri import UnitKey
from kg.search.analysis import Analyzer, AnalyzerConfig, QueryWord, get_analyzer
from kg.search.backend import (
    FACET_FIELDS,
    BackendQuery,
    BackendResult,
    Filters,
    SearchBackend,
    SearchError,
    backend_class,
    unit_term,
)
from kg.search.indexing import ANALYZER_FILE, INDEX_SUBDIR, META_FILE, SEARCH_DIR
from kg.search.results import SearchResult, UnitCount, fragments_for, hit_from_payload
from kg.settings import Settings
from kg.workspace import Workspace


__all__ = ["SearchIndex", "open_index", "MAX_PAGE_SIZE"]

MAX_PAGE_SIZE = 500


class SearchIndex:
    """An open search index (one build's `search/` directory). Thread-safe for searching."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.meta: dict[str, Any] = json.loads((self.path / META_FILE).read_text("utf-8"))
            config = AnalyzerConfig.load(self.path / ANALYZER_FILE)
        except (OSError, ValueError, KeyError) as e:
            raise SearchError(f"{self.path}: no usable search index ({e}); "
                              "run `python -m kg build` first") from e
        if "region_units" not in self.meta:
            # its unit field holds bare codes, which the unit filter and facet no longer use
            raise SearchError(f"{self.path}: the search index predates units keyed by region; "
                              "run `python -m kg build`")
        self.backend: SearchBackend = backend_class(self.meta["backend"]).open(self.path / INDEX_SUBDIR)
        self.analyzer: Analyzer = get_analyzer(config)

    def close(self) -> None:
        self.backend.close()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def units(self) -> dict[str, str]:
        """Unit code → unit name, for every unit in the index."""
        return dict(self.meta.get("units", {}))

    @cached_property
    def _units_by_term(self) -> dict[str, tuple[UnitKey, str | None]]:
        """unit_term → (unit, its name), for every unit in the index."""
        keys = ((UnitKey(r, c), n) for r, c, n in self.meta["region_units"])
        return {unit_term(k): (k, n) for k, n in keys}

    @cached_property
    def _terms_by_code(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = {}
        for term, (key, _) in self._units_by_term.items():
            out.setdefault(key.code, []).append(term)
        return {code: tuple(terms) for code, terms in out.items()}

    def unit_terms(self, code: str | None) -> tuple[str, ...]:
        """The indexed values of every unit with this code, one per region (none for a name)."""
        return self._terms_by_code.get(code, ()) if code else ()

    @property
    def regions(self) -> dict[str, str]:
        """Region code → name, for every region (and its parents) some project is in."""
        return dict(self.meta.get("regions", {}))

    def region_code(self, region: str | None) -> str | None:
        """The code of a region given by code or name (怀来县, or 怀来 when one name starts so)."""
        if not region:
            return None
        regions = self.regions
        if region in regions:
            return region
        named = [c for c, n in regions.items() if n == region] or \
            [c for c, n in regions.items() if n.startswith(region)]
        if len(named) > 1:
            raise SearchError(f"地区 {region} 不唯一: " + "、".join(f"{c} {regions[c]}" for c in sorted(named)))
        return named[0] if named else region  # an unknown region matches nothing

    @property
    def themes(self) -> dict[str, str]:
        """Theme id → label, for every theme some project carries."""
        return dict(self.meta.get("themes", {}))

    @cached_property
    def years(self) -> list[int]:
        """Every budget year in the index, newest first."""
        return sorted({int(v) for v in self.backend.values("year") if str(v).isdigit()}, reverse=True)

    @cached_property
    def _cited(self) -> DocNumbers:
        return DocNumbers({*self.backend.values("doc"), *self.backend.values("basis")})

    def doc_numbers(self, doc_query: DocQuery) -> list[str]:
        """Canonical 文号 in the index that a (possibly partial) 文号 query matches."""
        return self._cited.match(doc_query)

    def _theme_id(self, theme: str | None) -> str | None:
        if theme is None:
            return None
        labels = {label: tid for tid, label in self.themes.items()}
        return labels.get(theme, theme)

    def search(
        self,
        query: str,
        *,
        year: int | None = None,
        unit: str | None = None,
        region: str | None = None,
        theme: str | None = None,
        issuer: str | None = None,
        amount_min: Decimal | None = None,
        amount_max: Decimal | None = None,
        page: int = 1,
        page_size: int = 10,
    ) -> SearchResult:
        """Projects matching the query (a 文号 in any form is answered exactly), best first."""
        if page < 1:
            raise SearchError(f"page must be 1 or more, not {page}")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise SearchError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, not {page_size}")
        if amount_min is not None and amount_max is not None and amount_min > amount_max:
            raise SearchError(f"amount_min {amount_min} is above amount_max {amount_max}")
        query = query or ""
        # `unit` is a code (its units in every region; `region` picks one) or a name
        filters = Filters(year=year, unit=unit or None, units=self.unit_terms(unit),
                          region=self.region_code(region), theme=self._theme_id(theme),
                          issuer=issuer or None, amount_min=amount_min, amount_max=amount_max)
        doc_query, rest = find_doc_query(query) if query.strip() else (None, "")
        words = tuple(self.analyzer.query_words(rest if doc_query else query))
        offset = (page - 1) * page_size
        matched_all = True
        if doc_query is not None:
            cited = tuple(self.doc_numbers(doc_query))
            if not cited:
                raw = _empty(query, doc_query, page, page_size)
                raw.facet_labels = self._facet_labels()
                return raw
            bq = BackendQuery(words=words, doc_numbers=cited)
            result = self.backend.search(bq, filters, offset=offset, limit=page_size)
        elif not words:
            return _empty(query, None, page, page_size)
        else:
            result = self.backend.search(BackendQuery(words=words), filters, offset=offset,
                                         limit=page_size)
            exact_total = result.total
            if result.total < page_size and len(words) > 1:
                # Fewer projects than a page have every word: those with some of them follow.
                result = self._with_partial(words, filters, offset, page_size,
                                            result if offset == 0 else None)
                matched_all = result.total == exact_total
        terms = self.analyzer.highlight_terms(words)
        hits = []
        for h in result.hits:
            data = json.loads(h.payload)
            frags = fragments_for(data["texts"], lambda t: self.analyzer.find_spans(t, terms),
                                  doc_query)
            hits.append(hit_from_payload(data, h.score, frags))
        facets = {name: counts for name, counts in result.facets.items() if name != "unit"}
        return SearchResult(query=query, total=result.total, hits=hits, facets=facets,
                            doc_query=doc_query, page=page, page_size=page_size,
                            facet_labels=self._facet_labels(), matched_all_words=matched_all,
                            unit_facet=self._unit_counts(result.facets.get("unit", [])))

    def _unit_counts(self, counted: list[tuple[str, int]]) -> list[UnitCount]:
        """The unit facet's values (unit_term) as units with their county's and their own names."""
        regions, out = self.regions, []
        for term, n in counted:
            if term not in self._units_by_term:
                raise SearchError(f"{self.path}: unit {term!r} is indexed but not listed in {META_FILE}; "
                                  "run `python -m kg build`")
            key, name = self._units_by_term[term]
            out.append(UnitCount(key.region or None, regions.get(key.region), key.code, name, n))
        return sorted(out, key=lambda u: (-u.count, u.region_code or "", u.unit_code))

    def _with_partial(self, words: tuple[QueryWord, ...], filters: Filters, offset: int,
                      page_size: int, exact: BackendResult | None) -> BackendResult:
        """Projects with every word first (fewer than a page of them), then those with some."""
        if exact is None:
            exact = self.backend.search(BackendQuery(words=words), filters, offset=0,
                                        limit=page_size, facets=())
        wanted = offset + page_size
        loose = self.backend.search(BackendQuery(words=words, require_all=False), filters,
                                    offset=0, limit=wanted + len(exact.hits))
        seen = {h.key for h in exact.hits}
        merged = exact.hits + [h for h in loose.hits if h.key not in seen]
        loose.hits = merged[offset:wanted]
        return loose

    def _facet_labels(self) -> dict[str, dict[str, str]]:
        return {"unit": self.units, "theme": self.themes, "region": self.regions}


def _empty(query: str, doc_query: DocQuery | None, page: int, page_size: int) -> SearchResult:
    return SearchResult(query=query, total=0, hits=[], facets={f: [] for f in FACET_FIELDS if f != "unit"},
                        doc_query=doc_query, page=page, page_size=page_size)


def open_index(settings: Settings, build_dir: Path | None = None) -> SearchIndex:
    """The search index of a build (default: the published build of settings.index_dir)."""
    if build_dir is not None:
        return SearchIndex(Path(build_dir) / SEARCH_DIR)
    ws = Workspace(settings.index_dir)
    try:
        return SearchIndex(ws.current / SEARCH_DIR)
    except SearchError:
        # A rebuild may have pruned the build between resolving `current` and opening it.
        return SearchIndex(ws.current / SEARCH_DIR)
