"""`ingest` (parse and print records) and `build` (data/ → indexes/)."""

from __future__ import annotations

from pathlib import Path

import click

from ingest.errors import HrssError
from kg.cli.base import cli, echo_json, fail, json_option, settings_options, warn
from kg.corpus import load_corpus
from kg.jsonout import dumps
from kg.settings import Settings


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option
def ingest(paths: tuple[Path, ...], as_json: bool) -> None:
    """Parse documents and print their projects and notices (JSON Lines with --json).

    Warnings go to stderr as FILE:LINE: message. Exit code 0 when anything was loaded,
    1 when nothing could be read.

    \b
        python -m kg ingest data/*.txt --json
    """
    corpus = load_corpus(paths)
    for d in corpus.all_diagnostics():
        if d.severity != "info" or as_json:
            warn(str(d))
    projects = corpus.projects
    notices = [n for r in corpus.results for n in r.notices]
    if as_json:
        for p in projects:
            click.echo(dumps(p.to_json()))
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


@cli.command()
@settings_options
@json_option
def build(settings: Settings, as_json: bool) -> None:
    """Build the graph, search index and lineage from data/ into indexes/ (atomically).

    \b
        python -m kg build
        python -m kg build --store oxigraph
    """
    from kg.build import build as run_build

    try:
        report = run_build(settings, progress=lambda step: warn(f"… {step}"))
    except HrssError as e:
        raise fail(e) from e
    corpus = report.corpus
    assert corpus is not None
    for d in corpus.all_diagnostics():
        if d.severity != "info":
            warn(str(d))
    if as_json:
        echo_json({"path": str(report.path), "counts": report.counts, "seconds": report.seconds})
        return
    for step, counts in report.counts.items():
        figures = ", ".join(f"{k}={v}" for k, v in counts.items())
        click.echo(f"{step:<10} {report.seconds[step]:7.2f}s  {figures}")
    click.echo(f"已发布: {report.path}")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@settings_options
@json_option
def add(paths: tuple[Path, ...], settings: Settings, as_json: bool) -> None:
    """Add documents to the published build without rebuilding it (Oxigraph or SPARQL endpoint store).

    With the memory store the build is redone in full with the new files added to its sources.

    \b
        python -m kg add new/130702_2023.txt --indexes indexes
    """
    from kg.build import add_sources

    try:
        report = add_sources(settings, list(paths), progress=lambda step: warn(f"… {step}"))
    except HrssError as e:
        raise fail(e) from e
    added = report.counts.get("add", {})
    if as_json:
        echo_json({"path": str(report.path), "counts": report.counts, "seconds": report.seconds})
        return
    if added.get("mode") == "rebuild":
        click.echo(f"内存图谱不能增量追加：已连同新文件完整重建（{added.get('files')} 个新文件，"
                   f"{sum(report.seconds.values()):.1f} 秒）")
    else:
        click.echo(f"已追加 {added.get('projects')} 个项目（{added.get('files')} 个文件，"
                   f"跳过 {added.get('skipped')} 个重复项目），新增三元组 {added.get('triples_added')}，"
                   f"用时 {report.seconds.get('add', 0):.2f} 秒")
    click.echo(f"已发布: {report.path}")
