"""Amounts per unit, per policy theme and per year, summed exactly."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from ingest.records import Project
from kg.themes import tag_project
from kg.units import derive_units

__all__ = ["unit_names", "unit_year_totals", "theme_year_totals"]


def unit_names(projects: Iterable[Project]) -> dict[str, str]:
    """unit code → unit name (kg.units: the one name of each unit), sorted by code."""
    projects = list(projects)
    units = derive_units(projects)
    return {code: units.label(code) for code in sorted({p.unit_code for p in projects if p.unit_code})}


def _totals(projects: Iterable[Project],
            groups: Callable[[Project], list[str]]) -> dict[tuple[str, int], list[Decimal]]:
    acc: dict[tuple[str, int], list[Decimal]] = defaultdict(list)
    for p in projects:
        if p.year is None:
            continue
        for g in groups(p):
            acc[(g, p.year)].append(p.budget_wan or Decimal(0))
    return acc


def unit_year_totals(projects: Iterable[Project]) -> list[dict[str, Any]]:
    """Per unit and year: the number of projects and the summed 预算数."""
    projects = list(projects)
    units = derive_units(projects)
    names = {p.unit_code or "": units.label(p.unit_code) for p in projects}
    acc = _totals(projects, lambda p: [p.unit_code or ""])
    return [{"单位编码": code, "单位": names[code], "年度": year, "项目数": len(v),
             "预算数(万元)": sum(v, Decimal(0))}
            for (code, year), v in sorted(acc.items())]


def theme_year_totals(projects: Iterable[Project]) -> list[dict[str, Any]]:
    """Per policy theme (kg.themes) and year: count and summed 预算数; a project with two themes
    counts in both, one with none under （未分类）."""
    acc = _totals(projects, lambda p: [t.label for t in tag_project(p)] or ["（未分类）"])
    return [{"主题": theme, "年度": year, "项目数": len(v), "预算数(万元)": sum(v, Decimal(0))}
            for (theme, year), v in sorted(acc.items())]
