"""Search results: hits with their source lines, highlighted fragments, facets; JSON for scripts."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from typing import Any

from ingest.docnumber import DocQuery, find_doc_numbers
from ingest.records import SourceSpan
from kg.search.backend import FACET_FIELDS

__all__ = ["Fragment", "Hit", "UnitCount", "SearchResult", "fragments_for", "hit_from_payload"]

_WINDOW = 36  # characters of context on each side of the first match in a long text
_MAX_FRAGMENTS = 3
# Fields searched for fragments, in the order they are shown; project_name repeats the title.
_FRAGMENT_FIELDS = ("title", "project_name", "purpose", "goals", "indicators", "unit_name")


@dataclass(frozen=True)
class Fragment:
    """A piece of a field's text: segments of (text, matched)."""

    field: str
    segments: list[tuple[str, bool]]

    @property
    def text(self) -> str:
        return "".join(s for s, _ in self.segments)

    def to_html(self) -> str:
        """The text HTML-escaped, matched pieces in <mark>…</mark> (source text is never trusted)."""
        return "".join(f"<mark>{escape(s)}</mark>" if m else escape(s) for s, m in self.segments)

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "html": self.to_html()}


@dataclass(frozen=True)
class Hit:
    """One matching project."""

    year: int | None
    project_code: str | None
    project_name: str | None
    title: str | None
    unit_code: str | None
    unit_name: str | None
    budget_wan: Decimal | None
    score: float
    highlights: list[Fragment]
    doc_refs: list[str]
    themes: list[str]
    source: SourceSpan
    basis_refs: list[str] = field(default_factory=list)
    theme_labels: list[str] = field(default_factory=list)
    region_code: str | None = None
    region_name: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "project_code": self.project_code,
            "project_name": self.project_name,
            "unit_code": self.unit_code,
            "unit_name": self.unit_name,
            "budget_wan": self.budget_wan,
            "score": round(self.score, 4),
            "highlights": [f.to_json() for f in self.highlights],
            "doc_refs": list(self.doc_refs),
            "source": self.source.to_json(),
            "region_code": self.region_code,
            "region_name": self.region_name,
            "title": self.title,
            "basis_refs": list(self.basis_refs),
            "themes": [{"id": t, "label": lab} for t, lab in zip(self.themes, self.theme_labels,
                                                                 strict=False)],
        }


@dataclass(frozen=True)
class UnitCount:
    """An entry of the 单位 facet: a unit (region and code, as two counties reuse codes), its
    county's and its own name, and how many hits it has."""

    region_code: str | None  # None for a unit of projects never placed in a region
    region_name: str | None
    unit_code: str
    unit_name: str | None
    count: int

    def to_json(self) -> dict[str, Any]:
        return {"region_code": self.region_code, "region_name": self.region_name,
                "unit_code": self.unit_code, "unit_name": self.unit_name, "count": self.count}


@dataclass
class SearchResult:
    """A page of hits, the total, facet counts over all hits, and the 文号 the query named.

    `facets` counts values (year, theme, issuer, region); the 单位 facet is `unit_facet`, by unit.
    """

    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    doc_query: DocQuery | None
    page: int
    page_size: int
    facet_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    matched_all_words: bool = True
    unit_facet: list[UnitCount] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "hits": [h.to_json() for h in self.hits],
            "facets": self._facets_json(),
            "page": self.page,
            "page_size": self.page_size,
            "doc_query": str(self.doc_query) if self.doc_query else None,
            "facet_labels": self.facet_labels,
            "matched_all_words": self.matched_all_words,
            # 2: hits carry region_code and region_name; the region facet.
            # 3: facets.unit lists units by region and code, with their names.
            "schema": 3,
        }

    def _facets_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in FACET_FIELDS:
            if name == "unit":
                out[name] = [u.to_json() for u in self.unit_facet]
            elif name in self.facets:
                out[name] = [[v, n] for v, n in self.facets[name]]
        return out


def _segments(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    at = 0
    for start, end in spans:
        if start > at:
            out.append((text[at:start], False))
        out.append((text[start:end], True))
        at = end
    if at < len(text):
        out.append((text[at:], False))
    return out


def _window(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """A long text cut around its first match, with the spans moved accordingly."""
    if len(text) <= 2 * _WINDOW + 20:
        return text, spans
    start = max(0, spans[0][0] - _WINDOW)
    end = min(len(text), spans[0][1] + _WINDOW)
    kept = [(max(s, start) - start, min(e, end) - start) for s, e in spans if e > start and s < end]
    piece = text[start:end]
    if start > 0:
        piece, kept = "…" + piece, [(s + 1, e + 1) for s, e in kept]
    if end < len(text):
        piece += "…"
    return piece, kept


def _doc_spans(text: str, doc_query: DocQuery) -> list[tuple[int, int]]:
    return [(m.start, m.end) for m in find_doc_numbers(text) if doc_query.matches(m.doc)]


def _merge(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(a + b):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def fragments_for(texts: dict[str, Any], find: Callable[[str], list[tuple[int, int]]],
                  doc_query: DocQuery | None = None) -> list[Fragment]:
    """Up to three fragments of a hit's texts where the query matched, fields in display order."""
    out: list[Fragment] = []
    seen: set[str] = set()
    for name in _FRAGMENT_FIELDS:
        value = texts.get(name)
        pieces: Iterable[str] = value if isinstance(value, list) else [value] if value else []
        for text in pieces:
            spans = find(text)
            if doc_query is not None:
                spans = _merge(spans, _doc_spans(text, doc_query))
            if not spans:
                continue
            piece, kept = _window(text, spans)
            frag = Fragment(name, _segments(piece, kept))
            if frag.text in seen or any(frag.text in s for s in seen):
                continue
            seen.add(frag.text)
            out.append(frag)
            if len(out) >= _MAX_FRAGMENTS:
                return out
    return out


def hit_from_payload(d: dict[str, Any], score: float, highlights: list[Fragment]) -> Hit:
    """A Hit from the stored payload of a document (parsed JSON)."""
    file, first, last = d["source"]
    return Hit(
        year=d["year"], project_code=d["project_code"], project_name=d["project_name"],
        title=d["title"], unit_code=d["unit_code"], unit_name=d["unit_name"],
        budget_wan=Decimal(d["budget_wan"]) if d["budget_wan"] is not None else None,
        score=score, highlights=highlights, doc_refs=list(d["doc_refs"]),
        themes=[t for t, _ in d["themes"]], source=SourceSpan(file, first, last),
        basis_refs=list(d.get("basis_refs", [])), theme_labels=[lab for _, lab in d["themes"]],
        region_code=d.get("region_code"), region_name=d.get("region_name"),
    )
