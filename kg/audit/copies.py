"""Copied indicator tables: the same rows in unrelated projects (R6.2) or in a later year (R18.1).

Projects are grouped by a hash of their indicator rows, so the cost is linear in the number of
projects: no pairwise comparison.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence

from ingest.records import Project
from kg.audit.helpers import norm, span_of
from kg.audit.model import AuditConfig, Hit

__all__ = ["indicator_rows_hash", "copied_tables", "copied_across_years"]


def indicator_rows_hash(p: Project) -> str | None:
    """A hash of the indicator rows (levels, description, value; whitespace ignored); None if none."""
    if not p.indicators:
        return None
    h = hashlib.sha1()
    for i in p.indicators:
        for cell in (i.level1, i.level2, i.level3, i.description, i.value):
            h.update(norm(cell).encode("utf-8"))
            h.update(b"\x1f")
        h.update(b"\x1e")
    return h.hexdigest()


_NAME_NOISE = re.compile(r"\[[^\]]*\]|[\[【〔﹝（(][^\]】〕﹞）)]*[\]】〕﹞）)]\s*\d*号?|(?:19|20)\d{2}年?")


def _related(a: Project, b: Project) -> bool:
    """Two tables may share indicators: same funding 文号, or the same name."""
    if set(a.doc_numbers) & set(b.doc_numbers):
        return True
    na = norm(_NAME_NOISE.sub("", a.project_name or ""))
    nb = norm(_NAME_NOISE.sub("", b.project_name or ""))
    return bool(na) and na == nb


def _group_by_table(projects: Sequence[Project]) -> list[list[Project]]:
    groups: dict[str, list[Project]] = defaultdict(list)
    for p in projects:
        key = indicator_rows_hash(p)
        if key is not None:
            groups[key].append(p)
    return [g for g in groups.values() if len(g) > 1]


def _unit(p: Project) -> tuple[str | None, str | None]:
    """A unit is its region and code: one code in two counties is two units."""
    return (p.region_code, p.unit_code)


def _ref(p: Project, seen_from: Project | None = None) -> str:
    """A project as a finding names it; its region too when it is not the region of `seen_from`."""
    where = f"{p.region_code} " if seen_from is not None and p.region_code != seen_from.region_code else ""
    return (f"{p.year or ''}年 {where}{p.unit_code or '-'} {p.project_code or '-'}"
            f"《{(p.project_name or '').strip()}》")


def copied_tables(projects: Sequence[Project], cfg: AuditConfig) -> Iterator[Hit]:
    """The same indicator table in unrelated projects of one year (same unit or not)."""
    for group in _group_by_table(projects):
        by_year: dict[int | None, list[Project]] = defaultdict(list)
        for p in group:
            by_year[p.year].append(p)
        for same_year in by_year.values():
            for p in same_year:
                others = [q for q in same_year if q is not p and not _related(p, q)]
                if not others:
                    continue
                same_unit = [q for q in others if _unit(q) == _unit(p)]
                other_unit = [q for q in others if _unit(q) != _unit(p)]
                parts = []
                if same_unit:
                    parts.append("本单位 " + "、".join(_ref(q, p) for q in same_unit))
                if other_unit:
                    parts.append("其他单位 " + "、".join(_ref(q, p) for q in other_unit))
                yield Hit(p, "指标表", f"{len(p.indicators)} 行",
                          f"指标表与不相关项目完全相同（{'；'.join(parts)}）",
                          span_of(p.indicators, p.span))


def copied_across_years(projects: Sequence[Project], cfg: AuditConfig) -> Iterator[Hit]:
    """A unit's indicator table repeated unchanged in a later year."""
    for group in _group_by_table(projects):
        by_unit: dict[tuple[str | None, str | None], list[Project]] = defaultdict(list)
        for p in group:
            by_unit[_unit(p)].append(p)
        for same_unit in by_unit.values():
            years = sorted({p.year for p in same_unit if p.year is not None})
            if len(years) < 2:
                continue
            for p in same_unit:
                earlier = [q for q in same_unit if q.year is not None and p.year is not None
                           and q.year < p.year]
                if earlier:
                    yield Hit(p, "指标表", f"{len(p.indicators)} 行",
                              "指标表与往年完全相同，未随年度更新（" + "、".join(_ref(q) for q in earlier)
                              + "）", span_of(p.indicators, p.span))
