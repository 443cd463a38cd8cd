"""A build's named graph on a SPARQL 1.1 endpoint (Oxigraph's server, or any other).

The graph is loaded into a named graph of its own build
(`https://w3id.org/hrss-kg/build/<workspace>/<build id>`) and queries name it as their default
graph, so readers of the old build keep seeing the old graph until the new build is published.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from rdflib import Graph

from kg.namespace import PREFIXES
from kg.settings import Settings
from kg.store.base import TRIPLE_COLUMNS, Store, Term, TermRows, collect
from kg.store.errors import QueryTimeoutError, StoreError
from kg.store.memory import rdflib_term

__all__ = ["Endpoint", "EndpointStore", "with_prefixes"]

_INSERT_CHUNK = 2000  # triples per INSERT DATA request (servers without the Graph Store Protocol)
# Virtuoso's SQL states of a query stopped at its MaxQueryExecutionTime ("SR171: Transaction timed out")
_TIMEOUT_STATES = ("S1T00", "SR171")


def _urlopen(opener: urllib.request.OpenerDirector, req: urllib.request.Request, timeout: float,
             tolerate: tuple[int, ...] = ()) -> http.client.HTTPResponse | None:
    """The response; None for a status in `tolerate`; StoreError (QueryTimeoutError) otherwise."""
    url = req.full_url
    try:
        resp: http.client.HTTPResponse = opener.open(req, timeout=timeout)
        return resp
    except urllib.error.HTTPError as e:
        if e.code in tolerate:
            return None
        body = e.read().decode("utf-8", "replace")[:500]
        if any(state in body for state in _TIMEOUT_STATES):
            raise QueryTimeoutError(f"SPARQL 服务 {url} 的查询超过了服务器的时间上限（如 Virtuoso 的 "
                                    f"MaxQueryExecutionTime）: {body}") from e
        raise StoreError(f"SPARQL 服务 {url} 返回 {e.code}: {body}") from e
    except TimeoutError as e:
        raise QueryTimeoutError(f"SPARQL 服务 {url} 超过 {timeout:g} 秒未响应") from e
    except (urllib.error.URLError, OSError) as e:
        raise StoreError(f"无法连接 SPARQL 服务 {url}: {e}") from e


def _cut_message(url: str, rows: str) -> str:
    return (f"SPARQL 服务 {url} 只返回了前 {rows} 行（服务器的结果行数上限，如 Virtuoso 的 "
            "ResultSetMaxRows），结果不完整，未使用。请调大服务器的上限，或缩小查询。")


@dataclass
class Endpoint:
    """The query, update and Graph Store URLs of a SPARQL 1.1 service, and the named graph of one build.

    `auth` (user, password) is sent, by HTTP digest or basic authentication, when the server asks
    for it (Virtuoso's /sparql-auth and /sparql-graph-crud-auth do).
    """

    query_url: str
    update_url: str
    graph: str | None = None
    timeout: float = 30.0
    headers: dict[str, str] = field(default_factory=dict)
    store: str | None = None  # Graph Store Protocol URL; default: `…/store` beside the update URL
    auth: tuple[str, str] | None = field(default=None, repr=False)

    @classmethod
    def from_url(cls, url: str, graph: str | None = None, timeout: float = 30.0) -> Endpoint:
        """`…/query` or `…/sparql` is the query URL (update: `…/update`); a bare base gets both."""
        base = url.rstrip("/")
        last = base.rsplit("/", 1)[-1]
        if last in ("query", "sparql"):
            return cls(base, base.rsplit("/", 1)[0] + "/update", graph, timeout)
        return cls(base + "/query", base + "/update", graph, timeout)

    @classmethod
    def from_settings(cls, url: str, settings: Settings, graph: str | None = None,
                      timeout: float | None = None) -> Endpoint:
        """The endpoint at `url` with the paths and account of the settings (`endpoint_*`)."""
        e = cls.from_url(url, graph, settings.sparql_timeout_s if timeout is None else timeout)
        parts = urllib.parse.urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if settings.endpoint_query_path:
            e.query_url = root + settings.endpoint_query_path
        if settings.endpoint_update_path:
            e.update_url = root + settings.endpoint_update_path
        if settings.endpoint_store_path:
            e.store = root + settings.endpoint_store_path
        if settings.endpoint_user:
            e.auth = (settings.endpoint_user, settings.endpoint_password or "")
        return e

    @property
    def _opener(self) -> urllib.request.OpenerDirector:
        if self.auth is None:
            return urllib.request.build_opener()
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        for url in (self.query_url, self.update_url, self.store_url):
            passwords.add_password(None, url, *self.auth)
        return urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords),
                                           urllib.request.HTTPBasicAuthHandler(passwords))

    def _open(self, url: str, form: dict[str, str | list[str]], accept: str, timeout: float
              ) -> http.client.HTTPResponse:
        data = urllib.parse.urlencode(form, doseq=True).encode("utf-8")
        req = urllib.request.Request(url, data=data, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
        resp = _urlopen(self._opener, req, timeout)
        assert resp is not None  # noqa: S101 - only Graph Store posts tolerate a status
        return resp

    def _form(self, sparql: str) -> dict[str, str | list[str]]:
        form: dict[str, str | list[str]] = {"query": sparql}
        if self.graph:
            form["default-graph-uri"] = self.graph
        return form

    def query(self, sparql: str, accept: str, timeout: float | None = None) -> bytes:
        """The answer; StoreError when the server cut it at its own row limit."""
        data, cut = self.query_cut(sparql, accept, timeout)
        if cut is not None:
            raise StoreError(_cut_message(self.query_url, cut))
        return data

    def query_cut(self, sparql: str, accept: str, timeout: float | None = None
                  ) -> tuple[bytes, str | None]:
        """The answer, and the server's row limit when it cut the answer there (else None)."""
        seconds = timeout or self.timeout
        with self._open(self.query_url, self._form(sparql), accept, seconds) as resp:
            try:
                return resp.read(), resp.headers.get("X-SPARQL-MaxRows")
            except TimeoutError as e:
                raise QueryTimeoutError(f"SPARQL 服务 {self.query_url} 超过 {seconds:g} 秒未响应") from e

    def query_to(self, sparql: str, accept: str, out: IO[bytes], timeout: float | None = None) -> int:
        """Copy a query's answer into `out` as it arrives (never held whole); returns its lines."""
        lines = 0
        with self._open(self.query_url, self._form(sparql), accept, timeout or self.timeout) as resp:
            if resp.headers.get("X-SPARQL-MaxRows"):
                raise StoreError(_cut_message(self.query_url, resp.headers["X-SPARQL-MaxRows"]))
            while chunk := resp.read(1 << 20):
                out.write(chunk)
                lines += chunk.count(b"\n")
        return lines

    def update(self, sparql: str, timeout: float | None = None) -> None:
        with self._open(self.update_url, {"update": sparql}, "*/*", timeout or self.timeout) as resp:
            resp.read()

    @property
    def store_url(self) -> str:
        """The Graph Store Protocol URL (default `…/store`, as `oxigraph serve` names it)."""
        return self.store or self.update_url.rsplit("/", 1)[0] + "/store"

    def post_graph(self, graph: str, ntriples: bytes, timeout: float | None = None) -> None:
        """Add N-Triples to a named graph through the Graph Store Protocol (the server's bulk path);
        a server without it gets INSERT DATA requests instead."""
        url = f"{self.store_url}?{urllib.parse.urlencode({'graph': graph})}"
        req = urllib.request.Request(url, data=ntriples, method="POST",
                                     headers={"Content-Type": "application/n-triples"})
        resp = _urlopen(self._opener, req, timeout or self.timeout, tolerate=(404, 405, 415, 501))
        if resp is not None:
            with resp:
                resp.read()
            return
        lines = [ln for ln in ntriples.decode("utf-8").splitlines() if ln.strip()]
        for start in range(0, len(lines), _INSERT_CHUNK):
            chunk = "\n".join(lines[start:start + _INSERT_CHUNK])
            self.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{chunk}\n}} }}")

    def count(self, graph: str) -> int:
        """Triples in a named graph."""
        raw = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                         "application/sparql-results+json")
        return int(json.loads(raw)["results"]["bindings"][0]["n"]["value"])


def with_prefixes(sparql: str) -> str:
    """The query with hrss-kg's prefixes declared (a server knows none of them)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items()) + sparql


def _json_term(t: dict[str, str] | None) -> Term | None:
    if t is None:
        return None
    kind = "literal" if t["type"] in ("literal", "typed-literal") else t["type"]
    return (kind, t["value"], t.get("datatype"), t.get("xml:lang"))


def _ask_rows(doc: dict) -> bool:
    """An ASK answered as rows: Virtuoso 7 gives JSON `{"vars": ["__ASK_RETVAL"]}` with one row
    holding 1 when true and no row when false, instead of `{"boolean": …}`."""
    bindings = doc.get("results", {}).get("bindings", [])
    values = [t.get("value") for b in bindings for t in b.values()]
    return bool(values) and values[0] not in ("0", "false")


class EndpointStore(Store):
    """A build's named graph on a SPARQL 1.1 endpoint."""

    kind = "endpoint"

    def __init__(self, settings: Settings, endpoint: Endpoint) -> None:
        super().__init__(settings)
        self.endpoint = endpoint

    def graphs(self) -> tuple[str, ...]:
        return (self.endpoint.graph,) if self.endpoint.graph else ()

    def _terms(self, sparql: str, form: str, cap: int, timeout: float) -> TermRows:
        text = with_prefixes(sparql)
        if form in ("CONSTRUCT", "DESCRIBE"):
            g = Graph().parse(data=self.endpoint.query(text, "application/n-triples", timeout)
                              .decode("utf-8"), format="nt")
            triples: Iterator[tuple[Term | None, ...]] = (
                (rdflib_term(s), rdflib_term(p), rdflib_term(o)) for s, p, o in g)
            return collect(form, TRIPLE_COLUMNS, triples, cap)
        raw, cut = self.endpoint.query_cut(text, "application/sparql-results+json", timeout)
        try:
            doc = json.loads(raw)
        except ValueError as e:
            raise StoreError(f"SPARQL 服务返回的不是 JSON 结果: {raw[:200]!r}") from e
        if "boolean" in doc:
            return TermRows(form, [], [], boolean=bool(doc["boolean"]))
        if form == "ASK":
            return TermRows(form, [], [], boolean=_ask_rows(doc))
        columns = list(doc["head"].get("vars", []))
        bindings = doc["results"]["bindings"]
        if cut is not None and len(bindings) < cap:
            raise StoreError(_cut_message(self.endpoint.query_url, cut))
        rows = (tuple(_json_term(b.get(c)) for c in columns) for b in bindings)
        answer = collect(form, columns, rows, cap)
        answer.truncated = answer.truncated or cut is not None
        return answer

    def to_graph(self) -> Graph:
        """The whole graph as an rdflib Graph (for validation; an export streams with `dump`)."""
        data = self.endpoint.query(with_prefixes("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"),
                                   "application/n-triples", self.settings.sparql_timeout_s)
        return Graph().parse(data=data.decode("utf-8"), format="nt")

    def dump(self, out: IO[bytes], fmt: str) -> None:
        """Stream the build's graph as N-Triples, which is also N-Quads (default graph) and Turtle.

        A server may cut a CONSTRUCT at its row limit without saying so in the body: the lines
        written are checked against the graph's triple count.
        """
        lines = self.endpoint.query_to("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                                       "application/n-triples", out,
                                       max(self.settings.sparql_timeout_s, 600.0))
        expected = self.triple_count()
        if lines != expected:
            raise StoreError(f"SPARQL 服务 {self.endpoint.query_url} 只导出了 {lines:,} 个三元组，"
                             f"图中有 {expected:,} 个（服务器的结果行数上限？）；导出未写出。")
