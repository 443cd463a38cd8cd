"""Parsed records against the generated ones: every project, amount, 文号, indicator count and region,
and that no two counties' units merge (a unit is (region_code, unit_code); the generator reuses unit
codes across counties)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ingest import Project

__all__ = ["Mismatch", "CheckReport", "UnitReport", "GRAPH_UNITS_SPARQL", "check_graph_units", "check_records",
           "check_units", "expected_units", "record_units"]


@dataclass(frozen=True)
class Mismatch:
    """One field of one project that the parser read differently from what was generated."""

    file: str
    project_code: str
    field: str
    expected: object
    parsed: object

    def __str__(self) -> str:
        return f"{self.file} {self.project_code}: {self.field} expected {self.expected!r}, parsed {self.parsed!r}"


@dataclass
class CheckReport:
    """The outcome of a check: counts on both sides and every mismatch."""

    expected: int
    parsed: int
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches and self.expected == self.parsed


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def check_records(expected: Iterable[dict], parsed: Iterable[Project], regions: bool = True) -> CheckReport:
    """Compare generated records (expected.jsonl lines) with parsed projects, keyed by (year, code).

    With `regions`, each project's `region_code` must be the county it was generated for.
    """
    by_key = {(p.year, p.project_code): p for p in parsed}
    exp = list(expected)
    report = CheckReport(len(exp), len(by_key))
    for e in exp:
        p = by_key.pop((e["year"], e["project_code"]), None)
        if p is None:
            report.mismatches.append(Mismatch(e["file"], e["project_code"], "project", "present", None))
            continue
        got = {
            "unit_code": p.unit_code,
            "budget_wan": p.budget_wan,
            "fiscal_wan": p.fiscal_wan,
            "other_wan": p.other_wan,
            "doc_refs": list(p.doc_numbers),
            "indicators": len(p.indicators),
        }
        want = {
            "unit_code": e["unit_code"],
            "budget_wan": _dec(e["budget_wan"]),
            "fiscal_wan": _dec(e["fiscal_wan"]),
            "other_wan": _dec(e["other_wan"]),
            "doc_refs": e["doc_refs"],
            "indicators": e["indicators"],
        }
        if regions and e.get("region_code"):
            got["region_code"], want["region_code"] = p.region_code, e["region_code"]
        for name, value in want.items():
            if got[name] != value:
                report.mismatches.append(Mismatch(e["file"], e["project_code"], name, value, got[name]))
    for (year, code), p in by_key.items():
        report.mismatches.append(Mismatch(p.span.file, code or "", "project", None, f"unexpected ({year})"))
    return report


@dataclass
class UnitReport:
    """Units as generated against units as keyed by the code under test."""

    expected: int  # distinct (region_code, unit_code)
    bare_codes: int  # distinct unit codes alone: fewer than `expected` when codes collide
    found: int
    merged: list[str] = field(default_factory=list)  # units holding projects of several counties
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.merged or self.missing or self.extra) and self.expected == self.found


def expected_units(expected: Iterable[dict]) -> set[tuple[str, str]]:
    """Every generated unit as (region_code, unit_code)."""
    return {(e["region_code"], e["unit_code"]) for e in expected}


def check_units(expected: Iterable[dict], units: Mapping[Any, Iterable[tuple[Any, ...]]]) -> UnitReport:
    """No two counties' units merge: `units` maps each unit key the code under test made (the records'
    `(region_code, unit_code)`, or a graph's unit IRIs) to the (year, project_code) of its projects;
    every key must hold the projects of exactly one generated unit, and every generated unit one key."""
    exp = list(expected)
    unit_of = {(e["year"], e["project_code"]): (e["region_code"], e["unit_code"]) for e in exp}
    want = expected_units(exp)
    report = UnitReport(len(want), len({u for _, u in want}), len(units))
    seen: set[tuple[str, str]] = set()
    for key, projects in units.items():
        owners = {unit_of[k] for k in projects if k in unit_of}
        if len(owners) > 1:
            report.merged.append(f"{key}: " + ", ".join(f"{r} {u}" for r, u in sorted(owners)))
        elif not owners:
            report.extra.append(str(key))
        seen |= owners
    report.missing = [f"{r} {u}" for r, u in sorted(want - seen)]
    return report


def record_units(parsed: Iterable[Project]) -> dict[tuple[str | None, str | None], list[tuple]]:
    """The records' own unit keys: (region_code, unit_code) → its projects' (year, project_code)."""
    out: dict[tuple[str | None, str | None], list[tuple]] = {}
    for p in parsed:
        out.setdefault((p.region_code, p.unit_code), []).append((p.year, p.project_code))
    return out


# Per unit node of the graph, how many counties its projects come from (the generator's project codes
# start with their county's code): more than one is two counties' units merged into one node.
GRAPH_UNITS_SPARQL = """\
PREFIX hk: <https://w3id.org/hrss-kg/>
SELECT ?unit (COUNT(DISTINCT SUBSTR(STR(?code), 1, 6)) AS ?regions)
WHERE { ?p a hk:Project ; hk:projectCode ?code ; hk:unit ?unit }
GROUP BY ?unit
"""


def check_graph_units(expected: Iterable[dict], rows: Iterable[Mapping[str, object]]) -> UnitReport:
    """No two counties' units merge in the graph: `rows` are GRAPH_UNITS_SPARQL's answer."""
    want = expected_units(expected)
    rows = list(rows)
    report = UnitReport(len(want), len({u for _, u in want}), len(rows))
    report.merged = [f"{r['unit']}: {r['regions']} counties" for r in rows if int(str(r["regions"])) > 1]
    return report
