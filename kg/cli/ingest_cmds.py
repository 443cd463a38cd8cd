"""`ingest`: parse documents and print their records."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.base import cli, json_option, warn
from kg.corpus import Placement, load_corpus
from kg.jsonout import dumps


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option
def ingest(paths: tuple[Path, ...], as_json: bool) -> None:
    """Parse documents and print their projects and notices (JSON Lines with --json).

    Warnings go to stderr as FILE:LINE: message. Each project carries its region (region_code,
    region_name, region_evidence). Exit code 0 when anything was loaded, 1 when nothing could be read.

    \b
        python -m kg ingest data/*.txt --json
    """
    placement = Placement.load()
    corpus = load_corpus(paths, placement)
    for d in corpus.all_diagnostics():
        if d.severity != "info" or as_json:
            warn(str(d))
    projects = corpus.projects
    notices = [n for r in corpus.results for n in r.notices]
    if as_json:
        for p in projects:  # each project's region (ingest.placing) beside the record's own keys
            click.echo(dumps({**p.to_json(), "region_code": p.region_code,
                              "region_name": placement.index.name(p.region_code),
                              "region_evidence": p.region_evidence}))
        for n in notices:
            click.echo(dumps(n.to_json()))
    else:
        click.echo(f"{'年度':<5}{'序号':<5}{'单位':<8}{'项目编码':<24}{'预算数(万元)':>14}  项目名称")
        for p in projects:
            amount = f"{p.budget_wan}" if p.budget_wan is not None else "-"
            click.echo(f"{p.year or '-':<7}{p.seq or '-':<7}{p.unit_code or '-':<10}"
                       f"{p.project_code or '-':<28}{amount:>12}  {p.project_name or ''}")
        for n in notices:
            total = f"{n.declared_total_wan:f}" if n.declared_total_wan is not None else "-"
            click.echo(f"通知 {n.doc_number or '（无文号）'}  {n.title or ''}  总额(万元) {total}  "
                       f"分配 {len(n.allocations)} 项")
        n_ind = sum(len(p.indicators) for p in projects)
        counted = f", {len(notices)} 个通知" if notices else ""
        click.echo(f"{len(projects)} 个项目, {n_ind} 条指标{counted}, 来自 {len(corpus.results)} 个文件")
    if not any(r.ok for r in corpus.results):
        raise SystemExit(1)
