"""`trace` (a document down to projects, or a project up to its documents) and `history` (across years)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click

from ingest.errors import HrssError
from kg.cli.base import cli, echo_json, fail, json_option, settings_options
from kg.lineage import Lineage
from kg.lineage.reconcile import write_xlsx
from kg.published import Build
from kg.settings import Settings
from kg.workspace import NotBuiltError

__all__ = ["trace", "history"]


def _wan(value: Decimal | None) -> str:
    return "-" if value is None else f"{value} 万元"


def _load(settings: Settings) -> Lineage:
    try:
        return Build.open(settings).lineage
    except NotBuiltError as e:
        raise click.ClickException(
            f"{settings.index_dir}: 尚未构建，没有资金血缘可查；请先运行 `python -m kg build`") from e
    except HrssError as e:
        raise fail(e) from e


def _region(lineage: Lineage, region: str | None) -> str | None:
    """The region code of `--region CODE|NAME` (None without one)."""
    return lineage.resolve_region(region) if region else None


def _echo_units(units, indent: str) -> None:  # noqa: ANN001
    for u in units:
        click.echo(f"{indent}{u.unit_code} {u.unit_name or ''}  合计 {_wan(u.total_wan)}")
        for p in u.projects:
            where = f"{p.source.file}:{p.source.first_line}" if p.source else ""
            shared = "  [引用多个文件，未拆分]" if p.shared else ""
            click.echo(f"{indent}  {p.year} {p.project_code:<24} {str(p.budget_wan or '-'):>10} 万元  "
                       f"{p.fund_level or '-'}级·{p.fund_source or '-'}  {p.project_name or ''}  {where}{shared}")


def _where(span) -> str:  # noqa: ANN001
    return span.locator if span is not None else ""


def _echo_region(r, indent: str) -> None:  # noqa: ANN001
    name = f"{indent}{r.region_name or r.region_code}（{r.region_code}）"
    if r.allocated_wan is None and r.difference_wan is None:
        click.echo(f"{name}  预算数 {_wan(r.budgeted_wan)}")
    else:
        click.echo(f"{name}  分配数 {_wan(r.allocated_wan)}  预算数 {_wan(r.budgeted_wan)}  "
                   f"差额 {_wan(r.difference_wan) if r.has_projects else '-（无项目引用）'}  "
                   f"{_where(r.allocation_source)}".rstrip())
    for sub in r.regions:
        _echo_region(sub, indent + "  ")
    _echo_units(r.units, indent + "  ")


def _echo_down(t, indent: str = "") -> None:  # noqa: ANN001
    d = t.document
    who = " · ".join(x for x in (d.organisation, f"{d.level}级" if d.level else None) if x)
    click.echo(f"{indent}{d.canonical}  {d.title or ''}".rstrip())
    click.echo(f"{indent}  发文机关: {who or '未知'}    资金: {d.fund_level or '-'}级 · {d.fund_source or '-'}")
    if not indent and t.parents:
        click.echo(f"  上级文件: {' ← '.join(p.canonical for p in t.parents)}")
    if t.notice_source is not None:
        joined = "；附件 " + "、".join(a.locator for a in t.attachments) if t.attachments else ""
        click.echo(f"{indent}  通知: {t.notice_source.locator}{joined}    文件总额 {_wan(t.document.declared_total_wan)}"
                   f"    分配数合计 {_wan(t.allocated_wan)}")
    if not indent and t.stream and len(t.stream["documents"]) > 1:
        click.echo("  同一资金各年度: " + "、".join(f"{d['year']}年 {d['canonical']}" for d in t.stream["documents"]))
    if not t.units and not t.children:
        click.echo(f"{indent}  （没有项目引用此文件）")
    for r in t.regions:
        _echo_region(r, indent + "  ")
    for a in t.unplaced:
        click.echo(f"{indent}  未落地区: {a['recipient']}  分配数 {_wan(a['amount_wan'])}")
    for child in t.children:
        click.echo(f"{indent}  下级文件:")
        _echo_down(child, indent + "    ")
    label = "预算数合计（含下级文件）" if t.children else "预算数合计"
    diff = f"    差额 {_wan(t.difference_wan)}" if t.difference_wan is not None else ""
    click.echo(f"{indent}  {label}: {_wan(t.total_wan)}{diff}")


@cli.command()
@click.argument("docnum", required=False)
@click.option("--project", "project_code", default=None, help="Trace up from this 项目编码 instead.")
@click.option("--year", type=int, default=None, help="The project's year when its code recurs.")
@click.option("--region", default=None, help="Only this region (区划代码 or 名称), or the project's region.")
@click.option("--unit", default=None, help="Only this unit (单位编码), with --region when the code recurs.")
@click.option("--xlsx", "xlsx_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write the reconciliation working paper (分配数/预算数/差额, projects, sources).")
@settings_options
@json_option
def trace(docnum: str | None, project_code: str | None, year: int | None, region: str | None,
          unit: str | None, xlsx_path: Path | None, settings: Settings, as_json: bool) -> None:
    """Trace funds: a document down to units and projects, or (--project) a project up to its documents.

    The 文号 may be written in any form; a partial one naming several documents lists them.

    \b
        python -m kg trace 冀财社〔2021〕176号
        python -m kg trace "冀财社2021 176" --json
        python -m kg trace --project 13068124P00000000001A
        python -m kg trace 冀财社〔2021〕176号 --region 怀来县
        python -m kg trace 冀财社〔2021〕176号 --xlsx 对账.xlsx
    """
    if bool(docnum) == bool(project_code):
        raise click.UsageError("give either DOCNUM or --project CODE")
    if xlsx_path is not None and project_code:
        raise click.UsageError("--xlsx goes with DOCNUM")
    try:
        lineage = _load(settings)
        code = _region(lineage, region)
        if project_code:
            up = lineage.trace_up(project_code, year, code)
        else:
            down = lineage.trace_down(docnum, code, unit)  # type: ignore[arg-type]
    except HrssError as e:
        raise fail(e) from e
    if project_code:
        if as_json:
            echo_json(up.to_json())
            return
        p = up.project
        click.echo(f"{p.year} {p.project_code}  {p.project_name or ''}")
        click.echo(f"  地区: {p.region_name or '未知'}（{p.region_code or '-'}）")
        click.echo(f"  单位: {p.unit_code or '-'} {p.unit_name or ''}    预算数: {_wan(p.budget_wan)}")
        click.echo(f"  资金层级: {up.fund_level or '-'}级 · {up.fund_source or '-'}"
                   f"{'（未引用文件，按规则推定）' if up.derived else ''}    规则: {up.fund_rule or '-'}")
        for d in up.documents:
            levels = [d.level, *d.chain_levels]
            chain = " ← ".join(f"{c}（{lv or '?'}）" for c, lv in zip([d.canonical, *d.chain], levels,
                                                                       strict=False))
            click.echo(f"  {chain}")
            click.echo(f"    {d.organisation or '未知机关'}（{d.level or '?'}级）  资金 {d.fund_level or '-'}级 · "
                       f"{d.fund_source or '-'}  金额 {_wan(d.amount_wan)}")
        return
    if xlsx_path is not None:
        try:
            write_xlsx(down, xlsx_path)
        except OSError as e:
            raise click.ClickException(f"{xlsx_path}: 无法写入对账表: {e}") from e
    if as_json:
        echo_json(down.to_json())
        return
    _echo_down(down)
    if xlsx_path is not None:
        click.echo(f"对账表已写入 {xlsx_path}")


@cli.command()
@click.argument("code")
@click.option("--year", type=int, default=None, help="The project's year when its code recurs.")
@click.option("--region", default=None, help="The project's region (区划代码 or 名称) when its code recurs.")
@settings_options
@json_option
def history(code: str, year: int | None, region: str | None, settings: Settings, as_json: bool) -> None:
    """A project's line across years, with the change in amounts and the evidence for each link.

    \b
        python -m kg history 13068124P00000000001A
        python -m kg history 13068124P00000000001A --json
    """
    try:
        lineage = _load(settings)
        h = lineage.history(code, year, _region(lineage, region))
    except HrssError as e:
        raise fail(e) from e
    if as_json:
        echo_json(h.to_json())
        return
    click.echo(f"{h.project.project_code}  {h.project.project_name or ''}  "
               f"（{h.project.region_name or h.project.region_code or '地区未知'} "
               f"{h.project.unit_code or '-'} {h.project.unit_name or ''}）")
    for entry in h.entries:
        change = ""
        if entry.change_wan is not None:
            sign = "+" if entry.change_wan >= 0 else ""
            pct = f", {sign}{entry.change_pct}%" if entry.change_pct is not None else ""
            change = f"  较上年 {sign}{entry.change_wan} 万元{pct}"
        click.echo(f"  {entry.year}  {entry.project_code:<24} {str(entry.budget_wan or '-'):>10} 万元{change}  "
                   f"{' '.join(entry.documents)}")
    if not h.links:
        click.echo("  （没有找到跨年度关联）")
    for link in h.links:
        click.echo(f"  关联 {link.year_from}→{link.year_to}: 得分 {link.score}（{link.confidence}）")
        for ev in link.evidence:
            click.echo(f"    {ev.kind:<22} {ev.weight}  {ev.value}")
