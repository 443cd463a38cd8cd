"""The whoosh (whoosh-reloaded) search backend: pure Python, right for county- and city-sized corpora.

Text fields hold the pre-analysed terms separated by spaces, so whoosh only splits on spaces and
never runs jieba itself (the schema it pickles stays free of our analyzer). A backend object keeps
one searcher open: files of a build that a later rebuild removes stay readable until it closes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from threading import Lock
from typing import Any

from whoosh import index as windex
from whoosh import query as Q
from whoosh import sorting
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from kg.search.backend import (
    FACET_FIELDS,
    TEXT_FIELDS,
    BackendHit,
    BackendQuery,
    BackendResult,
    Filters,
    IndexDoc,
    SearchBackend,
    SearchError,
)

__all__ = ["WhooshBackend", "schema"]

_MULTI = ("theme", "issuer", "doc", "basis", "region")  # keyword fields holding several values
_DOC_BOOST = 4.0  # cited as the funding document
_BASIS_BOOST = 1.0  # cited only as 政策依据


def schema() -> Schema:
    """The whoosh schema: one text field per TEXT_FIELDS entry, keyword fields, amount, payload."""
    fields: dict[str, Any] = {
        name: TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=False) for name in TEXT_FIELDS
    }
    fields.update(
        key=ID(stored=True, unique=True),
        kind=ID(),
        year=ID(),
        unit=ID(),
        unit_name=ID(),
        theme=KEYWORD(),
        issuer=KEYWORD(),
        doc=KEYWORD(),
        basis=KEYWORD(),
        region=KEYWORD(),
        amount=NUMERIC(numtype=float, bits=64),
        payload=STORED(),
    )
    return Schema(**fields)


def _doc_fields(doc: IndexDoc) -> dict[str, Any]:
    out: dict[str, Any] = {
        "key": doc.key,
        "kind": doc.kind,
        "payload": doc.payload,
        "theme": " ".join(doc.themes),
        "issuer": " ".join(doc.issuers),
        "doc": " ".join(doc.doc_numbers),
        "basis": " ".join(doc.basis_numbers),
        "region": " ".join(doc.regions),
    }
    if doc.year is not None:
        out["year"] = str(doc.year)
    if doc.unit:
        out["unit"] = doc.unit
    if doc.unit_name:
        out["unit_name"] = doc.unit_name
    if doc.amount_wan is not None:
        out["amount"] = float(doc.amount_wan)
    for name in TEXT_FIELDS:
        terms = doc.terms.get(name)
        if terms:
            out[name] = terms
    return out


def _term_query(term: str, weight: float) -> Q.Query:
    return Q.Or([Q.Term(f, term, boost=b * weight) for f, b in TEXT_FIELDS.items()])


def _words_query(query: BackendQuery) -> Q.Query | None:
    words = []
    for w in query.words:
        alts = [Q.And([_term_query(t, a.weight) for t in a.terms]) for a in w.alternatives if a.terms]
        if alts:
            words.append(Q.Or(alts))
    if not words:
        return None
    if len(words) == 1:
        return words[0]
    return Q.And(words) if query.require_all else Q.Or(words, scale=0.9)


def _filter_query(filters: Filters) -> Q.Query:
    parts: list[Q.Query] = [Q.Term("kind", filters.kind)]
    if filters.year is not None:
        parts.append(Q.Term("year", str(filters.year)))
    if filters.unit or filters.units:
        named = [Q.Term("unit_name", filters.unit)] if filters.unit else []
        parts.append(Q.Or([*(Q.Term("unit", u) for u in filters.units), *named]))
    if filters.region:
        parts.append(Q.Term("region", filters.region))
    if filters.theme:
        parts.append(Q.Term("theme", filters.theme))
    if filters.issuer:
        parts.append(Q.Term("issuer", filters.issuer))
    if filters.amount_min is not None or filters.amount_max is not None:
        lo = float(filters.amount_min) if filters.amount_min is not None else None
        hi = float(filters.amount_max) if filters.amount_max is not None else None
        parts.append(Q.NumericRange("amount", lo, hi))
    return Q.And(parts) if len(parts) > 1 else parts[0]


class WhooshBackend(SearchBackend):
    """whoosh index in one directory."""

    name = "whoosh"

    def __init__(self, ix: windex.Index, path: Path):
        self._ix = ix
        self._path = path
        self._writer: Any = None
        self._searcher: Any = None
        self._lock = Lock()
        self._reading = Lock()

    @classmethod
    def create(cls, path: Path) -> WhooshBackend:
        path.mkdir(parents=True, exist_ok=True)
        return cls(windex.create_in(str(path), schema()), path)

    @classmethod
    def open(cls, path: Path) -> WhooshBackend:
        try:
            ix = windex.open_dir(str(path))
        except (OSError, windex.EmptyIndexError) as e:
            raise SearchError(f"{path}: no readable search index ({e})") from e
        backend = cls(ix, path)
        backend._searcher = ix.searcher()  # opened now: the files stay ours if a rebuild prunes them
        return backend

    def _write(self) -> Any:
        if self._writer is None:
            self._writer = self._ix.writer(limitmb=128)
        return self._writer

    def add(self, docs: Iterable[IndexDoc]) -> int:
        writer = self._write()
        n = 0
        for doc in docs:
            writer.update_document(**_doc_fields(doc))
            n += 1
        return n

    def delete(self, keys: Iterable[str]) -> int:
        writer = self._write()
        return sum(writer.delete_by_term("key", k) for k in keys)

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            self._writer = None
        # A new searcher, not searcher.refresh(): refresh reuses a segment's reader by segment id
        # and so misses deletions committed into a segment it already had open.
        with self._reading, self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = self._ix.searcher()

    def _search_with(self) -> Any:
        with self._lock:
            if self._searcher is None:
                self._searcher = self._ix.searcher()
            return self._searcher

    def search(self, query: BackendQuery, filters: Filters, *, offset: int = 0, limit: int = 10,
               facets: Sequence[str] = FACET_FIELDS) -> BackendResult:
        words = _words_query(query)
        if query.doc_numbers:
            cited = Q.Or(
                [Q.Term("doc", d, boost=_DOC_BOOST) for d in query.doc_numbers]
                + [Q.Term("basis", d, boost=_BASIS_BOOST) for d in query.doc_numbers]
            )
            q: Q.Query = Q.AndMaybe(cited, words) if words is not None else cited
        elif words is not None:
            q = words
        else:
            return BackendResult(0)
        groups = sorting.Facets()
        for name in facets:
            if name not in FACET_FIELDS:
                raise SearchError(f"no facet {name!r}; facets: {', '.join(FACET_FIELDS)}")
            groups.add_facet(name, sorting.FieldFacet(name, allow_overlap=name in _MULTI,
                                                      maptype=sorting.Count))
        searcher = self._search_with()
        with self._reading:  # one search at a time on the shared searcher's files
            results = searcher.search(q, filter=_filter_query(filters),
                                      limit=max(1, offset + limit),
                                      groupedby=groups if facets else None)
            hits = [
                BackendHit(hit["key"], _finite(float(hit.score or 0.0)), hit["payload"])
                for hit in results[offset: offset + limit]
            ]
            total = len(results)
            by_facet = {name: results.groups(name) for name in facets}
        counts = {
            name: sorted(((str(k), int(v)) for k, v in groups_.items() if k not in (None, "")),
                         key=lambda kv: (-kv[1], kv[0]))
            for name, groups_ in by_facet.items()
        }
        return BackendResult(total, hits, counts)

    def values(self, field: str) -> list[str]:
        searcher = self._search_with()
        with self._reading:
            return [t.decode("utf-8") if isinstance(t, bytes) else str(t)
                    for t in searcher.reader().lexicon(field)]

    def count(self) -> int:
        return self._search_with().doc_count()

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
        if self._writer is not None:
            self._writer.cancel()
            self._writer = None
        self._ix.close()


def _finite(x: float) -> float:  # scores from whoosh are finite; keep JSON valid if one is not
    return x if math.isfinite(x) else 0.0
