"""Budget totals per region, unit, theme and year, written once by the build (`totals.json`).

The 单位 and 年度对比 pages read these instead of the records, so they open at the same speed for 100
projects or 100,000. Units are (region, code): two counties' units with one code stay two rows. A
region's total adds its own units and every region inside it (county → city → province).

    t = read_totals(build_dir)
    t.children(None)             # the top regions (provinces; unknown regions by their file)
    t.region_totals["130731"]    # {2021: Amount(projects=1, budget_wan=Decimal("560.00")), …}
    t.within("130700")           # every unit in 张家口市
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import combinations
from pathlib import Path
from typing import Any

from ingest.errors import HrssError
from ingest.records import Project
from ingest.regions import UNKNOWN_PREFIX
from kg.changes import KINDS, year_changes
from kg.rdf.iri import ProjectKey, UnitKey, project_key
from kg.themes import Theme
from kg.units import Units

__all__ = ["TOTALS_FILE", "Amount", "RegionInfo", "UnitTotal", "Totals", "TotalsError", "derive_totals",
           "write_totals", "read_totals", "region_label", "UNCLASSIFIED"]

TOTALS_FILE = "totals.json"
_SCHEMA = 1
UNCLASSIFIED = "（未分类）"


class TotalsError(HrssError):
    """The build's totals.json is missing or cannot be read."""


@dataclass(frozen=True)
class Amount:
    """How many projects and their summed 预算数 (exact, 万元)."""

    projects: int
    budget_wan: Decimal

    def __add__(self, other: Amount) -> Amount:
        return Amount(self.projects + other.projects, self.budget_wan + other.budget_wan)


_ZERO = Amount(0, Decimal(0))
Years = dict[int, Amount]


@dataclass(frozen=True)
class RegionInfo:
    """A region of the build: code, name (None when unknown), level and parent code."""

    code: str
    name: str | None
    level: str  # province | city | county | sub | unknown
    parent: str | None

    @property
    def label(self) -> str:
        return region_label(self.code, self.name)


def region_label(code: str, name: str | None) -> str:
    """A region's display name; an unknown region is named by its file (地区不明：a.txt)."""
    if name:
        return name
    if code.startswith(UNKNOWN_PREFIX):
        return f"地区不明：{code[len(UNKNOWN_PREFIX):]}"
    return code or "地区不明"


@dataclass(frozen=True)
class UnitTotal:
    """One unit (region, code), its name and its totals per year."""

    region: str
    code: str
    name: str | None
    years: Mapping[int, Amount]

    @property
    def key(self) -> UnitKey:
        return UnitKey(self.region, self.code)

    @property
    def label(self) -> str:
        return self.name or self.code or "（无单位）"


def _add(acc: dict[int, Amount], year: int, amount: Amount) -> None:
    acc[year] = acc.get(year, _ZERO) + amount


class Totals:
    """The build's totals: regions with their parents, units, themes and change counts per year pair."""

    def __init__(self, years: Sequence[int], regions: Iterable[RegionInfo], units: Iterable[UnitTotal],
                 themes: Iterable[tuple[str, str, int, Amount]] = (),
                 changes: Iterable[tuple[int, int, str, str, str, int]] = ()) -> None:
        self.years = sorted(years)
        self.regions = {r.code: r for r in regions}
        self.units = list(units)
        self.themes = list(themes)  # (region, theme, year, amount)
        self.changes = list(changes)  # (year_from, year_to, region, unit code, kind, count)
        self._children: dict[str | None, list[str]] = defaultdict(list)
        for code, r in sorted(self.regions.items()):
            parent = r.parent if r.parent in self.regions else None
            self._children[parent].append(code)
        self._own: dict[str, list[UnitTotal]] = defaultdict(list)
        self._by_code: dict[str, list[UnitTotal]] = defaultdict(list)
        self.region_totals: dict[str, Years] = defaultdict(dict)
        for u in self.units:
            self._own[u.region].append(u)
            self._by_code[u.code].append(u)
            for code in self.chain(u.region):
                for year, amount in u.years.items():
                    _add(self.region_totals[code], year, amount)

    def chain(self, code: str) -> list[str]:
        """The region and its parents, top (province) first."""
        out: list[str] = []
        while code and code not in out:
            out.insert(0, code)
            code = (self.regions.get(code) or RegionInfo(code, None, "unknown", None)).parent or ""
        return out

    def label(self, code: str) -> str:
        r = self.regions.get(code)
        return r.label if r else region_label(code, None)

    def path(self, code: str, sep: str = " › ") -> str:
        """The region's names from the top: 河北省 › 张家口市 › 涿鹿县."""
        return sep.join(self.label(c) for c in self.chain(code))

    def children(self, code: str | None) -> list[str]:
        """The regions directly inside `code` that hold units (the top regions for None), by code."""
        return [c for c in self._children.get(code, []) if c in self.region_totals]

    def own_units(self, code: str) -> list[UnitTotal]:
        """The units placed in this region itself, by code."""
        return sorted(self._own.get(code, []), key=lambda u: u.code)

    def within(self, code: str | None) -> list[UnitTotal]:
        """Every unit in the region or a region inside it (all units for None), grouped by region."""
        if code is None:
            return [u for c in self._children[None] for u in self.within(c)]
        out = list(self.own_units(code))
        for child in self._children.get(code, []):
            out += self.within(child)
        return out

    def with_code(self, unit_code: str) -> list[UnitTotal]:
        """Every unit with this code, one per region: several mean the code is ambiguous."""
        return sorted(self._by_code.get(unit_code, []), key=lambda u: u.region)

    def unit(self, region: str, code: str) -> UnitTotal | None:
        return next((u for u in self._own.get(region, []) if u.code == code), None)

    def is_within(self, region: str, scope: str | None) -> bool:
        """Whether `region` is `scope` or inside it (always, for scope None)."""
        return scope is None or scope in self.chain(region)

    def theme_totals(self, scope: str | None = None) -> dict[tuple[str, int], Amount]:
        """(theme, year) → amount over the projects in `scope` (a region code; all for None)."""
        out: dict[tuple[str, int], Amount] = {}
        inside: dict[str, bool] = {}
        for region, theme, year, amount in self.themes:
            if inside.setdefault(region, self.is_within(region, scope)):
                out[(theme, year)] = out.get((theme, year), _ZERO) + amount
        return dict(sorted(out.items()))

    def change_counts(self, year_from: int, year_to: int, scope: str | None = None,
                      unit: str | None = None) -> dict[str, int]:
        """Projects new, gone, grown, shrunk, unchanged from one year to another (kg.changes), in
        `scope` (a region) and of `unit` (a unit code of that region) when given."""
        counts = {k: 0 for k in KINDS}
        inside: dict[str, bool] = {}
        for a, b, region, code, kind, n in self.changes:
            if a == year_from and b == year_to and (unit is None or code == unit) \
                    and inside.setdefault(region, self.is_within(region, scope)):
                counts[kind] += n
        return counts


def derive_totals(projects: Sequence[Project], units: Units, regions: Mapping[str, Mapping[str, Any]],
                  themes: Mapping[ProjectKey, Sequence[Theme]], links: Iterable[Any]) -> Totals:
    """Totals of a build from its context: projects, units, the region table (code → {name, level,
    parent}, as the lineage view keeps it), each project's themes and the cross-year links."""
    per_unit: dict[UnitKey, Years] = defaultdict(dict)
    per_theme: dict[tuple[str, str, int], Amount] = {}
    years: set[int] = set()
    for p in projects:
        if p.year is None:
            continue
        years.add(p.year)
        one = Amount(1, p.budget_wan if p.budget_wan is not None else Decimal(0))
        region = p.region_code or ""
        _add(per_unit[UnitKey(region, p.unit_code or "")], p.year, one)
        for t in [t.label for t in themes.get(project_key(p), ())] or [UNCLASSIFIED]:
            k = (region, t, p.year)
            per_theme[k] = per_theme.get(k, _ZERO) + one
    unit_rows = [UnitTotal(k.region, k.code, units.name(k.code, k.region) if k.code else None, dict(v))
                 for k, v in sorted(per_unit.items())]
    infos = [RegionInfo(c, r.get("name"), r.get("level") or "unknown", r.get("parent"))
             for c, r in sorted(regions.items())]
    known = {i.code for i in infos}
    infos += [RegionInfo(k.region, None, "unknown", None) for k in per_unit if k.region not in known]
    changes: dict[tuple[int, int, str, str, str], int] = defaultdict(int)
    links = list(links)
    for a, b in combinations(sorted(years), 2):
        for c in year_changes(projects, a, b, links):
            p = c.project
            changes[(a, b, p.region_code or "", p.unit_code or "", c.kind)] += 1
    return Totals(sorted(years), {i.code: i for i in infos}.values(), unit_rows,
                  [(r, t, y, a) for (r, t, y), a in sorted(per_theme.items())],
                  [(*k, n) for k, n in sorted(changes.items())])


def _amount(a: Amount) -> list[Any]:
    return [a.projects, format(a.budget_wan, "f")]


def write_totals(totals: Totals, build_dir: Path) -> dict[str, int]:
    """Store the totals (TOTALS_FILE), atomically; counts for the manifest."""
    data = {
        "schema": _SCHEMA, "years": totals.years,
        "regions": [[r.code, r.name, r.level, r.parent] for r in totals.regions.values()],
        "units": [[u.region, u.code, u.name, [[y, *_amount(a)] for y, a in sorted(u.years.items())]]
                  for u in totals.units],
        "themes": [[r, t, y, *_amount(a)] for r, t, y, a in totals.themes],
        "changes": [list(c) for c in totals.changes],
    }
    path = build_dir / TOTALS_FILE
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, path)
    return {"units": len(totals.units), "regions": len(totals.regions), "years": len(totals.years)}


def read_totals(build_dir: Path) -> Totals:
    """The totals a build wrote; TotalsError names the file when it is missing or unreadable."""
    path = build_dir / TOTALS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("schema") != _SCHEMA:
            raise ValueError(f"schema {data.get('schema')}")
        return Totals(
            [int(y) for y in data["years"]],
            [RegionInfo(c, n, lv, p) for c, n, lv, p in data["regions"]],
            [UnitTotal(r, c, n, {int(y): Amount(int(k), Decimal(a)) for y, k, a in ys})
             for r, c, n, ys in data["units"]],
            [(r, t, int(y), Amount(int(k), Decimal(a))) for r, t, y, k, a in data["themes"]],
            [(int(a), int(b), r, u, kind, int(n)) for a, b, r, u, kind, n in data["changes"]],
        )
    except (OSError, ValueError, KeyError, TypeError, InvalidOperation) as e:
        raise TotalsError(f"{path}: 汇总数据不可读（{type(e).__name__}）；请运行 `python -m kg build`") from e
