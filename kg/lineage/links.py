"""Cross-year identity: which project of year N continues which project of year N-1.

A link needs the same budget unit and at least one strong piece of evidence:

- ``same_stream``: both are funded from a higher level (中央/省/市) and their titles name the same fund
  stream once 文号, years, issuing bodies and notice boilerplate are stripped (the 2021 and 2022
  城乡居民基本养老保险中央财政补助资金 notices);
- ``same_name``: the same project name once 文号, bracketed codes, years and 绩效目标表 are stripped;
- ``near_name``: names whose distinctive words (generic words such as 经费 and 专项 removed) are
  the same or nearly so, e.g. 就业补助县级配套资金 / 就业补助县级配套;
- ``same_matching_stream``: both are 县级配套 (市级配套) of the same stream.

Supporting evidence (never enough alone) raises the score: the same fund level, close amounts,
shared indicator names. Different fund levels (省 vs 中央) rule a pair out. Each project gets at most
one predecessor and one successor: pairs are taken best score first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from difflib import SequenceMatcher
from typing import Any

from ingest.records import Project
from kg.lineage.rules import FundClass, is_matching_fund, name_core, strip_name, stream_key

__all__ = ["Evidence", "CrossYearLink", "find_links", "score_pair", "MIN_SCORE", "NEAR_NAME_RATIO"]

MIN_SCORE = Decimal("0.60")
NEAR_NAME_RATIO = 0.8
_MIN_CORE = 2  # a distinctive core shorter than this says nothing (专项经费 → "")
_W_UNIT = Decimal("0.20")
_W_STRONG = {"same_stream": Decimal("0.50"), "same_name": Decimal("0.50"),
             "same_matching_stream": Decimal("0.45"), "near_name": Decimal("0.35")}
_W_SECOND_STRONG = Decimal("0.10")
_W_LEVEL = Decimal("0.05")
_W_AMOUNT = Decimal("0.15")
_W_INDICATORS = Decimal("0.10")
_HIGH, _MEDIUM = Decimal("0.85"), Decimal("0.70")
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Evidence:
    """One field that matched: its kind, what matched and how much it adds to the score."""

    kind: str  # same_unit | same_stream | same_name | near_name | same_matching_stream | …
    value: str
    weight: Decimal

    @property
    def strong(self) -> bool:
        return self.kind in _W_STRONG

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "weight": self.weight, "strong": self.strong}


@dataclass(frozen=True)
class CrossYearLink:
    """Project (year_to, code_to) continues (year_from, code_from)."""

    year_from: int
    code_from: str
    year_to: int
    code_to: str
    unit_code: str
    score: Decimal
    confidence: str  # high | medium | low
    evidence: tuple[Evidence, ...]
    name_from: str | None = None
    name_to: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "from": {"year": self.year_from, "project_code": self.code_from, "name": self.name_from},
            "to": {"year": self.year_to, "project_code": self.code_to, "name": self.name_to},
            "unit_code": self.unit_code,
            "score": self.score,
            "confidence": self.confidence,
            "evidence": [e.to_json() for e in self.evidence],
        }


def confidence_of(score: Decimal) -> str:
    return "high" if score >= _HIGH else "medium" if score >= _MEDIUM else "low"


def _name(p: Project) -> str:
    return p.project_name or p.title or ""


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _matching_base(p: Project) -> str:
    core = name_core(_name(p))
    for word in ("县级配套", "市级配套", "县本级配套", "县配套", "市配套", "配套"):
        core = core.replace(word, "")
    return core


def score_pair(before: Project, after: Project, fund_before: FundClass,
               fund_after: FundClass) -> tuple[Decimal, tuple[Evidence, ...]] | None:
    """Score `after` as the continuation of `before`; None when they must not be linked."""
    if not before.unit_code or before.unit_code != after.unit_code:
        return None
    if fund_before.level != fund_after.level:
        return None  # 省级就业补助资金 is not the continuation of 中央就业补助资金
    strong: list[Evidence] = []
    n_before, n_after = strip_name(_name(before)), strip_name(_name(after))
    upper = fund_before.level in ("中央", "省", "市") and fund_before.rule.startswith("text:")
    if upper and fund_after.rule.startswith("text:"):
        s_before, s_after = stream_key(_name(before)), stream_key(_name(after))
        if s_before and s_before == s_after:
            strong.append(Evidence("same_stream", s_after, _W_STRONG["same_stream"]))
    if n_before and n_before == n_after:
        strong.append(Evidence("same_name", n_after, _W_STRONG["same_name"]))
    else:
        c_before, c_after = name_core(_name(before)), name_core(_name(after))
        if len(c_before) >= _MIN_CORE and len(c_after) >= _MIN_CORE:
            ratio = _ratio(c_before, c_after)
            if ratio >= NEAR_NAME_RATIO:
                weight = (_W_STRONG["near_name"] * Decimal(str(ratio))).quantize(_CENT)
                strong.append(Evidence("near_name", f"{c_before} ≈ {c_after} ({ratio:.2f})", weight))
    if is_matching_fund(fund_before) and is_matching_fund(fund_after):
        base_before, base_after = _matching_base(before), _matching_base(after)
        if len(base_before) >= _MIN_CORE and base_before == base_after:
            strong.append(Evidence("same_matching_stream", f"{base_after}{fund_after.source}",
                                   _W_STRONG["same_matching_stream"]))
    if not strong:
        return None
    evidence = [Evidence("same_unit", before.unit_code, _W_UNIT), *strong]
    evidence.append(Evidence("same_fund_level", f"{fund_after.level}/{fund_after.source}", _W_LEVEL))
    if before.budget_wan and after.budget_wan and before.budget_wan > 0 and after.budget_wan > 0:
        lo, hi = sorted((before.budget_wan, after.budget_wan))
        closeness = lo / hi
        if closeness >= Decimal("0.5"):
            evidence.append(Evidence("close_amount", f"{before.budget_wan} → {after.budget_wan}",
                                     (_W_AMOUNT * closeness).quantize(_CENT)))
    ind_before = {i.level3 for i in before.indicators if i.level3}
    ind_after = {i.level3 for i in after.indicators if i.level3}
    if ind_before and ind_after:
        shared = ind_before & ind_after
        jaccard = Decimal(len(shared)) / Decimal(len(ind_before | ind_after))
        if jaccard >= Decimal("0.3"):
            evidence.append(Evidence("shared_indicators", "、".join(sorted(shared)),
                                     (_W_INDICATORS * jaccard).quantize(_CENT)))
    best = max(e.weight for e in strong)
    score = _W_UNIT + best + _W_SECOND_STRONG * (len(strong) - 1)
    score += sum((e.weight for e in evidence if e.kind in
                  ("same_fund_level", "close_amount", "shared_indicators")), Decimal(0))
    return min(score, Decimal("1.00")).quantize(_CENT), tuple(evidence)


def find_links(projects: Iterable[Project],
               fund_of: Callable[[Project], FundClass]) -> list[CrossYearLink]:
    """Every cross-year link among the projects, best first per year; one predecessor per project."""
    by_year_unit: dict[tuple[int, str], list[Project]] = defaultdict(list)
    for p in projects:
        if p.year is not None and p.unit_code and p.project_code:
            by_year_unit[(p.year, p.unit_code)].append(p)
    candidates: list[tuple[Decimal, Project, Project, tuple[Evidence, ...]]] = []
    for (year, unit), after_list in by_year_unit.items():
        for before in by_year_unit.get((year - 1, unit), []):
            for after in after_list:
                scored = score_pair(before, after, fund_of(before), fund_of(after))
                if scored is not None and scored[0] >= MIN_SCORE:
                    candidates.append((scored[0], before, after, scored[1]))
    # Best pairs first; ties by amount closeness then codes, so the result never depends on input order.
    candidates.sort(key=lambda c: (-c[0], -_closeness(c[1], c[2]), c[2].year, c[2].project_code,
                                   c[1].project_code))
    taken_before: set[tuple[int, str]] = set()
    taken_after: set[tuple[int, str]] = set()
    links: list[CrossYearLink] = []
    for score, before, after, evidence in candidates:
        kb, ka = (before.year, before.project_code), (after.year, after.project_code)
        if kb in taken_before or ka in taken_after:
            continue
        taken_before.add(kb)  # type: ignore[arg-type]
        taken_after.add(ka)  # type: ignore[arg-type]
        links.append(CrossYearLink(before.year, before.project_code, after.year,  # type: ignore[arg-type]
                                   after.project_code, after.unit_code,  # type: ignore[arg-type]
                                   score, confidence_of(score), evidence,
                                   _name(before) or None, _name(after) or None))
    links.sort(key=lambda link: (link.year_to, link.unit_code, link.code_to))
    return links


def _closeness(a: Project, b: Project) -> Decimal:
    if not a.budget_wan or not b.budget_wan:
        return Decimal(0)
    lo, hi = sorted((a.budget_wan, b.budget_wan))
    return lo / hi if hi > 0 else Decimal(0)
