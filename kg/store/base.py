"""What every graph store shares: errors, results, RDF terms as Python values, the `Store` base.

A store answers read-only SPARQL in the calling process. That path is for the queries hrss-kg
itself writes (the named queries behind the core, document cards, lineage, exports): they are
trusted and not time-limited. SPARQL typed by a user goes through `kg.store.runner`, which checks
it lexically and runs it in a worker process with memory, CPU and time limits.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from rdflib import Graph

from kg.settings import Settings
from kg.store.check import check_read_only
from kg.store.errors import (
    QueryMemoryError, QueryRefusedError, QueryTimeoutError, ReadOnlyError, StoreError)

__all__ = ["Store", "QueryResult", "TermRows", "Term", "StoreError", "ReadOnlyError", "as_count",
           "QueryTimeoutError", "QueryRefusedError", "QueryMemoryError", "to_python", "collect"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {f"{_XSD}{t}" for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort",
    "unsignedByte")}

# An RDF term: (kind, value, datatype, language); kind is "uri", "bnode" or "literal".
Term = tuple[str, str, str | None, str | None]


@dataclass
class QueryResult:
    """Result of a query: column names and rows of Python values (`truncated` when the cap cut it)."""

    columns: list[str]
    rows: list[dict[str, object]]
    truncated: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"columns": self.columns, "rows": self.rows, "truncated": self.truncated}


@dataclass
class TermRows:
    """A query's answer as RDF terms: what a worker sends back and `kg serve` prints.

    SELECT: `columns` are the variables, each row one term (or None) per column. ASK: `boolean`.
    CONSTRUCT / DESCRIBE: columns subject, predicate, object.
    """

    form: str
    columns: list[str]
    rows: list[tuple[Term | None, ...]]
    boolean: bool | None = None
    truncated: bool = False

    def to_result(self) -> QueryResult:
        """Python values (Decimal, int, float, bool, str) in place of terms."""
        if self.form == "ASK":
            return QueryResult(["ask"], [{"ask": bool(self.boolean)}])
        rows = [{c: (None if t is None else to_python(*t)) for c, t in zip(self.columns, row)}
                for row in self.rows]
        return QueryResult(self.columns, rows, self.truncated)


def to_python(kind: str, value: str, datatype: str | None = None, lang: str | None = None) -> object:
    """One RDF term as a Python value; kind is uri, bnode or literal."""
    if kind == "bnode":
        return f"_:{value}"
    if kind != "literal" or lang or not datatype:
        return value
    try:
        if datatype == f"{_XSD}decimal":
            return Decimal(value.strip())
        if datatype in _INTEGER_TYPES:
            return int(value.strip())
        if datatype in (f"{_XSD}double", f"{_XSD}float"):
            return float(value.strip())
        if datatype == f"{_XSD}boolean":
            return value.strip() in ("true", "1")
    except (InvalidOperation, ValueError):
        return value  # an ill-typed literal stays as printed
    return value


def collect(form: str, columns: list[str], rows: Iterable[tuple[Term | None, ...]], cap: int
            ) -> TermRows:
    """At most `cap` rows of an answer, `truncated` when there were more."""
    out: list[tuple[Term | None, ...]] = []
    it: Iterator[tuple[Term | None, ...]] = iter(rows)
    for row in it:
        if len(out) >= cap:
            return TermRows(form, columns, out, truncated=True)
        out.append(row)
    return TermRows(form, columns, out)


TRIPLE_COLUMNS = ["subject", "predicate", "object"]


def as_count(value: object) -> int:
    """A COUNT from a result row: an int, a Decimal or its lexical form, as the store gives it."""
    if isinstance(value, (int, str, Decimal)):
        try:
            return int(value)
        except (ValueError, InvalidOperation):
            pass
    raise StoreError(f"not a count: {value!r}")


class Store:
    """A read-only SPARQL view of one build's graph."""

    kind = "abstract"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.build_dir: Path | None = None  # the build it was opened from (set by open_store)

    def query(self, sparql: str, *, limit: int | None = None, timeout: float | None = None
              ) -> QueryResult:
        """Run a trusted read-only query here; at most `limit` (≤ the row cap) rows.

        `timeout` bounds only an endpoint's HTTP request; embedded stores are not time-limited here
        (user SPARQL goes through kg.store.runner).
        """
        return self.query_terms(sparql, limit=limit, timeout=timeout).to_result()

    def query_terms(self, sparql: str, *, limit: int | None = None, timeout: float | None = None
                    ) -> TermRows:
        """Like `query`, with the answer as RDF terms."""
        form = check_read_only(sparql)
        cap = self.settings.sparql_row_cap if limit is None else min(limit, self.settings.sparql_row_cap)
        seconds = self.settings.sparql_timeout_s if timeout is None else timeout
        return self._terms(sparql, form, max(cap, 0), seconds)

    def with_settings(self, settings: Settings) -> Store:
        """The same open store under other settings (e.g. an uncapped row limit for an export)."""
        other = copy.copy(self)
        other.settings = settings
        return other

    def _terms(self, sparql: str, form: str, cap: int, timeout: float) -> TermRows:
        raise NotImplementedError

    def triple_count(self) -> int:
        """Number of triples in the graph."""
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
        return as_count(rows[0]["n"])

    def graphs(self) -> tuple[str, ...]:
        """The named graphs a query may name in FROM / FROM NAMED (none for an embedded store)."""
        return ()

    def to_graph(self) -> Graph:
        """The whole graph as an rdflib Graph (for validation)."""
        raise NotImplementedError

    def dump(self, out: IO[bytes], fmt: str) -> None:
        """Stream the graph into `out` as N-Triples ("nt"), N-Quads ("nq") or Turtle ("ttl")."""
        raise NotImplementedError

    def close(self) -> None:
        """Release files or connections."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
