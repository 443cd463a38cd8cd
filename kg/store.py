"""Graph stores: rdflib in memory, Oxigraph on disk, or any SPARQL 1.1 endpoint, behind one `Store`.

A build writes the graph for `settings.store` into its build directory and records what it wrote
in `graph.json`; `open_store` opens whatever the published build holds:

- memory: the rdflib graph pickled to `graph.pickle` (loads about twice as fast as N-Triples);
- oxigraph: a pyoxigraph database in `oxigraph/`, bulk-loaded, opened read-only;
- endpoint (settings.store is an http(s) URL): the graph is loaded by SPARQL 1.1 Update into a named
  graph of its own build (`https://w3id.org/hrss-kg/build/<workspace>/<build id>`), and queries name
  it as their default graph, so readers of the old build keep seeing the old graph until the new
  build is published. Graphs of builds that no longer exist are dropped by the next build.

Queries are read-only (updates are refused), capped at `settings.sparql_row_cap` rows and
`settings.sparql_timeout_s` seconds. Values come back as Python values: Decimal for xsd:decimal,
int for integers, bool, float, str for everything else (IRIs too).

Oxigraph (embedded and server) stores xsd:decimal by value, so it gives "10.00" back as 10: the
Decimal compares equal, but its printed form differs from the memory store's.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import pickle
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal

from ingest.errors import HrssError
from kg import ntriples as N
from kg.namespace import HK_BUILD, PREFIXES
from kg.settings import Settings
from kg.workspace import NotBuiltError, Workspace

__all__ = [
    "Store",
    "QueryResult",
    "StoreError",
    "ReadOnlyError",
    "QueryTimeoutError",
    "open_store",
    "write_store",
    "check_read_only",
    "GRAPH_INFO_FILE",
    "MEMORY_FILE",
    "OXIGRAPH_DIR",
    "append_to_store",
    "class_counts",
]

GRAPH_INFO_FILE = "graph.json"
MEMORY_FILE = "graph.pickle"
OXIGRAPH_DIR = "oxigraph"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {f"{_XSD}{t}" for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort",
    "unsignedByte")}
_INSERT_CHUNK = 2000  # triples per INSERT DATA request (servers without the Graph Store Protocol)
_LOAD_CHUNK = 250_000  # N-Triples lines per bulk-load call or Graph Store POST (bounds memory)


class StoreError(HrssError):
    """The graph store cannot be opened, written or queried."""


class ReadOnlyError(StoreError):
    """A SPARQL update was sent where only queries are allowed."""


class QueryTimeoutError(StoreError):
    """A query ran past its time limit."""


@dataclass
class QueryResult:
    """Result of a query: column names and rows of Python values (`truncated` when the cap cut it)."""

    columns: list[str]
    rows: list[dict[str, object]]
    truncated: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"columns": self.columns, "rows": self.rows, "truncated": self.truncated}


# ---------------------------------------------------------------- read-only check

_STRINGS = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                      r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>')
_COMMENT = re.compile(r"#[^\n]*")
_PROLOGUE = re.compile(r"^\s*(?:(?:PREFIX\s+[^\s:]*:\s*|BASE\s*)\s*<>\s*)*", re.IGNORECASE)
_FORM = re.compile(r"^\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_UPDATE = re.compile(
    r"\b(INSERT\s+DATA|INSERT\s*\{|DELETE\s+DATA|DELETE\s+WHERE|DELETE\s*\{|WITH\s+<>"
    r"|(?:LOAD|CLEAR|DROP|CREATE)\s+(?:SILENT\s+)?(?:GRAPH|DEFAULT|NAMED|ALL|<>)"
    r"|(?:ADD|MOVE|COPY)\s+(?:SILENT\s+)?(?:GRAPH\s+)?(?:DEFAULT|<>)\s+TO)",
    re.IGNORECASE,
)
_UPDATE_WORD = re.compile(r"^\s*(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
                          re.IGNORECASE)


def check_read_only(sparql: str) -> str:
    """The query form (SELECT, ASK, CONSTRUCT, DESCRIBE); raises ReadOnlyError for any update."""
    bare = _COMMENT.sub(" ", _STRINGS.sub(lambda m: "<>" if m[0].startswith("<") else '""', sparql))
    body = _PROLOGUE.sub("", bare, count=1)
    update = _UPDATE.search(bare) or _UPDATE_WORD.match(body)
    if update:
        word = update.group(0).split()[0].split("{")[0].upper()
        raise ReadOnlyError(
            f"只读：不允许 SPARQL 更新（{word}）。图谱只能由 `python -m kg build` 重建；"
            "这里只接受 SELECT / ASK / CONSTRUCT / DESCRIBE 查询。")
    form = _FORM.match(body)
    if form is None:
        raise StoreError("不是 SPARQL 查询：应以 SELECT、ASK、CONSTRUCT 或 DESCRIBE 开头（可带 PREFIX）")
    return form[1].upper()


# ---------------------------------------------------------------- values


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


def _rdflib_value(term: Any) -> object:
    if term is None:
        return None
    if isinstance(term, BNode):
        return to_python("bnode", str(term))
    if isinstance(term, Literal):
        dt = str(term.datatype) if term.datatype else None
        return to_python("literal", str(term), dt, term.language)
    return str(term)


def _ox_value(term: Any) -> object:
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.Literal):
        return to_python("literal", term.value, term.datatype.value, term.language)
    if isinstance(term, ox.BlankNode):
        return to_python("bnode", term.value)
    return term.value


# ---------------------------------------------------------------- time limit


def _with_timeout(func: Callable[[], QueryResult], timeout: float | None) -> QueryResult:
    """Run func in a worker thread; past the timeout, stop it and raise QueryTimeoutError."""
    if not timeout:
        return func()
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["result"] = func()
        except BaseException as e:  # handed back to the caller's thread
            box["error"] = e

    worker = threading.Thread(target=work, daemon=True, name="sparql-query")
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        # Raise in the worker at its next Python bytecode; the evaluators iterate in Python
        # (rdflib) or yield row by row (pyoxigraph), so the query stops soon after.
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident or 0),
                                                   ctypes.py_object(QueryTimeoutError))
        raise QueryTimeoutError(f"查询超过时间上限 {timeout:g} 秒，已中止")
    if "error" in box:
        raise box["error"]
    return box["result"]


def _collect(columns: list[str], rows: Iterator[dict[str, object]], cap: int) -> QueryResult:
    out: list[dict[str, object]] = []
    for row in rows:
        if len(out) >= cap:
            return QueryResult(columns, out, truncated=True)
        out.append(row)
    return QueryResult(columns, out)


# ---------------------------------------------------------------- stores


class Store:
    """A read-only SPARQL view of one build's graph."""

    kind = "abstract"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.build_dir: Path | None = None  # the build it was opened from (set by open_store)

    def query(self, sparql: str, *, limit: int | None = None, timeout: float | None = None
              ) -> QueryResult:
        """Run a read-only query; at most `limit` (≤ the row cap) rows, within `timeout` seconds."""
        form = check_read_only(sparql)
        cap = self.settings.sparql_row_cap if limit is None else min(limit, self.settings.sparql_row_cap)
        seconds = self.settings.sparql_timeout_s if timeout is None else timeout
        return _with_timeout(lambda: self._query(sparql, form, max(cap, 0)), seconds)

    def _query(self, sparql: str, form: str, cap: int) -> QueryResult:
        raise NotImplementedError

    def triple_count(self) -> int:
        """Number of triples in the graph."""
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
        return int(rows[0]["n"])  # type: ignore[arg-type]

    def to_graph(self) -> Graph:
        """The whole graph as an rdflib Graph (for validation and export)."""
        raise NotImplementedError

    def close(self) -> None:
        """Release files or connections."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class MemoryStore(Store):
    """The rdflib graph, loaded from the build's pickle."""

    kind = "memory"

    def __init__(self, settings: Settings, graph: Graph) -> None:
        super().__init__(settings)
        self.graph = graph

    def _query(self, sparql: str, form: str, cap: int) -> QueryResult:
        try:
            result = self.graph.query(sparql, initNs=PREFIXES)
        except Exception as e:  # pyparsing and evaluation errors have no common base
            raise StoreError(f"SPARQL 查询出错: {e}") from e
        if form == "ASK":
            return QueryResult(["ask"], [{"ask": bool(result.askAnswer)}])
        if form in ("CONSTRUCT", "DESCRIBE"):
            triples = ({"subject": _rdflib_value(s), "predicate": _rdflib_value(p),
                        "object": _rdflib_value(o)} for s, p, o in result.graph)  # type: ignore[union-attr]
            return _collect(["subject", "predicate", "object"], triples, cap)
        columns = [str(v) for v in result.vars or []]
        rows = ({c: _rdflib_value(row[i]) for i, c in enumerate(columns)} for row in result)
        return _collect(columns, rows, cap)

    def triple_count(self) -> int:
        return len(self.graph)

    def to_graph(self) -> Graph:
        return self.graph


class OxigraphStore(Store):
    """A pyoxigraph database on disk, opened read-only."""

    kind = "oxigraph"

    def __init__(self, settings: Settings, path: Path) -> None:
        import pyoxigraph as ox

        super().__init__(settings)
        try:
            self.db = ox.Store.read_only(str(path))
        except OSError as e:
            raise StoreError(f"{path}: cannot open the Oxigraph store: {e}") from e

    def _query(self, sparql: str, form: str, cap: int) -> QueryResult:
        import pyoxigraph as ox

        try:
            result = self.db.query(sparql, prefixes=PREFIXES)
            if isinstance(result, ox.QueryBoolean):
                return QueryResult(["ask"], [{"ask": bool(result)}])
            if isinstance(result, ox.QueryTriples):
                triples = ({"subject": _ox_value(t.subject), "predicate": _ox_value(t.predicate),
                            "object": _ox_value(t.object)} for t in result)
                return _collect(["subject", "predicate", "object"], triples, cap)
            columns = [v.value for v in result.variables]
            rows = ({c: _ox_value(sol[c]) for c in columns} for sol in result)
            return _collect(columns, rows, cap)
        except (SyntaxError, OSError) as e:
            raise StoreError(f"SPARQL 查询出错: {e}") from e

    def triple_count(self) -> int:
        return len(self.db)

    def to_graph(self) -> Graph:
        import pyoxigraph as ox

        data = self.db.dump(format=ox.RdfFormat.N_QUADS)
        return Graph().parse(data=data.decode("utf-8"), format="nquads")

    def close(self) -> None:
        self.db = None  # type: ignore[assignment]


@dataclass
class Endpoint:
    """The query and update URLs of a SPARQL 1.1 service, and the named graph of one build."""

    query_url: str
    update_url: str
    graph: str | None = None
    timeout: float = 30.0
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_url(cls, url: str, graph: str | None = None, timeout: float = 30.0) -> Endpoint:
        """`…/query` or `…/sparql` is the query URL (update: `…/update`); a bare base gets both."""
        base = url.rstrip("/")
        last = base.rsplit("/", 1)[-1]
        if last in ("query", "sparql"):
            return cls(base, base.rsplit("/", 1)[0] + "/update", graph, timeout)
        return cls(base + "/query", base + "/update", graph, timeout)

    def _post(self, url: str, form: dict[str, str | list[str]], accept: str, timeout: float) -> bytes:
        data = urllib.parse.urlencode(form, doseq=True).encode("utf-8")
        req = urllib.request.Request(url, data=data, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.read()
        except urllib.error.HTTPError as e:
            body = e.read().decode("utf-8", "replace")[:500]
            raise StoreError(f"SPARQL 服务 {url} 返回 {e.code}: {body}") from e
        except TimeoutError as e:
            raise QueryTimeoutError(f"SPARQL 服务 {url} 超过 {timeout:g} 秒未响应") from e
        except (urllib.error.URLError, OSError) as e:
            raise StoreError(f"无法连接 SPARQL 服务 {url}: {e}") from e

    def query(self, sparql: str, accept: str, timeout: float | None = None) -> bytes:
        form: dict[str, str | list[str]] = {"query": sparql}
        if self.graph:
            form["default-graph-uri"] = self.graph
        return self._post(self.query_url, form, accept, timeout or self.timeout)

    def update(self, sparql: str, timeout: float | None = None) -> None:
        self._post(self.update_url, {"update": sparql}, "*/*", timeout or self.timeout)

    @property
    def store_url(self) -> str:
        """The Graph Store Protocol URL (`…/store`, as `oxigraph serve` names it)."""
        return self.update_url.rsplit("/", 1)[0] + "/store"

    def post_graph(self, graph: str, ntriples: bytes, timeout: float | None = None) -> None:
        """Add N-Triples to a named graph through the Graph Store Protocol (the server's bulk path);
        a server without it gets INSERT DATA requests instead."""
        url = f"{self.store_url}?{urllib.parse.urlencode({'graph': graph})}"
        req = urllib.request.Request(url, data=ntriples, method="POST",
                                     headers={"Content-Type": "application/n-triples"})
        try:
            with urllib.request.urlopen(req, timeout=timeout or self.timeout) as resp:
                resp.read()
            return
        except urllib.error.HTTPError as e:
            if e.code not in (404, 405, 415, 501):
                body = e.read().decode("utf-8", "replace")[:500]
                raise StoreError(f"SPARQL 服务 {url} 返回 {e.code}: {body}") from e
        except TimeoutError as e:
            raise QueryTimeoutError(f"SPARQL 服务 {url} 超过 {timeout or self.timeout:g} 秒未响应") from e
        except (urllib.error.URLError, OSError) as e:
            raise StoreError(f"无法连接 SPARQL 服务 {url}: {e}") from e
        lines = [ln for ln in ntriples.decode("utf-8").splitlines() if ln.strip()]
        for start in range(0, len(lines), _INSERT_CHUNK):
            chunk = "\n".join(lines[start:start + _INSERT_CHUNK])
            self.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{chunk}\n}} }}")


def _with_prefixes(sparql: str) -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items()) + sparql


class EndpointStore(Store):
    """A build's named graph on a SPARQL 1.1 endpoint."""

    kind = "endpoint"

    def __init__(self, settings: Settings, endpoint: Endpoint) -> None:
        super().__init__(settings)
        self.endpoint = endpoint

    def query(self, sparql: str, *, limit: int | None = None, timeout: float | None = None
              ) -> QueryResult:
        form = check_read_only(sparql)
        cap = self.settings.sparql_row_cap if limit is None else min(limit, self.settings.sparql_row_cap)
        seconds = self.settings.sparql_timeout_s if timeout is None else timeout
        return self._query_http(_with_prefixes(sparql), form, max(cap, 0), seconds)

    def _query_http(self, sparql: str, form: str, cap: int, timeout: float) -> QueryResult:
        if form in ("CONSTRUCT", "DESCRIBE"):
            g = Graph().parse(data=self.endpoint.query(sparql, "application/n-triples", timeout)
                              .decode("utf-8"), format="nt")
            triples = ({"subject": _rdflib_value(s), "predicate": _rdflib_value(p),
                        "object": _rdflib_value(o)} for s, p, o in g)
            return _collect(["subject", "predicate", "object"], triples, cap)
        raw = self.endpoint.query(sparql, "application/sparql-results+json", timeout)
        try:
            doc = json.loads(raw)
        except ValueError as e:
            raise StoreError(f"SPARQL 服务返回的不是 JSON 结果: {raw[:200]!r}") from e
        if "boolean" in doc:
            return QueryResult(["ask"], [{"ask": bool(doc["boolean"])}])
        columns = list(doc["head"].get("vars", []))

        def rows() -> Iterator[dict[str, object]]:
            for b in doc["results"]["bindings"]:
                row: dict[str, object] = {}
                for c in columns:
                    t = b.get(c)
                    if t is None:
                        row[c] = None
                        continue
                    kind = "literal" if t["type"] in ("literal", "typed-literal") else t["type"]
                    row[c] = to_python(kind, t["value"], t.get("datatype"), t.get("xml:lang"))
                yield row

        return _collect(columns, rows(), cap)

    def to_graph(self) -> Graph:
        data = self.endpoint.query(_with_prefixes("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"),
                                   "application/n-triples", self.settings.sparql_timeout_s)
        return Graph().parse(data=data.decode("utf-8"), format="nt")


# ---------------------------------------------------------------- writing and opening


def _is_url(store: str) -> bool:
    return store.startswith(("http://", "https://"))


def _workspace_key(index_dir: Path) -> str:
    return hashlib.sha1(str(index_dir.resolve()).encode("utf-8")).hexdigest()[:12]


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_store(graph: Graph | Iterable[str], build_dir: Path, settings: Settings) -> dict[str, Any]:
    """Write the graph for settings.store into a build directory; returns what graph.json records.

    `graph` is an rdflib Graph or N-Triples lines (kg.graph.iter_ntriples); lines are streamed to
    Oxigraph's bulk loader and to an endpoint in chunks, never held whole.
    """
    backend = settings.store
    if backend == "memory":
        if not isinstance(graph, Graph):
            from kg.graph import graph_from_lines

            graph = graph_from_lines(graph)
        _write_atomic(build_dir / MEMORY_FILE, pickle.dumps(graph, protocol=pickle.HIGHEST_PROTOCOL))
        info: dict[str, Any] = {"triples": len(graph), "backend": "memory", "file": MEMORY_FILE}
    elif backend == "oxigraph":
        import pyoxigraph as ox

        db = ox.Store(str(build_dir / OXIGRAPH_DIR))
        for chunk in _nt_chunks(graph):
            db.bulk_load(chunk, format=ox.RdfFormat.N_TRIPLES)
        db.flush()
        info = {"triples": len(db), "backend": "oxigraph", "dir": OXIGRAPH_DIR}
        del db
    elif _is_url(backend):
        build_id = build_dir.name.removesuffix(".partial")
        key = _workspace_key(settings.index_dir)
        iri = str(HK_BUILD[f"{key}/{build_id}"])
        endpoint = Endpoint.from_url(backend, timeout=max(settings.sparql_timeout_s, 60.0))
        endpoint.update(f"DROP SILENT GRAPH <{iri}>")
        for chunk in _nt_chunks(graph):
            endpoint.post_graph(iri, chunk)
        _drop_stale(endpoint, settings, key)
        raw = endpoint.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}",
                             "application/sparql-results+json")
        triples = int(json.loads(raw)["results"]["bindings"][0]["n"]["value"])
        info = {"triples": triples, "backend": "endpoint", "url": backend, "graph": iri}
    else:
        raise StoreError(f"unknown store {backend!r}: use memory, oxigraph or an http(s) SPARQL URL")
    _write_atomic(build_dir / GRAPH_INFO_FILE,
                  json.dumps(info, ensure_ascii=False, indent=1).encode("utf-8"))
    return info


def _nt_chunks(graph: Graph | Iterable[str]) -> Iterator[bytes]:
    if isinstance(graph, Graph):
        data = graph.serialize(format="nt", encoding="utf-8")
        lines: Iterable[str] = data.decode("utf-8").splitlines(keepends=True)
    else:
        lines = graph
    return N.chunks(lines, _LOAD_CHUNK)


def append_to_store(lines: Iterable[str], build_dir: Path, settings: Settings) -> int:
    """Add N-Triples lines to a build's graph in one transaction; returns the new triple count.

    Oxigraph: readers holding the store open see the graph before or after, never between. A SPARQL
    endpoint: the lines are posted to the build's named graph. The memory store cannot be appended
    to in place (StoreError): rebuild instead.
    """
    info_path = build_dir / GRAPH_INFO_FILE
    info = json.loads(info_path.read_text(encoding="utf-8"))
    backend = info.get("backend")
    if backend == "oxigraph":
        import pyoxigraph as ox

        db = ox.Store(str(build_dir / info["dir"]))
        data = "".join(lines).encode("utf-8")
        # Count what is new rather than len(db), which walks the whole store.
        fresh = sum(1 for q in {*ox.parse(data, format=ox.RdfFormat.N_TRIPLES)}
                    if ox.Quad(q.subject, q.predicate, q.object) not in db)
        # load() is transactional (bulk_load is not): all the new triples appear at once
        db.load(data, format=ox.RdfFormat.N_TRIPLES)
        db.flush()
        info["triples"] = int(info["triples"]) + fresh if "triples" in info else len(db)
        del db
    elif backend == "endpoint":
        endpoint = Endpoint.from_url(settings.store if _is_url(settings.store) else info["url"],
                                     timeout=max(settings.sparql_timeout_s, 60.0))
        endpoint.post_graph(info["graph"], "".join(lines).encode("utf-8"))
        raw = endpoint.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{info['graph']}> {{ ?s ?p ?o }} }}",
                             "application/sparql-results+json")
        info["triples"] = int(json.loads(raw)["results"]["bindings"][0]["n"]["value"])
    else:
        raise StoreError(f"{build_dir}: the {backend} store cannot be appended to; rebuild instead")
    _write_atomic(info_path, json.dumps(info, ensure_ascii=False, indent=1).encode("utf-8"))
    return int(info["triples"])


_CLASSES = ("Project", "Document", "BudgetUnit", "Indicator")


def class_counts(store: Store) -> dict[str, int]:
    """Instances of the main classes in a graph (hk:Project …), by local name."""
    values = " ".join(f"hk:{c}" for c in _CLASSES)
    rows = store.query(f"SELECT ?t (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?t {{ {values} }} "
                       "?s a ?t } GROUP BY ?t", timeout=0).rows
    return {str(r["t"]).rsplit("/", 1)[-1]: int(r["n"]) for r in rows}  # type: ignore[arg-type]


def _drop_stale(endpoint: Endpoint, settings: Settings, key: str) -> None:
    """Drop this workspace's build graphs whose build directory is gone."""
    prefix = str(HK_BUILD[f"{key}/"])
    raw = endpoint.query(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{prefix}")) }}', "application/sparql-results+json")
    builds = Workspace(settings.index_dir).builds
    for b in json.loads(raw)["results"]["bindings"]:
        g = b["g"]["value"]
        build_id = g[len(prefix):]
        if not (builds / build_id).exists() and not (builds / f"{build_id}.partial").exists():
            endpoint.update(f"DROP SILENT GRAPH <{g}>")


def open_store(settings: Settings, build_dir: Path | None = None) -> Store:
    """The graph store of a build (default: the published one), as that build wrote it."""
    if build_dir is None:
        build_dir = Workspace(settings.index_dir).current
    info_path = build_dir / GRAPH_INFO_FILE
    if not info_path.exists():
        raise NotBuiltError(f"{build_dir}: no graph in this build")
    info = json.loads(info_path.read_text(encoding="utf-8"))
    backend = info.get("backend")
    store: Store
    if backend == "memory":
        with (build_dir / info["file"]).open("rb") as f:
            store = MemoryStore(settings, pickle.load(f))
    elif backend == "oxigraph":
        store = OxigraphStore(settings, build_dir / info["dir"])
    elif backend == "endpoint":
        url = settings.store if _is_url(settings.store) else info["url"]
        store = EndpointStore(settings, Endpoint.from_url(url, info["graph"], settings.sparql_timeout_s))
    else:
        raise StoreError(f"{info_path}: unknown graph backend {backend!r}")
    store.build_dir = build_dir
    return store
