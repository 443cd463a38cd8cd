"""What changed between two years: projects new, gone, grown, shrunk or unchanged.

A project continues one of the year before when the fund lineage links them (kg.lineage
`cross_year_links`: same region and unit, and the same name or fund stream); every other project is
new or gone. Projects are matched by (region, 项目编码): two counties may print one code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

__all__ = ["YearChange", "KINDS", "ProjectLike", "year_changes", "kind_counts"]

KINDS = ("新增", "取消", "增加", "减少", "持平")


class ProjectLike(Protocol):
    """What a comparison reads of a project: a record (ingest.records.Project) or a kg.totals line."""

    @property
    def year(self) -> int | None: ...
    @property
    def project_code(self) -> str | None: ...
    @property
    def project_name(self) -> str | None: ...
    @property
    def region_code(self) -> str | None: ...
    @property
    def unit_code(self) -> str | None: ...
    @property
    def unit_name(self) -> str | None: ...
    @property
    def budget_wan(self) -> Decimal | None: ...

_ORDER = {"新增": 0, "增加": 1, "减少": 2, "取消": 3, "持平": 4}


@dataclass(frozen=True)
class YearChange:
    """One project compared between two years; `kind` is one of KINDS."""

    kind: str
    before: ProjectLike | None
    after: ProjectLike | None

    @property
    def project(self) -> ProjectLike:
        return self.after or self.before  # type: ignore[return-value]

    @property
    def delta_wan(self) -> Decimal:
        a = self.before.budget_wan if self.before and self.before.budget_wan is not None else Decimal(0)
        b = self.after.budget_wan if self.after and self.after.budget_wan is not None else Decimal(0)
        return b - a


def year_changes(projects: Iterable[ProjectLike], year_from: int, year_to: int,
                 links: Iterable[Any]) -> list[YearChange]:
    """Projects of `year_to` against those of `year_from`, joined by the lineage's cross-year links.

    Sorted new, grown, shrunk, gone, unchanged; within a kind by region, unit and the size of the change.
    """
    projects = list(projects)
    before = {(p.region_code or "", p.project_code or ""): p for p in projects
              if p.year == year_from and p.project_code}
    after = [p for p in projects if p.year == year_to] if year_to != year_from else []
    previous: dict[tuple[str, str], tuple[str, str]] = {
        (lk.region_code, lk.code_to): (lk.region_code, lk.code_from) for lk in links
        if lk.year_from == year_from and lk.year_to == year_to}
    out: list[YearChange] = []
    used: set[tuple[str, str]] = set()
    for p in after:
        key = previous.get((p.region_code or "", p.project_code or ""))
        prev = before.get(key) if key is not None else None
        if key is None or prev is None:
            out.append(YearChange("新增", None, p))
            continue
        used.add(key)
        a, b = prev.budget_wan or Decimal(0), p.budget_wan or Decimal(0)
        out.append(YearChange("增加" if b > a else "减少" if b < a else "持平", prev, p))
    out += [YearChange("取消", p, None) for key, p in before.items() if key not in used]
    return sorted(out, key=lambda c: (_ORDER[c.kind], c.project.region_code or "", c.project.unit_code or "",
                                      -abs(c.delta_wan)))


def kind_counts(changes: Iterable[YearChange]) -> dict[str, int]:
    """How many projects of each kind, in KINDS order."""
    counts = {k: 0 for k in KINDS}
    for c in changes:
        counts[c.kind] += 1
    return counts
