"""`search`: full-text and 文号 search over the projects of every year."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
import click

from ingest.errors import HrssError
from kg.cli.base import cli, echo_json, fail, json_option, settings_options
from kg.published import Build
from kg.search.results import Fragment
from kg.settings import Settings

__all__ = ["search"]


def _amount(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation as e:
        raise click.BadParameter(f"不是金额: {value!r}") from e


def _styled(fragment: Fragment) -> str:
    """A highlighted fragment for the terminal: matches bold red (plain when piped)."""
    return "".join(click.style(s, fg="red", bold=True) if m else s for s, m in fragment.segments)


@cli.command()
@click.argument("query")
@click.option("--year", type=int, default=None, help="Only this budget year.")
@click.option("--unit", default=None, help="Only this unit (单位编码 or 单位名称).")
@click.option("--region", default=None, help="Only this region (区划代码 or 名称: county, city or province).")
@click.option("--theme", default=None, help="Only this policy theme (id or name).")
@click.option("--issuer", default=None, help="Only projects citing a 文号 of this issuer (冀财社 …).")
@click.option("--min-amount", "amount_min", default=None, help="Budget at least this (万元).")
@click.option("--max-amount", "amount_max", default=None, help="Budget at most this (万元).")
@click.option("--limit", "-n", type=click.IntRange(1, 500), default=10, show_default=True,
              help="Hits per page.")
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@settings_options
@json_option
def search(query: str, year: int | None, unit: str | None, region: str | None, theme: str | None,
           issuer: str | None, amount_min: str | None, amount_max: str | None, limit: int,
           page: int, settings: Settings, as_json: bool) -> None:
    """Search projects of every year; a 文号 in any form is matched exactly.

    \b
        python -m kg search 就业补助
        python -m kg search "冀财社2021 176" --json
        python -m kg search 养老保险 --year 2022 --unit 316007
    """
    try:
        build = Build.open(settings)
        try:
            if unit and not region and len(choices := build.units.with_code(unit)) > 1:
                raise click.UsageError(f"单位编码 {unit} 在多个地区: " + "、".join(
                    f"{k.region} {build.search.regions.get(k.region, '')}".strip() for k in choices)
                    + "；请用 --region 指定")
            result = build.search.search(query, year=year, unit=unit, region=region, theme=theme, issuer=issuer,
                                          amount_min=_amount(amount_min), amount_max=_amount(amount_max),
                                          page=page, page_size=limit)
        finally:
            build.close()
    except HrssError as e:
        raise fail(e) from e
    if as_json:
        echo_json(result.to_json())
        return
    if result.doc_query is not None:
        click.echo(f"文号: {result.doc_query}")
    first = (page - 1) * limit
    shown = f"{first + 1}–{first + len(result.hits)}" if result.hits else "0"
    click.echo(f"共 {result.total} 个项目（第 {shown} 个）")
    for h in result.hits:
        amount = f"{h.budget_wan}" if h.budget_wan is not None else "-"
        click.echo(f"{h.score:7.2f}  {h.year or '-'}  {h.project_code or '-':<22} {amount:>10}万元  "
                   f"{h.region_name or ''}  {h.project_name or h.title or ''}")
        if h.highlights:
            click.echo(f"         {_styled(h.highlights[0])}")
        click.echo(f"         {h.source.file}:{h.source.first_line}-{h.source.last_line}")
    for name, values in result.facets.items():
        if values:
            labels = result.facet_labels.get(name, {})
            click.echo(f"{name}: " + "，".join(f"{labels.get(v, v)} {n}" for v, n in values[:8]))
    if result.unit_facet:
        click.echo("unit: " + "，".join(
            f"{u.region_name or u.region_code or ''} {u.unit_code} {u.unit_name or ''} {u.count}"
            for u in result.unit_facet[:8]))
