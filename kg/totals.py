"""Budget totals per region, unit, theme and year, written once by the build (`totals.json`).

The 单位 and 年度对比 pages read these instead of the records, so they open at the same speed for 100
projects or 100,000. Units are (region, code): two counties' units with one code stay two rows. A
region's total adds its own units and every region inside it (county → city → province). Beside it,
`unit_projects.jsonl` holds one line per unit (its projects as the pages list them, and the cross-year
links between them), found by offset: one unit's projects are read without reading the others.

    t = read_totals(build_dir)
    t.children(None)             # the top regions (provinces; unknown regions by their file)
    t.region_totals["130731"]    # {2021: Amount(projects=1, budget_wan=Decimal("560.00")), …}
    t.within("130700")           # every unit in 张家口市
"""

from __future__ import annotations

import json
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
from kg.atomic import write_text
from kg.changes import KINDS, year_changes
from kg.itemfile import read_items, write_items
from kg.rdf.iri import ProjectKey, UnitKey, project_key
from kg.themes import Theme
from kg.units import Units

__all__ = ["TOTALS_FILE", "UNIT_PROJECTS_FILE", "Amount", "RegionInfo", "UnitTotal", "ProjectLine",
           "LinkLine", "Totals", "TotalsError", "derive_totals",
           "write_totals", "read_totals", "region_label", "UNCLASSIFIED"]

TOTALS_FILE = "totals.json"
UNIT_PROJECTS_FILE = "unit_projects.jsonl"
_SCHEMA = 2
UNCLASSIFIED = "（未分类）"


class TotalsError(HrssError):
    """The build's totals.json is missing or cannot be read."""


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class UnitTotal:
    """One unit (region, code), its name and its totals per year."""

    region: str
    code: str
    name: str | None
    years: Mapping[int, Amount]
    span: tuple[int, int] | None = None  # (offset, length) of its line in UNIT_PROJECTS_FILE

    @property
    def key(self) -> UnitKey:
        return UnitKey(self.region, self.code)

    @property
    def label(self) -> str:
        return self.name or self.code or "（无单位）"


@dataclass(frozen=True, slots=True)
class ProjectLine:
    """A project as the unit pages list it, read without the records (kg.changes.ProjectLike)."""

    region_code: str
    unit_code: str
    unit_name: str | None
    year: int | None
    project_code: str | None
    project_name: str | None
    budget_wan: Decimal | None
    doc_numbers: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LinkLine:
    """A cross-year link between two projects of one unit (kg.lineage's CrossYearLink, as changes read it)."""

    region_code: str
    year_from: int
    code_from: str
    year_to: int
    code_to: str


UnitLines = tuple[list[ProjectLine], list[LinkLine]]


def _add(acc: dict[int, Amount], year: int, amount: Amount) -> None:
    acc[year] = acc.get(year, _ZERO) + amount


class Totals:
    """The build's totals: regions with their parents, units, themes and change counts per year pair."""

    def __init__(self, years: Sequence[int], regions: Iterable[RegionInfo], units: Iterable[UnitTotal],
                 themes: Iterable[tuple[str, str, int, Amount]] = (),
                 changes: Iterable[tuple[int, int, str, str, str, int]] = (),
                 lines: Mapping[UnitKey, UnitLines] | None = None, lines_file: Path | None = None) -> None:
        """`lines`: each unit's projects and links, in memory (a build deriving them); `lines_file`:
        where they are stored (a build read back, each unit with its `span`)."""
        self.years = sorted(years)
        self._lines = dict(lines or {})
        self.lines_file = lines_file
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

    def lines(self, units: Iterable[UnitTotal]) -> UnitLines:
        """The projects and cross-year links of these units (read from their lines only)."""
        projects: list[ProjectLine] = []
        links: list[LinkLine] = []
        units = list(units)
        stored = sorted((u for u in units if u.key not in self._lines and u.span),
                        key=lambda u: u.span or (0, 0))
        for u in units:
            if u.key in self._lines:
                projects += self._lines[u.key][0]
                links += self._lines[u.key][1]
        if stored and self.lines_file is not None:
            try:
                raws = read_items(self.lines_file, [u.span or (0, 0) for u in stored])
                for u, raw in zip(stored, raws, strict=True):
                    p, lk = _parse_line(u, raw)
                    projects += p
                    links += lk
            except (OSError, ValueError, KeyError, TypeError, InvalidOperation) as e:
                raise TotalsError(f"{self.lines_file}: 单位项目数据不可读（{type(e).__name__}）；"
                                  "请运行 `python -m kg build`") from e
        return projects, links

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
    lines: dict[UnitKey, UnitLines] = defaultdict(lambda: ([], []))
    years: set[int] = set()
    for p in projects:
        region = p.region_code or ""
        key = UnitKey(region, p.unit_code or "")
        labels = tuple(t.label for t in themes.get(project_key(p), ()))
        lines[key][0].append(ProjectLine(region, key.code, units.name(key.code, region) if key.code else None,
                                         p.year, p.project_code, p.project_name, p.budget_wan,
                                         tuple(p.doc_numbers), labels))
        unit_years = per_unit[key]  # a unit whose tables print no year is listed all the same
        if p.year is None:
            continue
        years.add(p.year)
        one = Amount(1, p.budget_wan if p.budget_wan is not None else Decimal(0))
        _add(unit_years, p.year, one)
        for t in labels or (UNCLASSIFIED,):
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
    of_project = {(p.region_code or "", p.year, p.project_code):
                  UnitKey(p.region_code or "", p.unit_code or "") for p in projects}
    for lk in links:  # a link joins two projects of one unit (kg.lineage: same_unit is required)
        if (owner := of_project.get((lk.region_code, lk.year_to, lk.code_to))) is not None:
            lines[owner][1].append(
                LinkLine(lk.region_code, lk.year_from, lk.code_from, lk.year_to, lk.code_to))
    for a, b in combinations(sorted(years), 2):
        for c in year_changes(projects, a, b, links):
            q = c.project
            changes[(a, b, q.region_code or "", q.unit_code or "", c.kind)] += 1
    return Totals(sorted(years), {i.code: i for i in infos}.values(), unit_rows,
                  [(r, t, y, a) for (r, t, y), a in sorted(per_theme.items())],
                  [(*k, n) for k, n in sorted(changes.items())], lines)


def _amount(a: Amount) -> list[Any]:
    return [a.projects, format(a.budget_wan, "f")]


def _line(projects: list[ProjectLine], links: list[LinkLine]) -> bytes:
    rows = [[p.year, p.project_code, p.project_name, p.unit_name,
             None if p.budget_wan is None else format(p.budget_wan, "f"), list(p.doc_numbers), list(p.themes)]
            for p in projects]
    pairs = [[lk.year_from, lk.code_from, lk.year_to, lk.code_to] for lk in links]
    text = json.dumps({"p": rows, "l": pairs}, ensure_ascii=False, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


def _parse_line(u: UnitTotal, raw: bytes) -> UnitLines:
    data = json.loads(raw)
    projects = [ProjectLine(u.region, u.code, name, year, code, pname, None if b is None else Decimal(b),
                            tuple(docs), tuple(themes))
                for year, code, pname, name, b, docs, themes in data["p"]]
    return projects, [LinkLine(u.region, int(a), ca, int(b), cb) for a, ca, b, cb in data["l"]]


def write_totals(totals: Totals, build_dir: Path) -> dict[str, int]:
    """Store the totals (TOTALS_FILE) and each unit's projects (UNIT_PROJECTS_FILE), atomically;
    counts for the manifest."""
    spans = write_items(build_dir / UNIT_PROJECTS_FILE,
                        ((u.key, _line(*totals.lines([u]))) for u in totals.units))
    data = {
        "schema": _SCHEMA, "years": totals.years,
        "regions": [[r.code, r.name, r.level, r.parent] for r in totals.regions.values()],
        "units": [[u.region, u.code, u.name, [[y, *_amount(a)] for y, a in sorted(u.years.items())],
                   *spans[u.key]] for u in totals.units],
        "themes": [[r, t, y, *_amount(a)] for r, t, y, a in totals.themes],
        "changes": [list(c) for c in totals.changes],
    }
    path = build_dir / TOTALS_FILE
    write_text(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")))
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
            [UnitTotal(r, c, n, {int(y): Amount(int(k), Decimal(a)) for y, k, a in ys}, (int(at), int(size)))
             for r, c, n, ys, at, size in data["units"]],
            [(r, t, int(y), Amount(int(k), Decimal(a))) for r, t, y, k, a in data["themes"]],
            [(int(a), int(b), r, u, kind, int(n)) for a, b, r, u, kind, n in data["changes"]],
            lines_file=build_dir / UNIT_PROJECTS_FILE,
        )
    except (OSError, ValueError, KeyError, TypeError, InvalidOperation) as e:
        raise TotalsError(f"{path}: 汇总数据不可读（{type(e).__name__}）；请运行 `python -m kg build`") from e
