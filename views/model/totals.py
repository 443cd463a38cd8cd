"""The 单位 and 年度对比 pages' tables and charts, from the build's totals (kg.totals), exactly.

Nothing here reads the records: a page opens on `Build.totals` alone. A unit is (region, code).
The years page drills down province → city → county → unit; its bar chart keeps the TOP_N largest
items of the latest year and sums the rest as one 其他 bar (grouped bars compare years item by item,
which a treemap or sunburst cannot; the table below lists every item, so nothing is hidden).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kg.rdf.iri import UnitKey
from kg.search.results import UnitCount
from kg.totals import UNCLASSIFIED, Amount, ProjectLine, Totals, UnitTotal

__all__ = ["TOP_N", "OTHER", "Item", "region_columns", "unit_rows", "unit_label", "year_rows",
           "drill_items", "top_rows", "item_rows", "theme_rows", "level_label", "project_theme_rows",
           "region_options", "region_facets", "unit_facet"]

TOP_N = 15
OTHER = "其他"
_LEVELS = {"province": "省", "city": "市", "county": "县（区）", "sub": "开发区/市本级", "unknown": "地区"}


def level_label(totals: Totals, codes: Iterable[str]) -> str:
    """What a list of sibling regions is called (省, 市, 县（区）), from their levels."""
    levels = {totals.regions[c].level if c in totals.regions else "unknown" for c in codes}
    return _LEVELS.get(levels.pop(), "地区") if len(levels) == 1 else "地区"


def region_columns(totals: Totals, region: str) -> dict[str, str]:
    """省, 市 and 县（区） of a region (a sub-region or an unknown one goes under 县（区））."""
    out = {"省": "", "市": "", "县（区）": ""}
    rest = []
    for code in totals.chain(region):
        level = totals.regions[code].level if code in totals.regions else "unknown"
        if level == "province" and not out["省"]:
            out["省"] = totals.label(code)
        elif level == "city" and not out["市"]:
            out["市"] = totals.label(code)
        else:
            rest.append(totals.label(code))
    out["县（区）"] = " · ".join(rest)
    return out


def unit_label(totals: Totals, u: UnitTotal) -> str:
    """涿鹿县 · 901002 社会保险事业中心."""
    return f"{totals.label(u.region)} · {u.code} {u.label}".strip()


def _year_cells(years: Iterable[int], amounts: Mapping[int, Amount]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for y in years:
        a = amounts.get(y)
        row[f"{y}年预算(万元)"] = a.budget_wan if a else None
        row[f"{y}年项目数"] = a.projects if a else 0
    return row


def unit_rows(totals: Totals, scope: str | None = None) -> list[dict[str, Any]]:
    """Every unit in `scope` (a region code; all for None), grouped province → city → county, with
    its 预算数 and number of projects per year."""
    rows = []
    for u in totals.within(scope):
        rows.append({**region_columns(totals, u.region), "地区编码": u.region, "单位编码": u.code,
                     "单位": u.label, **_year_cells(totals.years, u.years)})
    return rows


def year_rows(amounts: Mapping[int, Amount]) -> list[dict[str, Any]]:
    """Per year: 年度, 项目数, 预算数(万元), oldest first."""
    return [{"年度": y, "项目数": a.projects, "预算数(万元)": a.budget_wan} for y, a in sorted(amounts.items())]


@dataclass(frozen=True)
class Item:
    """One bar group of the drill-down: a region inside the scope or a unit of it."""

    kind: str  # region | unit
    code: str  # region code, or the unit code
    region: str  # the region (the unit's for a unit)
    label: str
    years: Mapping[int, Amount]


def drill_items(totals: Totals, scope: str | None) -> list[Item]:
    """What `scope` holds one level down: its regions (the top regions for None), then its own units."""
    items = [Item("region", c, c, totals.label(c), totals.region_totals[c]) for c in totals.children(scope)]
    if scope is not None:
        items += [Item("unit", u.code, u.region, f"{u.code} {u.label}", u.years)
                  for u in totals.own_units(scope)]
    return items


def _size(item: Item, year: int | None) -> tuple[Decimal, Decimal]:
    latest = item.years.get(year) if year is not None else None
    return (latest.budget_wan if latest else Decimal(0),
            sum((a.budget_wan for a in item.years.values()), Decimal(0)))


def top_rows(items: list[Item], years: list[int], top: int = TOP_N) -> list[dict[str, Any]]:
    """Chart rows (名称, 年度, 预算数(万元), 项目数) of the `top` largest items of the latest year; the
    rest summed as one 其他（n 项） bar per year, so the bars still add up to the scope's total."""
    ranked = sorted(items, key=lambda i: _size(i, years[-1] if years else None), reverse=True)
    shown, rest = ranked[:top], ranked[top:]
    if len(rest) == 1:
        shown, rest = ranked, []
    rows = [{"名称": i.label, "年度": y, "预算数(万元)": i.years[y].budget_wan, "项目数": i.years[y].projects}
            for i in shown for y in years if y in i.years]
    for y in years:
        parts = [i.years[y] for i in rest if y in i.years]
        if parts:
            total = sum(parts, Amount(0, Decimal(0)))
            rows.append({"名称": f"{OTHER}（{len(rest)} 项）", "年度": y, "预算数(万元)": total.budget_wan,
                         "项目数": total.projects})
    return rows


def item_rows(totals: Totals, items: list[Item], scope: str | None) -> list[dict[str, Any]]:
    """Every item with its per-year totals, then 合计 (the scope's own total: the items add up to it)."""
    rows = [{"层级": "单位" if i.kind == "unit" else level_label(totals, [i.code]), "名称": i.label,
             "编码": i.code, **_year_cells(totals.years, i.years)} for i in items]
    if scope is not None:
        whole = totals.region_totals.get(scope, {})
    else:
        whole = {}
        for i in items:
            for y, a in i.years.items():
                whole[y] = whole.get(y, Amount(0, Decimal(0))) + a
    rows.append({"层级": "", "名称": "合计", "编码": scope or "", **_year_cells(totals.years, whole)})
    return rows


def theme_rows(totals: Totals, scope: str | None = None) -> list[dict[str, Any]]:
    """Per policy theme and year in `scope`: 主题, 年度, 项目数, 预算数(万元)."""
    return [{"主题": t, "年度": y, "项目数": a.projects, "预算数(万元)": a.budget_wan}
            for (t, y), a in totals.theme_totals(scope).items()]


def project_theme_rows(projects: Iterable[ProjectLine]) -> list[dict[str, Any]]:
    """Per theme and year over one unit's projects (themes as the build tagged them): a project with
    two themes counts in both, one with none under （未分类）."""
    acc: dict[tuple[str, int], Amount] = {}
    for p in projects:
        if p.year is None:
            continue
        for t in p.themes or (UNCLASSIFIED,):
            one = Amount(1, p.budget_wan or Decimal(0))
            acc[(t, p.year)] = acc.get((t, p.year), Amount(0, Decimal(0))) + one
    return [{"主题": t, "年度": y, "项目数": a.projects, "预算数(万元)": a.budget_wan}
            for (t, y), a in sorted(acc.items())]


def region_options(totals: Totals, codes: Iterable[str]) -> list[str]:
    """Region codes in tree order (each province, then its cities, each city then its counties)."""
    return sorted(codes, key=lambda c: [totals.label(x) for x in totals.chain(c)])


_FACET_LEVELS = (("province", "省"), ("city", "市"), ("county", "县（区）"))


def region_facets(totals: Totals, counts: Iterable[tuple[Any, int]]) -> dict[str, list[tuple[str, str, int]]]:
    """The search's region facet (a project counted under its county, city and province) split by
    level: 省, 市, 县（区） (a sub-region or an unknown one under 县（区））, each [(code, name, count)]."""
    out: dict[str, list[tuple[str, str, int]]] = {label: [] for _, label in _FACET_LEVELS}
    names = dict(_FACET_LEVELS)
    for value, n in counts:
        code = str(value)
        level = totals.regions[code].level if code in totals.regions else "unknown"
        out[names.get(level, "县（区）")].append((code, totals.label(code), n))
    return {k: v for k, v in out.items() if v}


def unit_facet(totals: Totals, counts: Iterable[UnitCount]) -> list[tuple[UnitKey, str, int]]:
    """The search's 单位 facet named as its 单位 filter names the units (涿鹿县 · 901002 社会保险事业中心),
    so two counties' same-code units read apart: [(unit, label, count)]."""
    out = []
    for c in counts:
        key = UnitKey(c.region_code or "", c.unit_code)
        u = totals.unit(key.region, key.code)
        county = totals.label(key.region) if key.region else ""
        label = unit_label(totals, u) if u else f"{county} · {c.unit_code} {c.unit_name or ''}".strip(" ·")
        out.append((key, label, c.count))
    return out
