"""`build` (data/ → indexes/) and `add` (new documents into the published build)."""

from __future__ import annotations

from pathlib import Path

import click

from ingest.errors import HrssError
from ingest.regions import RegionIndex
from kg.build import BuildReport, add_sources, build as run_build
from kg.cli.base import cli, echo_json, fail, json_option, settings_options, warn
from kg.settings import Settings
from kg.sources import source_region


def _echo_report(report: BuildReport, as_json: bool) -> None:
    if as_json:
        echo_json({"path": str(report.path), "counts": report.counts, "seconds": report.seconds,
                   "notes": report.notes})
        return
    for step, counts in report.counts.items():
        if step == "add":
            continue
        figures = ", ".join(f"{k}={v}" for k, v in counts.items())
        click.echo(f"{step:<10} {report.seconds.get(step, 0):7.2f}s  {figures}")
    click.echo(f"已发布: {report.path}")


@cli.command()
@settings_options
@json_option
def build(settings: Settings, as_json: bool) -> None:
    """Build the graph, search index and lineage from data/ into indexes/ (atomically).

    Reads every document under data/ and the files listed in data/sources.csv. A build in which no
    document loads is refused (exit 1) and the published build stays.

    \b
        python -m kg build
        python -m kg build --store oxigraph
    """
    try:
        report = run_build(settings, progress=lambda step: warn(f"… {step}"))
    except HrssError as e:
        raise fail(e) from e
    assert report.corpus is not None
    for d in report.corpus.all_diagnostics():
        if d.severity != "info":
            warn(str(d))
    _echo_report(report, as_json)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--region", default=None, metavar="CODE|NAME",
              help="the files' region (written to data/sources.csv), for documents that name no place")
@settings_options
@json_option
def add(paths: tuple[Path, ...], region: str | None, settings: Settings, as_json: bool) -> None:
    """Add documents to the published build: copied under data/added/, listed in data/sources.csv,
    then a new build is staged with them and published atomically.

    A file whose content the build already holds (same sha256) is not added again.

    \b
        python -m kg add new/130702_2023.txt --indexes indexes
        python -m kg add 县人社局2023.txt --region 涿鹿县
    """
    try:
        code = source_region(region, RegionIndex.load()) if region else None
        report = add_sources(settings, list(paths), progress=lambda step: warn(f"… {step}"), region=code)
    except HrssError as e:
        raise fail(e) from e
    for note in report.notes:
        warn(note)
    added = report.counts.get("add", {})
    if added.get("mode") == "unchanged":
        if as_json:
            echo_json({"path": str(report.path), "counts": report.counts, "notes": report.notes})
        else:
            click.echo(f"没有新内容：构建未改动（{report.path}）")
        return
    if not as_json:
        click.echo(f"已追加 {added.get('projects')} 个项目（{added.get('files')} 个文件，"
                   f"跳过 {added.get('skipped')} 个重复项目），用时 {report.seconds.get('add', 0):.2f} 秒")
    _echo_report(report, as_json)
