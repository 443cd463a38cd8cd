"""Named SPARQL queries: one `.rq` file each in kg/queries/, shared by the CLI, the UI and lineage.

A file starts with comment lines: `# title: 中文标题`, one `# param: NAME TYPE [optional]` per
parameter (TYPE: integer, decimal or string), then free text describing it. Parameters are
written `$name` in the query. A given parameter is substituted as a literal (and `BOUND($name)`
becomes `true`); an optional one left out stays an unbound variable, so a filter written
`FILTER(!BOUND($year) || ?year = $year)` keeps every row.

    >>> sorted(named_queries())[:2]
    ['amount_mismatches', 'document_info']
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from ingest.errors import HrssError
from kg.store import QueryResult, Store

__all__ = ["NamedQuery", "QueryParam", "QUERIES_DIR", "named_queries", "run_named", "QueryParamError"]

QUERIES_DIR = Path(__file__).resolve().parent / "queries"
_TYPES = ("integer", "decimal", "string")
_HEADER = re.compile(r"^#\s*(title|param):\s*(.+?)\s*$")


class QueryParamError(HrssError, ValueError):
    """A named query was called with a missing, unknown or ill-typed parameter."""


@dataclass(frozen=True)
class QueryParam:
    """A parameter of a named query."""

    name: str
    type: str  # integer | decimal | string
    optional: bool = False


@dataclass(frozen=True)
class NamedQuery:
    """A query from kg/queries/: name (file stem), Chinese title, description, SPARQL, parameters."""

    name: str
    title: str
    description: str
    sparql: str
    parameters: tuple[QueryParam, ...] = ()

    def bind(self, **params: Any) -> str:
        """The SPARQL text with the given parameters substituted."""
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise QueryParamError(f"查询 {self.name} 没有参数: {', '.join(unknown)}"
                                  f"（可用: {', '.join(known) or '无'}）")
        text = self.sparql
        for p in self.parameters:
            value = params.get(p.name)
            if value is None:
                if not p.optional:
                    raise QueryParamError(f"查询 {self.name} 缺少参数 {p.name}（{p.type}）")
                continue
            lit = _literal(p, value, self.name)
            text = re.sub(rf"!\s*BOUND\s*\(\s*\${p.name}\s*\)", "false", text, flags=re.IGNORECASE)
            text = re.sub(rf"BOUND\s*\(\s*\${p.name}\s*\)", "true", text, flags=re.IGNORECASE)
            text = re.sub(rf"\${p.name}\b", _constant(lit), text)
        return text

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "description": self.description,
                "parameters": [vars(p) for p in self.parameters], "sparql": self.sparql}


def _constant(text: str) -> Callable[[re.Match[str]], str]:
    """A re.sub replacement that inserts `text` as is (no backslash or group expansion)."""
    return lambda _m: text


def _literal(param: QueryParam, value: Any, query: str) -> str:
    try:
        if param.type == "integer":
            if isinstance(value, bool) or not str(value).strip().lstrip("-").isdigit():
                raise ValueError(value)
            return str(int(str(value).strip()))
        if param.type == "decimal":
            return f'"{Decimal(str(value).strip())}"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    except (ValueError, InvalidOperation) as e:
        raise QueryParamError(f"查询 {query} 的参数 {param.name} 应为 {param.type}: {value!r}") from e
    # JSON string escapes are valid SPARQL string escapes for ", \ and control characters.
    return json.dumps(str(value), ensure_ascii=False)


def _parse(path: Path) -> NamedQuery:
    title = None
    params: list[QueryParam] = []
    description: list[str] = []
    body: list[str] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if body or not line.startswith("#"):
            body.append(line)
            continue
        m = _HEADER.match(line)
        if m is None:
            description.append(line.lstrip("#").strip())
        elif m[1] == "title":
            title = m[2]
        else:
            parts = m[2].split()
            if len(parts) not in (2, 3) or parts[1] not in _TYPES or parts[2:] not in ([], ["optional"]):
                raise HrssError(f"{path}:{n}: expected '# param: NAME {'|'.join(_TYPES)} [optional]'")
            params.append(QueryParam(parts[0], parts[1], len(parts) == 3))
    if not title:
        raise HrssError(f"{path}:1: a named query needs a '# title: …' line")
    return NamedQuery(path.stem, title, " ".join(d for d in description if d),
                      "\n".join(body).strip() + "\n", tuple(params))


@cache
def _load(directory: Path) -> dict[str, NamedQuery]:
    return {q.name: q for q in map(_parse, sorted(directory.glob("*.rq")))}


def named_queries() -> dict[str, NamedQuery]:
    """Every named query, by name."""
    return dict(_load(QUERIES_DIR))


def run_named(store: Store, name: str, *, limit: int | None = None, **params: Any) -> QueryResult:
    """Run a named query with its parameters (`run_named(store, "project_detail", year=2022, code=…)`)."""
    queries = _load(QUERIES_DIR)
    if name not in queries:
        raise QueryParamError(f"没有名为 {name} 的查询（可用: {', '.join(sorted(queries))}）")
    return store.query(queries[name].bind(**params), limit=limit)
