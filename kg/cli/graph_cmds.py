"""`sparql`, `validate`, `export` and `doc`: commands over the published graph."""

from __future__ import annotations

import csv
import io
import sys
import unicodedata
from pathlib import Path
from typing import Any

import click

from ingest.errors import HrssError
from kg.cli.base import cli, echo_json, fail, json_option, settings_options, warn
from kg.settings import Settings

__all__ = ["sparql", "validate", "export", "doc"]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fmt(value: Any) -> str:
    return "" if value is None else str(value)


def _table(columns: list[str], rows: list[dict[str, Any]], max_width: int = 40) -> str:
    cells = [[_fmt(r.get(c)) for c in columns] for r in rows]
    cells = [[v if _width(v) <= max_width else v[: max_width // 2 - 1] + "…" for v in row]
             for row in cells]
    widths = [max([_width(c)] + [_width(row[i]) for row in cells]) for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line(columns), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    return "\n".join(out)


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
@settings_options
def sparql(query: str | None, query_file: Path | None, named: str | None, params: tuple[str, ...],
           list_named: bool, fmt: str, limit: int | None, settings: Settings) -> None:
    """Run a read-only SPARQL query on the published graph (updates are refused).

    Prefixes hk:, hkd:, org:, dcterms:, prov:, skos:, rdfs:, xsd: are predeclared.

    \b
        python -m kg sparql "SELECT ?name WHERE { ?p a hk:Project ; hk:projectName ?name }"
        python -m kg sparql --file my.rq --format csv
        python -m kg sparql --named document_projects --param "doc=冀财社〔2021〕176号"
    """
    from kg.queries import named_queries, run_named
    from kg.store import open_store

    if list_named:
        for q in named_queries().values():
            ps = " ".join(f"{p.name}={p.type}{'?' if p.optional else ''}" for p in q.parameters)
            click.echo(f"{q.name:<24} {q.title}  {ps}")
        return
    given = [x for x in (query, query_file, named) if x]
    if len(given) != 1:
        raise click.UsageError("give exactly one of QUERY, --file F or --named NAME")
    try:
        with open_store(settings) as store:
            if named:
                kv = {}
                for p in params:
                    name, sep, value = p.partition("=")
                    if not sep:
                        raise click.UsageError(f"--param expects NAME=VALUE, got {p!r}")
                    kv[name.strip()] = value
                result = run_named(store, named, limit=limit, **kv)
            else:
                text = query_file.read_text(encoding="utf-8") if query_file else str(query)
                result = store.query(text, limit=limit)
    except HrssError as e:
        raise fail(e) from e
    if fmt == "json":
        echo_json(result.to_json())
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(result.columns)
        for r in result.rows:
            w.writerow([_fmt(r.get(c)) for c in result.columns])
        click.echo(buf.getvalue(), nl=False)
    else:
        click.echo(_table(result.columns, result.rows))
        click.echo(f"{len(result.rows)} 行")
    if result.truncated:
        warn(f"结果已截断为 {len(result.rows)} 行（行数上限 {settings.sparql_row_cap}，或 --limit）")


@cli.command()
@click.option("--warnings/--no-warnings", "show_warnings", default=True, show_default=True,
              help="List warnings (source defects) too.")
@settings_options
@json_option
def validate(settings: Settings, show_warnings: bool, as_json: bool) -> None:
    """Validate the published graph against ontology/shapes.ttl (SHACL).

    Exit code 1 when there is a violation; warnings (defects of the source documents the parser
    reports) are listed but do not fail.

    \b
        python -m kg validate
    """
    from kg.validate import validate_build

    try:
        report = validate_build(settings)
    except HrssError as e:
        raise fail(e) from e
    if as_json:
        echo_json(report.to_json())
    else:
        for r in report.results:
            if r.severity == "Violation" or show_warnings:
                click.echo(str(r))
        verdict = "通过" if report.conforms else "未通过"
        click.echo(f"SHACL 校验{verdict}：{len(report.violations)} 个违规，{len(report.warnings)} 个警告")
    if not report.conforms:
        sys.exit(1)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["ttl", "jsonld", "nt", "csv", "xlsx"]),
              required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@settings_options
def export(fmt: str, output: Path, settings: Settings) -> None:
    """Export the published graph: Turtle, JSON-LD, N-Triples, or tables (CSV, XLSX).

    CSV writes the projects to FILE and the indicators to FILE_指标.csv (UTF-8 with BOM, opens in
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
@click.argument("query")
@settings_options
@json_option
def doc(query: str, settings: Settings, as_json: bool) -> None:
    """The card of a 文号 in any form; a partial query ("176号", "冀财社") lists the candidates.

    \b
        python -m kg doc "冀财社2021 176"
        python -m kg doc 176号 --json
    """
    from kg.doccard import lookup_document

    try:
        found = lookup_document(settings, query)
    except HrssError as e:
        raise fail(e) from e
    if as_json:
        echo_json(found.to_json())
        return
    if found.card is None and not found.candidates:
        raise click.ClickException(f"图谱中没有与 {query!r} 相符的文号")
    if found.card is None:
        click.echo(f"{len(found.candidates)} 个文号与 {query!r} 相符：")
        for c in found.candidates:
            click.echo(f"  {c.canonical:<18} {c.organisation or '-':<16} {len(c.projects)} 个项目  "
                       f"合计 {c.total_wan} 万元")
        return
    c = found.card
    click.echo(f"{c.canonical}")
    click.echo(f"  发文机关: {c.organisation or '未知'}（{c.level or '级别未知'}） 字号 {c.issuer}"
               f"  年份 {c.year}  序号 {c.seq}")
    click.echo(f"  原样写法: {'、'.join(c.spellings)}")
    click.echo(f"  引用项目 {len(c.projects)} 个，预算合计 {c.total_wan} 万元:")
    for p in c.projects:
        rel = "资金文件" if p.relation == "funding" else "政策依据"
        click.echo(f"    {p.year or '-'} {p.project_code or '-':<22} {_fmt(p.budget_wan):>10}  "
                   f"{p.unit_code or '-'} {p.unit_name or ''}  [{rel}] {p.project_name or ''}")
    click.echo("  出现位置:")
    for m in c.mentions:
        click.echo(f"    {m.file}:{m.line}  {m.field}  {m.raw}")
