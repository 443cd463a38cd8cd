"""`validate` and `doc`: commands over the published graph."""

from __future__ import annotations

import sys
from typing import Any

import click

from ingest.errors import HrssError
from kg.cli.base import cli, echo_json, fail, json_option, settings_options
from kg.settings import Settings

__all__ = ["validate", "doc"]


def _fmt(value: Any) -> str:
    return "" if value is None else str(value)


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
    if c.regions:
        click.echo(f"  地区: {'、'.join(f'{n or code}（{code}）' for code, n in c.regions)}")
    click.echo(f"  引用项目 {len(c.projects)} 个，预算合计 {c.total_wan} 万元:")
    for p in c.projects:
        rel = "资金文件" if p.relation == "funding" else "政策依据"
        click.echo(f"    {p.year or '-'} {p.project_code or '-':<22} {_fmt(p.budget_wan):>10}  "
                   f"{p.region_name or p.region_code or '地区未知'} {p.unit_code or '-'} {p.unit_name or ''}  "
                   f"[{rel}] {p.project_name or ''}")
    click.echo("  出现位置:")
    for m in c.mentions:
        click.echo(f"    {m.file}:{m.line}  {m.field}  {m.raw}")
