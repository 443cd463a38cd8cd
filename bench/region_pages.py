"""How long the 单位, 年度对比 and 项目 pages take to get their model from a build: the build's totals read
(kg.totals) and every table and chart the pages open on, built (views.model.totals); the project index
read (kg.projectpages) and one project's item with its tables (views.model.rows).

    python -m bench.region_pages --build indexes            # an indexes folder (its current build)
    python -m bench.region_pages --build indexes/builds/ID  # or one build directory

`measure(build_dir)` returns the figures (seconds, and what was built); bench/run.py's serve phase
calls it. Each page's figure is a fresh read of totals.json plus that page's first screen: the unit
list of every region, or the top regions' bars, table, themes and change counts; then the largest
county is drilled into, the largest unit opened (its line of unit_projects.jsonl: projects, themes,
changes) and, for scale, every unit's changed projects listed (the years page's list for the whole
build). The 项目 page's figure is a fresh read of projects.json, then the largest unit's latest project
found by (region, year, 项目编码), its item read and its indicator, finding, history and plan tables
built; `project_item_s` is the item and tables alone (the index is kept per build by the UI). The
数据质量 page's figure is finding_counts.json read and summarised, and the first page of the most
frequent rule's findings streamed from findings.json. The budget is 2 s per page at 100,000 projects.
"""

from __future__ import annotations

import argparse
import json
import time
from itertools import islice
from pathlib import Path
from typing import Any

from kg.audit.engine import FINDING_COUNTS_FILE, iter_findings, matching, read_finding_counts, summarize
from kg.changes import year_changes
from kg.projectpages import PROJECT_INDEX_FILE, read_project_pages
from kg.totals import TOTALS_FILE, Totals, UnitTotal, read_totals
from views.model.changes import change_rows
from views.model.rows import finding_rows, history_rows, indicator_rows, project_rows, spending_plan_rows
from views.model.totals import drill_items, item_rows, project_theme_rows, theme_rows, top_rows, unit_rows

__all__ = ["LIMIT_S", "measure", "build_dir_of", "main"]

LIMIT_S = 2.0


def build_dir_of(path: Path) -> Path:
    """A build directory: `path` itself, or the current build of an indexes folder."""
    if (path / TOTALS_FILE).is_file():
        return path
    current = path / "current"
    if (current / TOTALS_FILE).is_file():
        return current.resolve()
    raise SystemExit(f"{path}: no {TOTALS_FILE} (not a build made with the totals step; "
                     "run `python -m kg build`)")


def _unit_page(t: Totals) -> int:
    return len(unit_rows(t, None))


def _years_page(t: Totals, scope: str | None) -> int:
    items = drill_items(t, scope)
    rows = top_rows(items, t.years) + item_rows(t, items, scope) + theme_rows(t, scope)
    if len(t.years) >= 2:
        t.change_counts(t.years[-2], t.years[-1], scope)
    return len(rows)


def _largest_county(t: Totals) -> str | None:
    counties = [c for c, r in t.regions.items() if r.level == "county" and c in t.region_totals]
    return max(counties, key=lambda c: sum(a.budget_wan for a in t.region_totals[c].values()), default=None)


def _project_page(build_dir: Path, unit: UnitTotal, t: Totals) -> dict[str, Any]:
    """Seconds to open the 项目 page of the unit's latest project: index read, item read, tables."""
    r: dict[str, Any] = {"project_index_kb": round((build_dir / PROJECT_INDEX_FILE).stat().st_size / 1024, 1)}
    line = max((x for x in t.lines([unit])[0] if x.project_code), key=lambda x: (x.year or 0, x.project_code))
    t0 = time.perf_counter()
    pages = read_project_pages(build_dir)
    r["project_index_read_s"] = round(time.perf_counter() - t0, 4)
    t1 = time.perf_counter()
    entry = pages.find(line.project_code or "", line.year, line.region_code)
    if entry is None:
        raise SystemExit(f"{build_dir}: project {line.project_code} of the totals is not in {PROJECT_INDEX_FILE}")
    page = pages.read(entry)
    rows = indicator_rows(page.project) + finding_rows(page.findings) + spending_plan_rows(page.project)
    rows += history_rows(page.history or ())
    r["project_item_s"] = round(time.perf_counter() - t1, 4)
    r["project_page_s"] = round(time.perf_counter() - t0, 4)
    r.update(project_page_rows=len(rows), project_pages=len(pages), project_code=entry.code)
    return r


def _quality_page(build_dir: Path) -> dict[str, Any]:
    """Seconds to open 数据质量: the counts read and summarised, then the first 1,000 findings of
    every rule and of the most frequent one, streamed."""
    t0 = time.perf_counter()
    counts = read_finding_counts(build_dir)
    summary = summarize(counts)
    first = list(islice(iter_findings(build_dir), 1000))
    r: dict[str, Any] = {"quality_page_s": round(time.perf_counter() - t0, 4),
                         "findings": sum(c.count for c in counts)}
    if summary:
        top = max(summary, key=lambda row: row[3])[0]
        t0 = time.perf_counter()
        first = list(islice(matching(iter_findings(build_dir), rule=top), 1000))
        r["quality_rule_page_s"] = round(time.perf_counter() - t0, 4)
    r["quality_page_rows"] = len(first)
    return r


def measure(build_dir: Path) -> dict[str, Any]:
    """Seconds to read the totals and build each page's first model, from a build directory."""
    r: dict[str, Any] = {"totals_kb": round((build_dir / TOTALS_FILE).stat().st_size / 1024, 1)}
    t0 = time.perf_counter()
    t = read_totals(build_dir)
    r["totals_read_s"] = round(time.perf_counter() - t0, 4)
    r["unit_page_rows"] = _unit_page(t)
    r["unit_page_s"] = round(time.perf_counter() - t0, 4)
    t0 = time.perf_counter()
    t = read_totals(build_dir)
    r["years_page_rows"] = _years_page(t, None)
    r["years_page_s"] = round(time.perf_counter() - t0, 4)
    county = _largest_county(t)
    if county is not None:
        t0 = time.perf_counter()
        _years_page(t, county)
        r["years_drill_county_s"] = round(time.perf_counter() - t0, 4)
    if t.units:
        largest = max(t.units, key=lambda u: sum(a.projects for a in u.years.values()))
        t0 = time.perf_counter()
        projects, links = t.lines([largest])
        rows = project_rows(projects) + project_theme_rows(projects)
        if len(t.years) >= 2:
            rows += change_rows(year_changes(projects, t.years[-2], t.years[-1], links))
        r["unit_detail_s"] = round(time.perf_counter() - t0, 4)
        r["unit_detail_projects"] = len(projects)
        if (build_dir / PROJECT_INDEX_FILE).is_file():
            r.update(_project_page(build_dir, largest, t))
        if len(t.years) >= 2:
            t0 = time.perf_counter()
            projects, links = t.lines(t.units)
            changed = year_changes(projects, t.years[-2], t.years[-1], links)
            r["changes_list_all_rows"] = len(change_rows(changed))
            r["changes_list_all_s"] = round(time.perf_counter() - t0, 4)
    if (build_dir / FINDING_COUNTS_FILE).is_file():
        r.update(_quality_page(build_dir))
    r.update(units=len(t.units), regions=len(t.regions), years=t.years,
             projects=sum(a.projects for u in t.units for a in u.years.values()))
    r["region_pages_ok"] = max(r["unit_page_s"], r["years_page_s"], r.get("unit_detail_s", 0),
                               r.get("project_page_s", 0), r.get("quality_page_s", 0)) <= LIMIT_S
    return r


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.region_pages", description=__doc__.split("\n")[0])
    ap.add_argument("--build", type=Path, required=True, help="a build directory, or an indexes folder")
    a = ap.parse_args(argv)
    r = measure(build_dir_of(a.build))
    print(json.dumps(r, ensure_ascii=False, indent=1))
    return 0 if r["region_pages_ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
