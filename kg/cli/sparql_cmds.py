"""`sparql`, `export` and `serve`: user SPARQL (through the one query runner) and the graph's exports."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import click

from ingest.errors import HrssError
from kg.cli.base import cli, echo_json, fail, settings_options, warn
from kg.cli.table import text_table
from kg.settings import Settings

__all__ = ["sparql", "export", "serve"]


def _named_text(named: str, params: tuple[str, ...]) -> str:
    from kg.queries import QueryParamError, named_queries

    queries = named_queries()
    if named not in queries:
        raise QueryParamError(f"没有名为 {named} 的查询（可用: {', '.join(sorted(queries))}）")
    kv = {}
    for p in params:
        name, sep, value = p.partition("=")
        if not sep:
            raise click.UsageError(f"--param expects NAME=VALUE, got {p!r}")
        kv[name.strip()] = value
    return queries[named].bind(**kv)


@cli.command()
@click.argument("query", required=False)
@click.option("--file", "query_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the query from a .rq file.")
@click.option("--named", "named", default=None, help="Run a named query from kg/queries/ (see --list).")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Parameter of a named query (repeatable).")
@click.option("--list", "list_named", is_flag=True, help="List the named queries.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@click.option("--limit", type=int, default=None, help="At most N rows (never above the row cap).")
@click.option("--timeout", type=float, default=None,
              help="Stop the query after SECONDS (never above the setting, 30 s by default).")
@settings_options
def sparql(query: str | None, query_file: Path | None, named: str | None, params: tuple[str, ...],
           list_named: bool, fmt: str, limit: int | None, timeout: float | None,
           settings: Settings) -> None:
    """Run a read-only SPARQL query on the published graph (updates and SERVICE are refused).

    Prefixes hk:, hkd:, org:, dcterms:, prov:, skos:, rdfs:, xsd: are predeclared. The query runs
    in a worker process within the row, time and memory limits of the settings.

    \b
        python -m kg sparql "SELECT ?name WHERE { ?p a hk:Project ; hk:projectName ?name }"
        python -m kg sparql --file my.rq --format csv
        python -m kg sparql --named document_projects --param "doc=冀财社〔2021〕176号"
    """
    from kg.queries import named_queries
    from kg.store.runner import QueryRunner

    if list_named:
        for q in named_queries().values():
            ps = " ".join(f"{p.name}={p.type}{'?' if p.optional else ''}" for p in q.parameters)
            click.echo(f"{q.name:<24} {q.title}  {ps}")
        return
    given = [x for x in (query, query_file, named) if x]
    if len(given) != 1:
        raise click.UsageError("give exactly one of QUERY, --file F or --named NAME")
    try:
        if named:
            text = _named_text(named, params)
        else:
            text = query_file.read_text(encoding="utf-8") if query_file else str(query)
        with QueryRunner(settings) as runner:
            result = runner.query(text, limit=limit, timeout=timeout)
    except HrssError as e:
        raise fail(e) from e
    if fmt == "json":
        echo_json(result.to_json())
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(result.columns)
        for r in result.rows:
            w.writerow(["" if r.get(c) is None else str(r.get(c)) for c in result.columns])
        click.echo(buf.getvalue(), nl=False)
    else:
        click.echo(text_table(result.columns, result.rows))
        click.echo(f"{len(result.rows)} 行")
    if result.truncated:
        warn(f"结果已截断为 {len(result.rows)} 行（行数上限 {settings.sparql_row_cap}，或 --limit）")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["ttl", "jsonld", "nt", "nq", "csv", "xlsx"]),
              required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@settings_options
def export(fmt: str, output: Path, settings: Settings) -> None:
    """Export the published graph: Turtle, JSON-LD, N-Triples, N-Quads, or tables (CSV, XLSX).

    RDF is streamed from the store; JSON-LD is refused above `export_jsonld_max_triples`. CSV
    writes the projects to FILE and the indicators to FILE_指标.csv (UTF-8 with BOM, opens in
    Excel); XLSX holds both as sheets 项目 and 绩效指标.

    \b
        python -m kg export --format ttl -o hrss.ttl
        python -m kg export --format xlsx -o 项目.xlsx
    """
    from kg.export import export_store
    from kg.store import open_store

    try:
        with open_store(settings) as store:
            written = export_store(store, fmt, output)
    except HrssError as e:
        raise fail(e) from e
    for path in written:
        click.echo(f"已导出: {path}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (keep it local; put a proxy in front to share it).")
@click.option("--port", type=int, default=7878, show_default=True)
@settings_options
def serve(host: str, port: int, settings: Settings) -> None:
    """Serve the published graph as a read-only SPARQL 1.1 endpoint at http://HOST:PORT/sparql.

    GET or POST `query`; results as SPARQL JSON, CSV or TSV (Accept header or `format=`),
    CONSTRUCT as N-Triples; the same limits as `kg sparql`. Ctrl-C stops it.

    \b
        python -m kg serve --port 7878
        curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * { ?s ?p ?o } LIMIT 3' \\
             http://127.0.0.1:7878/sparql
    """
    from kg.store.serve import SPARQL_PATH, make_server

    try:
        server, stop = make_server(settings, host, port)
    except HrssError as e:
        raise fail(e) from e
    except OSError as e:
        raise click.ClickException(f"无法监听 {host}:{port}: {e}") from e
    click.echo(f"SPARQL 端点: http://{host}:{server.server_address[1]}{SPARQL_PATH}（Ctrl-C 停止）")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        stop()
