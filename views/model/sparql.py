"""The SPARQL page's glue: a named query edited by the user and bound, results as plain rows."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from kg.queries import NamedQuery
from kg.store import QueryResult

__all__ = ["bind_query", "query_rows"]


def bind_query(named: NamedQuery, text: str, values: dict[str, str | None]) -> str:
    """The (possibly edited) text of a named query with its given $parameters filled in."""
    given = {k: v for k, v in values.items() if v not in (None, "")}
    return dataclasses.replace(named, sparql=text).bind(**given)


def query_rows(result: QueryResult) -> list[dict[str, Any]]:
    """A store QueryResult as rows of plain values; IRIs and other terms as text."""
    return [{c: v if isinstance(v, str | int | float | Decimal | None) else str(v)
             for c, v in ((c, row.get(c)) for c in result.columns)}
            for row in result.rows]
