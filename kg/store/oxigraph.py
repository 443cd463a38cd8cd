"""The Oxigraph store: a pyoxigraph database in the build's `oxigraph/`, opened read-only.

Oxigraph stores xsd:decimal by value, so it gives "10.00" back as 10: the Decimal compares equal,
but its printed form differs from the memory store's (the graph also keeps the printed form).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib import Graph

from kg.namespace import PREFIXES
from kg.settings import Settings
from kg.store.base import TRIPLE_COLUMNS, Store, Term, TermRows, collect
from kg.store.errors import StoreError

__all__ = ["OxigraphStore", "ox_term"]

_DUMP_FORMATS = {"nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS, "ttl": ox.RdfFormat.TURTLE}


def ox_term(term: Any) -> Term | None:
    """A pyoxigraph term as a Term."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.datatype.value, term.language)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value, None, None)
    return ("uri", term.value, None, None)


class OxigraphStore(Store):
    """A pyoxigraph database on disk, opened read-only."""

    kind = "oxigraph"

    def __init__(self, settings: Settings, path: Path) -> None:
        super().__init__(settings)
        try:
            self.db: ox.Store | None = ox.Store.read_only(str(path))
        except OSError as e:
            raise StoreError(f"{path}: cannot open the Oxigraph store: {e}") from e

    def _open(self) -> ox.Store:
        if self.db is None:
            raise StoreError("the Oxigraph store is closed")
        return self.db

    def _terms(self, sparql: str, form: str, cap: int, timeout: float) -> TermRows:
        try:
            result = self._open().query(sparql, prefixes=PREFIXES)
            if isinstance(result, ox.QueryBoolean):
                return TermRows(form, [], [], boolean=bool(result))
            if isinstance(result, ox.QueryTriples):
                triples: Iterator[tuple[Term | None, ...]] = (
                    (ox_term(t.subject), ox_term(t.predicate), ox_term(t.object)) for t in result)
                return collect(form, TRIPLE_COLUMNS, triples, cap)
            columns = [v.value for v in result.variables]
            rows = (tuple(ox_term(sol[c]) for c in columns) for sol in result)
            return collect(form, columns, rows, cap)
        except (SyntaxError, OSError) as e:
            raise StoreError(f"SPARQL 查询出错: {e}") from e

    def triple_count(self) -> int:
        return len(self._open())

    def to_graph(self) -> Graph:
        """The whole graph as an rdflib Graph (for validation; an export streams with `dump`)."""
        data = self._open().dump(format=ox.RdfFormat.N_QUADS) or b""
        return Graph().parse(data=data.decode("utf-8"), format="nquads")

    def dump(self, out: IO[bytes], fmt: str) -> None:
        """Stream the default graph as N-Triples, N-Quads or Turtle (written by Oxigraph, off the GIL)."""
        prefixes = {p: str(ns) for p, ns in PREFIXES.items()} if fmt == "ttl" else None
        self._open().dump(out, _DUMP_FORMATS[fmt], from_graph=ox.DefaultGraph(), prefixes=prefixes)

    def close(self) -> None:
        self.db = None
