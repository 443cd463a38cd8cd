"""Parsed records against the generated ones: every project, amount, 文号 and indicator count."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from ingest import Project

__all__ = ["Mismatch", "CheckReport", "check_records"]


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


def check_records(expected: Iterable[dict], parsed: Iterable[Project]) -> CheckReport:
    """Compare generated records (expected.jsonl lines) with parsed projects, keyed by (year, code)."""
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
        for name, value in want.items():
            if got[name] != value:
                report.mismatches.append(Mismatch(e["file"], e["project_code"], name, value, got[name]))
    for (year, code), p in by_key.items():
        report.mismatches.append(Mismatch(p.span.file, code or "", "project", None, f"unexpected ({year})"))
    return report
