"""What changed between two years, as table rows (the comparison itself is kg.changes)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kg.changes import KINDS, YearChange, kind_counts, year_changes

__all__ = ["YearChange", "KINDS", "year_changes", "kind_counts", "change_rows"]


def change_rows(changes: Iterable[YearChange]) -> list[dict[str, Any]]:
    """YearChange records as table rows."""
    return [{"变化": c.kind, "地区编码": c.project.region_code, "单位": c.project.unit_name,
             "项目": c.project.project_name,
             "上年编码": c.before.project_code if c.before else None,
             "上年(万元)": c.before.budget_wan if c.before else None,
             "本年编码": c.after.project_code if c.after else None,
             "本年(万元)": c.after.budget_wan if c.after else None, "增减(万元)": c.delta_wan}
            for c in changes]
