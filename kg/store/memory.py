"""The memory store: the build's rdflib graph, pickled to `graph.pickle`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any

from rdflib import BNode, Graph, Literal
from rdflib.query import ResultRow

from kg import ntriples as N
from kg.namespace import PREFIXES
from kg.settings import Settings
from kg.store.base import TRIPLE_COLUMNS, Store, Term, TermRows, collect
from kg.store.errors import StoreError

__all__ = ["MemoryStore", "graph_of_lines", "rdflib_term"]


def rdflib_term(term: Any) -> Term | None:
    """An rdflib node as a Term."""
    if term is None:
        return None
    if isinstance(term, BNode):
        return ("bnode", str(term), None, None)
    if isinstance(term, Literal):
        return ("literal", str(term), str(term.datatype) if term.datatype else None, term.language)
    return ("uri", str(term), None, None)


def graph_of_lines(lines: Iterable[str]) -> Graph:
    """An rdflib Graph of N-Triples lines written by kg (prefixes bound)."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    g.addN((s, p, o, g) for s, p, o in N.to_triples(lines))
    return g


class MemoryStore(Store):
    """The rdflib graph, loaded from the build's pickle."""

    kind = "memory"

    def __init__(self, settings: Settings, graph: Graph) -> None:
        super().__init__(settings)
        self.graph = graph

    def _terms(self, sparql: str, form: str, cap: int, timeout: float) -> TermRows:
        try:
            result = self.graph.query(sparql, initNs=PREFIXES)
            if form == "ASK":
                return TermRows(form, [], [], boolean=bool(result.askAnswer))
            if form in ("CONSTRUCT", "DESCRIBE"):
                triples: Iterator[tuple[Term | None, ...]] = (
                    (rdflib_term(s), rdflib_term(p), rdflib_term(o))
                    for s, p, o in result.graph)  # type: ignore[union-attr]
                return collect(form, TRIPLE_COLUMNS, triples, cap)
            columns = [str(v) for v in result.vars or []]
            rows = (tuple(rdflib_term(row[i]) for i in range(len(columns)))
                    for row in result if isinstance(row, ResultRow))  # a SELECT gives rows only
            return collect(form, columns, rows, cap)
        except (MemoryError, RecursionError):
            raise
        except Exception as e:  # pyparsing and evaluation errors have no common base
            raise StoreError(f"SPARQL 查询出错: {e}") from e

    def triple_count(self) -> int:
        return len(self.graph)

    def to_graph(self) -> Graph:
        """The whole graph as an rdflib Graph (for validation)."""
        return self.graph

    def dump(self, out: IO[bytes], fmt: str) -> None:
        """Write the graph as N-Triples, N-Quads (default graph) or Turtle."""
        rdflib_fmt = {"nt": "nt", "nq": "nt", "ttl": "turtle"}[fmt]
        self.graph.serialize(destination=out, format=rdflib_fmt, encoding="utf-8")

