"""`kg serve`: a read-only SPARQL 1.1 protocol endpoint over the published build, on 127.0.0.1.

GET `/sparql?query=…` and POST (`application/x-www-form-urlencoded` with `query=…`, or
`application/sparql-query`) answer through the same QueryRunner as `kg sparql` and the SPARQL
page, so the same checks and limits apply. Results: SPARQL JSON (default), CSV or TSV for SELECT
and ASK; N-Triples for CONSTRUCT / DESCRIBE. The format follows the `Accept` header or a `format`
parameter (json, csv, tsv). An answer cut at the row cap carries `X-HRSS-Truncated: true`.
Updates are refused (`update=` → 403). A rebuild is picked up at the next request.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import urllib.parse
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ingest.errors import HrssError
from kg.settings import Settings
from kg.store.base import Term, TermRows
from kg.store.errors import (QueryMemoryError, QueryRefusedError, QueryTimeoutError, ReadOnlyError,
                             StoreError)
from kg.store.runner import QueryRunner
from kg.workspace import NotBuiltError, Workspace

__all__ = ["make_server", "render", "FORMATS", "SPARQL_PATH"]

SPARQL_PATH = "/sparql"
JSON, CSV, TSV, NT = ("application/sparql-results+json", "text/csv", "text/tab-separated-values",
                      "application/n-triples")
FORMATS = {"json": JSON, "csv": CSV, "tsv": TSV}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _json_term(t: Term) -> dict[str, str]:
    kind, value, datatype, lang = t
    out = {"type": kind, "value": value}
    if lang:
        out["xml:lang"] = lang
    elif datatype and datatype != _XSD_STRING:
        out["datatype"] = datatype
    return out


def _escape(value: str) -> str:
    return (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r").replace("\t", "\\t"))


def _nt_term(t: Term) -> str:
    """A term as N-Triples / the SPARQL TSV format write it."""
    kind, value, datatype, lang = t
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return f"_:{value}"
    if lang:
        return f'"{_escape(value)}"@{lang}'
    if datatype and datatype != _XSD_STRING:
        return f'"{_escape(value)}"^^<{datatype}>'
    return f'"{_escape(value)}"'


def _csv_value(t: Term | None) -> str:
    if t is None:
        return ""
    return f"_:{t[1]}" if t[0] == "bnode" else t[1]


def render(answer: TermRows, mime: str) -> tuple[bytes, str]:
    """The body and content type of an answer in a result format."""
    if answer.form in ("CONSTRUCT", "DESCRIBE"):
        lines = (" ".join(_nt_term(t) for t in row if t is not None) + " .\n" for row in answer.rows)
        return "".join(lines).encode("utf-8"), f"{NT}; charset=utf-8"
    if mime == JSON:
        if answer.form == "ASK":
            doc: dict[str, Any] = {"head": {}, "boolean": bool(answer.boolean)}
        else:
            doc = {"head": {"vars": answer.columns}, "results": {"bindings": [
                {c: _json_term(t) for c, t in zip(answer.columns, row) if t is not None}
                for row in answer.rows]}}
        return json.dumps(doc, ensure_ascii=False).encode("utf-8"), f"{JSON}; charset=utf-8"
    columns = ["_askResult"] if answer.form == "ASK" else answer.columns
    rows: list[list[str]]
    if mime == CSV:
        rows = ([["true" if answer.boolean else "false"]] if answer.form == "ASK"
                else [[_csv_value(t) for t in row] for row in answer.rows])
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(columns)
        w.writerows(rows)
        return buf.getvalue().encode("utf-8"), f"{CSV}; charset=utf-8"
    rows = ([["true" if answer.boolean else "false"]] if answer.form == "ASK"
            else [["" if t is None else _nt_term(t) for t in row] for row in answer.rows])
    head = "\t".join(columns if answer.form == "ASK" else [f"?{c}" for c in columns])
    body = head + "\n" + "".join("\t".join(r) + "\n" for r in rows)
    return body.encode("utf-8"), f"{TSV}; charset=utf-8"


def _choose(accept: str, fmt: str | None) -> str | None:
    """The result format asked for: `format` wins, then the first known type in Accept."""
    if fmt:
        return FORMATS.get(fmt.lower())
    for part in accept.split(","):
        mime = part.split(";")[0].strip().lower()
        if mime in (JSON, "application/json", "*/*", "application/*", ""):
            return JSON
        if mime in (CSV, TSV):
            return mime
    return None


_STATUS: list[tuple[type[StoreError], HTTPStatus]] = [
    (ReadOnlyError, HTTPStatus.FORBIDDEN), (QueryRefusedError, HTTPStatus.BAD_REQUEST),
    (QueryTimeoutError, HTTPStatus.SERVICE_UNAVAILABLE),
    (QueryMemoryError, HTTPStatus.SERVICE_UNAVAILABLE)]


class _Runners:
    """The runner of the published build; a new one when a rebuild is published."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._key: tuple[Path, str | None] | None = None
        self._runner: QueryRunner | None = None

    def current(self) -> QueryRunner:
        ws = Workspace(self.settings.index_dir)
        key = (ws.current, ws.version)
        with self._lock:
            if key != self._key or self._runner is None:
                old, self._runner = self._runner, QueryRunner(self.settings, key[0], warm=True)
                self._key = key
                if old is not None:
                    old.close()  # its busy workers finish their query first
            return self._runner

    def close(self) -> None:
        with self._lock:
            if self._runner is not None:
                self._runner.close()


def _handler(runners: _Runners, max_body: int) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "hrss-kg"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass  # queries are not logged: they may hold what users typed

        def _send(self, status: HTTPStatus, body: bytes, ctype: str, extra: dict[str, str] | None = None
                  ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _text(self, status: HTTPStatus, message: str) -> None:
            self._send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")

        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            url = urllib.parse.urlsplit(self.path)
            if url.path != SPARQL_PATH:
                self._text(HTTPStatus.NOT_FOUND, f"只有 {SPARQL_PATH} 提供 SPARQL 查询")
                return
            self._answer(urllib.parse.parse_qs(url.query))

        def do_POST(self) -> None:  # noqa: N802 - stdlib name
            url = urllib.parse.urlsplit(self.path)
            if url.path != SPARQL_PATH:
                self._text(HTTPStatus.NOT_FOUND, f"只有 {SPARQL_PATH} 提供 SPARQL 查询")
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > max_body:
                self._text(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"查询被拒绝：请求超过 {max_body:,} 字节")
                return
            body = self.rfile.read(length).decode("utf-8", "replace")
            params = urllib.parse.parse_qs(url.query)
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if ctype == "application/sparql-query":
                params["query"] = [body]
            elif ctype == "application/sparql-update":
                params["update"] = [body]
            else:
                params.update(urllib.parse.parse_qs(body))
            self._answer(params)

        def _answer(self, params: dict[str, list[str]]) -> None:
            if "update" in params:
                self._text(HTTPStatus.FORBIDDEN, "只读：不允许 SPARQL 更新。图谱只能由 `python -m kg build` 重建。")
                return
            queries = params.get("query", [])
            if len(queries) != 1:
                self._text(HTTPStatus.BAD_REQUEST, "需要一个 query 参数")
                return
            formats = params.get("format")
            mime = _choose(self.headers.get("Accept") or "", formats[0] if formats else None)
            if mime is None:
                self._text(HTTPStatus.NOT_ACCEPTABLE, "可用的结果格式: " + "、".join(FORMATS.values()))
                return
            try:
                runner = runners.current()
                graphs = params.get("default-graph-uri", []) + params.get("named-graph-uri", [])
                foreign = [g for g in graphs if g not in runner.graphs]
                if foreign:
                    raise QueryRefusedError(f"查询被拒绝：只能查询本图谱的图，不能指定 <{foreign[0]}>。")
                answer = runner.query_terms(queries[0])
            except NotBuiltError as e:
                self._text(HTTPStatus.SERVICE_UNAVAILABLE, str(e))
                return
            except StoreError as e:
                status = next((s for cls, s in _STATUS if isinstance(e, cls)), HTTPStatus.BAD_REQUEST)
                self._text(status, str(e))
                return
            except HrssError as e:
                self._text(HTTPStatus.INTERNAL_SERVER_ERROR, str(e))
                return
            body, ctype = render(answer, mime)
            self._send(HTTPStatus.OK, body, ctype,
                       {"X-HRSS-Truncated": "true"} if answer.truncated else None)

        do_HEAD = do_GET

    return Handler


def make_server(settings: Settings, host: str = "127.0.0.1", port: int = 7878
                ) -> tuple[ThreadingHTTPServer, Callable[[], None]]:
    """The HTTP server (call `serve_forever()`), and a function that stops its workers."""
    runners = _Runners(settings)
    runners.current()  # fail now, not at the first request, when nothing is built
    server = ThreadingHTTPServer((host, port), _handler(runners, settings.sparql_max_chars * 4))
    server.daemon_threads = True
    return server, runners.close
