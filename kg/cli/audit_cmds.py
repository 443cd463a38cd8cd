"""`audit`: the 绩效目标审核 findings of the published build, filtered, summarised or exported."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import click

from ingest.errors import HrssError
from kg.cli.base import cli, echo_json, fail, json_option, settings_options
from kg.settings import Settings
from kg.audit import ALL_RULES, export_findings_xlsx, filter_findings, summarize
from kg.context import derive_context
from kg.published import Build
from kg.workspace import NotBuiltError

__all__ = ["audit"]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


@cli.command()
@click.option("--year", type=int, default=None, help="Only this budget year.")
@click.option("--unit", default=None, help="Only this budget unit code (单位编码).")
@click.option("--region", default=None, help="Only this region (区划代码 or 名称) and the regions inside it.")
@click.option("--severity", type=click.Choice(["错误", "警告", "提示"]), default=None,
              help="Only this severity.")
@click.option("--rule", "rule_id", default=None, help="Only this rule (R7 selects R7.1, R7.2 …).")
@click.option("--project", default=None, help="Only this project code (项目编码).")
@click.option("--summary", "summary_only", is_flag=True, help="Print the rule × count table only.")
@click.option("--xlsx", "xlsx_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write the findings to an Excel workbook.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=None, help="Re-run the audit on the built records with these thresholds (TOML).")
@click.option("--rules", "list_rules", is_flag=True, help="List the rules and exit.")
@settings_options
@json_option
def audit(year: int | None, unit: str | None, region: str | None, severity: str | None, rule_id: str | None,
          project: str | None, summary_only: bool, xlsx_path: Path | None, config_path: Path | None,
          list_rules: bool, settings: Settings, as_json: bool) -> None:
    """Audit performance goals against the review rules (绩效目标审核).

    Reads the findings of the published build; prints each finding with its source lines, then a
    rule × count table.

    \b
        python -m kg audit --summary
        python -m kg audit --year 2022 --severity 错误
        python -m kg audit --rule R7 --json
        python -m kg audit --xlsx 审核结果.xlsx
    """
    if list_rules:
        if as_json:
            echo_json([r.to_json() for r in ALL_RULES])
            return
        for r in ALL_RULES:
            mark = "*" if r.configurable else " "
            click.echo(f"{r.id:<6}{mark} {_pad(r.severity, 5)} {_pad(r.title, 34)} {r.basis}")
        click.echo("* 阈值或严重程度可在 kg/audit/config.toml 中配置")
        return
    try:
        if config_path is not None:
            corpus = Build.open(settings).corpus
            findings = list(derive_context(corpus, settings.with_(audit_config=config_path)).findings)
        else:
            findings = Build.open(settings).findings
        regions = None
        if region:
            lineage = Build.open(settings).lineage
            code = lineage.resolve_region(region)
            regions = {c for c in lineage.regions if lineage.within(c, code)}
        findings = filter_findings(findings, year=year, unit=unit, severity=severity, rule=rule_id,
                                   project=project, regions=regions)
        if xlsx_path is not None:
            export_findings_xlsx(findings, xlsx_path)
    except NotBuiltError as e:
        raise click.ClickException(f"尚未构建索引（{settings.index_dir}）；请先运行 python -m kg build") from e
    except HrssError as e:
        raise fail(e) from e
    if as_json:
        echo_json([f.to_json() for f in findings])
        return
    if not summary_only:
        for f in findings:
            who = f"{f.year or '-'} {f.region_code or '-'} {f.unit_code or '-'} {f.project_code or '-'}"
            click.echo(f"{f.location}: {f.severity} {f.rule_id} [{who}] {f.field}: {f.message}")
        if findings:
            click.echo()
    rows = summarize(findings)
    click.echo(f"{_pad('规则', 7)}{_pad('严重程度', 9)}{_pad('规则名称', 36)}{'数量':>4}")
    for rid, title, sev, n in rows:
        click.echo(f"{rid:<7}{_pad(sev, 9)}{_pad(title, 36)}{n:>6}")
    click.echo(f"共 {len(findings)} 条发现，涉及 {len({(f.year, f.project_code) for f in findings})} 个项目")
    if xlsx_path is not None:
        click.echo(f"已导出: {xlsx_path}")
