"""The tantivy search backend (Rust, through its Python bindings): for province-sized corpora.

Text fields hold the pre-analysed terms joined by spaces and use tantivy's `whitespace` tokenizer, so
tantivy never segments Chinese itself and indexes exactly the terms whoosh indexes. Keyword fields
use the `raw` tokenizer and are fast fields, so facets are tantivy `terms` aggregations. The stored
payload is a bytes field that is not indexed. Scores are BM25 summed over the boosted fields, the
same query shape as the whoosh backend.

Updates: one writer per index directory (tantivy holds a lock file while it is open); `commit`
publishes a new segment list atomically and reloads this object's reader; readers in other
processes reload on their own when the commit lands.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from threading import Lock
from typing import Any

import tantivy

from kg.search.backend import (
    FACET_FIELDS,
    KEYWORD_FIELDS,
    TEXT_FIELDS,
    BackendHit,
    BackendQuery,
    BackendResult,
    Filters,
    IndexDoc,
    SearchBackend,
    SearchError,
)

__all__ = ["TantivyBackend", "schema"]

_DOC_BOOST = 4.0  # cited as the funding document
_BASIS_BOOST = 1.0  # cited only as 政策依据
_WRITER_HEAP = 128_000_000
_MAX_BUCKETS = 1_000_000  # facet values returned: all of them
_SHOULD, _MUST = tantivy.Occur.Should, tantivy.Occur.Must


def schema() -> tantivy.Schema:
    """Text fields (whitespace-split terms, frequencies only), keyword fields, amount, payload."""
    sb = tantivy.SchemaBuilder()
    for name in TEXT_FIELDS:
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("key", stored=True, tokenizer_name="raw", index_option="basic")
    for name in KEYWORD_FIELDS:
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_float_field("amount", indexed=True, fast=True)
    sb.add_bytes_field("payload", stored=True)
    return sb.build()


def _document(doc: IndexDoc, schema: tantivy.Schema) -> tantivy.Document:
    """The engine's document, built in one call from a dict of field → value(s)."""
    fields: dict[str, Any] = {"key": doc.key, "kind": doc.kind, "payload": doc.payload.encode("utf-8")}
    if doc.year is not None:
        fields["year"] = str(doc.year)
    if doc.unit:
        fields["unit"] = doc.unit
    if doc.unit_name:
        fields["unit_name"] = doc.unit_name
    if doc.amount_wan is not None:
        fields["amount"] = float(doc.amount_wan)
    for name, values in (("theme", doc.themes), ("issuer", doc.issuers), ("doc", doc.doc_numbers),
                         ("basis", doc.basis_numbers), ("region", doc.regions)):
        if values:
            fields[name] = list(dict.fromkeys(values))  # a value once per document: facets count documents
    terms = doc.terms
    for name in TEXT_FIELDS:
        if text := terms.get(name):
            fields[name] = text
    return tantivy.Document.from_dict(fields, schema)


class TantivyBackend(SearchBackend):
    """tantivy index in one directory."""

    name = "tantivy"

    def __init__(self, ix: tantivy.Index, path: Path, fresh: bool = False):
        self._ix = ix
        self._schema = ix.schema
        self._path = path
        self._writer: Any = None
        self._fresh = fresh  # a new index: added documents need no delete-by-key first
        self._lock = Lock()

    @classmethod
    def create(cls, path: Path) -> TantivyBackend:
        path.mkdir(parents=True, exist_ok=True)
        return cls(tantivy.Index(schema(), path=str(path), reuse=False), path, fresh=True)

    @classmethod
    def open(cls, path: Path) -> TantivyBackend:
        try:
            if not tantivy.Index.exists(str(path)):
                raise SearchError(f"{path}: no tantivy index here")
            ix = tantivy.Index.open(str(path))
        except ValueError as e:
            raise SearchError(f"{path}: no readable search index ({e})") from e
        return cls(ix, path)

    # ---- writing

    def _write(self) -> Any:
        if self._writer is None:
            try:
                # One indexing thread: the machines this runs on share two cores with the build.
                self._writer = self._ix.writer(heap_size=_WRITER_HEAP, num_threads=1)
            except ValueError as e:
                raise SearchError(f"{self._path}: the index is being written by another "
                                  f"process ({e})") from e
        return self._writer

    def add(self, docs: Iterable[IndexDoc]) -> int:
        writer = self._write()
        n = 0
        add, schema = writer.add_document, self._schema
        for doc in docs:
            if not self._fresh:
                writer.delete_documents_by_term("key", doc.key)
            add(_document(doc, schema))
            n += 1
        return n

    def delete(self, keys: Iterable[str]) -> int:
        keys = list(dict.fromkeys(keys))
        searcher = self._ix.searcher()

        def held(key: str) -> int:
            result: Any = searcher.search(self._term("key", key), limit=1, count=True)
            return int(result.count or 0)  # SearchResult.count: the bindings' stubs lag the engine

        found = sum(map(held, keys))
        writer = self._write()
        for k in keys:
            writer.delete_documents_by_term("key", k)
        return found

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = None
            self._fresh = False
        self._ix.reload()

    # ---- reading

    def _term(self, field: str, value: str, boost: float = 1.0) -> tantivy.Query:
        q = tantivy.Query.term_query(self._schema, field, value, index_option="basic")
        return q if boost == 1.0 else tantivy.Query.boost_query(q, boost)

    def _term_in_text(self, term: str, weight: float) -> tantivy.Query:
        return tantivy.Query.boolean_query([
            (_SHOULD, tantivy.Query.boost_query(
                tantivy.Query.term_query(self._schema, f, term, index_option="freq"), b * weight))
            for f, b in TEXT_FIELDS.items()
        ])

    def _words_query(self, query: BackendQuery) -> tantivy.Query | None:
        words = []
        for w in query.words:
            alts = [
                tantivy.Query.boolean_query([(_MUST, self._term_in_text(t, a.weight))
                                             for t in a.terms])
                for a in w.alternatives if a.terms
            ]
            if alts:
                words.append(tantivy.Query.boolean_query([(_SHOULD, a) for a in alts]))
        if not words:
            return None
        if len(words) == 1:
            return words[0]
        occur = _MUST if query.require_all else _SHOULD
        return tantivy.Query.boolean_query([(occur, w) for w in words])

    def _filters(self, filters: Filters) -> list[tantivy.Query]:
        parts = [self._term("kind", filters.kind)]
        if filters.year is not None:
            parts.append(self._term("year", str(filters.year)))
        if filters.unit or filters.units:
            named = [self._term("unit_name", filters.unit)] if filters.unit else []
            parts.append(tantivy.Query.boolean_query(
                [(_SHOULD, q) for q in [*(self._term("unit", u) for u in filters.units), *named]]))
        if filters.region:
            parts.append(self._term("region", filters.region))
        if filters.theme:
            parts.append(self._term("theme", filters.theme))
        if filters.issuer:
            parts.append(self._term("issuer", filters.issuer))
        if filters.amount_min is not None or filters.amount_max is not None:
            parts.append(tantivy.Query.range_query(
                self._schema, "amount", tantivy.FieldType.Float,
                lower_bound=float(filters.amount_min) if filters.amount_min is not None else -math.inf,
                upper_bound=float(filters.amount_max) if filters.amount_max is not None else math.inf,
            ))
        # Filters restrict; they must not add to the score.
        return [tantivy.Query.const_score_query(p, 0.0) for p in parts]

    def search(self, query: BackendQuery, filters: Filters, *, offset: int = 0, limit: int = 10,
               facets: Sequence[str] = FACET_FIELDS) -> BackendResult:
        for name in facets:
            if name not in FACET_FIELDS:
                raise SearchError(f"no facet {name!r}; facets: {', '.join(FACET_FIELDS)}")
        words = self._words_query(query)
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if query.doc_numbers:
            cited = [self._term("doc", d, _DOC_BOOST) for d in query.doc_numbers]
            cited += [self._term("basis", d, _BASIS_BOOST) for d in query.doc_numbers]
            clauses.append((_MUST, tantivy.Query.boolean_query([(_SHOULD, c) for c in cited])))
            if words is not None:
                clauses.append((_SHOULD, words))  # the words only rank the cited documents
        elif words is not None:
            clauses.append((_MUST, words))
        else:
            return BackendResult(0)
        clauses += [(_MUST, f) for f in self._filters(filters)]
        q = tantivy.Query.boolean_query(clauses)
        searcher = self._ix.searcher()
        found = searcher.search(q, limit=max(1, limit), offset=offset, count=True)
        hits = []
        for score, address in found.hits:
            doc = searcher.doc(address)
            key, payload = doc.get_first("key"), doc.get_first("payload")
            if key is None or payload is None:
                raise SearchError(f"{self._path}: a stored document has no key or payload; rebuild the index")
            hits.append(BackendHit(key, _finite(score), bytes(payload).decode("utf-8")))
        counts: dict[str, list[tuple[str, int]]] = {}
        if facets:
            aggs = {name: {"terms": {"field": name, "size": _MAX_BUCKETS}} for name in facets}
            out = searcher.aggregate(q, aggs)
            for name in facets:
                buckets = out.get(name, {}).get("buckets", [])
                counts[name] = sorted(((str(b["key"]), int(b["doc_count"])) for b in buckets
                                       if b["key"] not in (None, "")),
                                      key=lambda kv: (-kv[1], kv[0]))
        return BackendResult(int(found.count or 0), hits, counts)  # type: ignore[attr-defined]

    def values(self, field: str) -> list[str]:
        if field not in KEYWORD_FIELDS:
            raise SearchError(f"no keyword field {field!r}; fields: {', '.join(KEYWORD_FIELDS)}")
        searcher = self._ix.searcher()
        out = searcher.aggregate(tantivy.Query.all_query(),
                                 {field: {"terms": {"field": field, "size": _MAX_BUCKETS}}})
        return sorted(str(b["key"]) for b in out.get(field, {}).get("buckets", []))

    def count(self) -> int:
        return self._ix.searcher().num_docs

    def close(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.rollback()
                self._writer = None


def _finite(x: float) -> float:
    return x if math.isfinite(x) else 0.0
