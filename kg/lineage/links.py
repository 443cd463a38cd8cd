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

from ingest.records import Project, pickled_by_fields
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


@pickled_by_fields
@dataclass(frozen=True, slots=True)
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


@pickled_by_fields
@dataclass(frozen=True, slots=True)
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
    region_code: str = ""  # a link never crosses regions: both projects are here

    def to_json(self) -> dict[str, Any]:
        return {
            "region_code": self.region_code,
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


def _matching_base(p: Project) -> str:
    core = name_core(_name(p))
    for word in ("县级配套", "市级配套", "县本级配套", "县配套", "市配套", "配套"):
        core = core.replace(word, "")
    return core


@dataclass(frozen=True)
class _Features:
    """What the scoring compares, computed once per project (names are cut with regexes)."""

    project: Project
    fund: FundClass
    name: str  # strip_name: 文号, codes, years, 绩效目标表 removed
    core: str  # name_core: generic words removed too
    stream: str  # stream_key, or "" when the project is not funded from a higher level by its title
    matching_base: str  # the 配套 stream, or "" when the project is not a 配套
    indicators: frozenset[str]

    @classmethod
    def of(cls, p: Project, fund: FundClass) -> _Features:
        upper = fund.level in ("中央", "省", "市") and fund.rule.startswith("text:")
        return cls(
            p, fund, strip_name(_name(p)), name_core(_name(p)),
            stream_key(_name(p)) if upper else "",
            _matching_base(p) if is_matching_fund(fund) else "",
            frozenset(i.level3 for i in p.indicators if i.level3),
        )


def score_pair(before: Project, after: Project, fund_before: FundClass,
               fund_after: FundClass) -> tuple[Decimal, tuple[Evidence, ...]] | None:
    """Score `after` as the continuation of `before`; None when they must not be linked."""
    return _score(_Features.of(before, fund_before), _Features.of(after, fund_after))


def _score(fb: _Features, fa: _Features) -> tuple[Decimal, tuple[Evidence, ...]] | None:
    before, after = fb.project, fa.project
    if not before.unit_code or before.unit_code != after.unit_code \
            or (before.region_code or "") != (after.region_code or ""):
        return None  # one unit is one code in one region
    if fb.fund.level != fa.fund.level:
        return None  # 省级就业补助资金 is not the continuation of 中央就业补助资金
    strong: list[Evidence] = []
    if fb.stream and fa.stream and fb.stream == fa.stream:
        strong.append(Evidence("same_stream", fa.stream, _W_STRONG["same_stream"]))
    if fb.name and fb.name == fa.name:
        strong.append(Evidence("same_name", fa.name, _W_STRONG["same_name"]))
    elif len(fb.core) >= _MIN_CORE and len(fa.core) >= _MIN_CORE:
        matcher = SequenceMatcher(None, fb.core, fa.core, autojunk=False)
        # the quick upper bounds rule most pairs out before the full comparison
        if matcher.real_quick_ratio() >= NEAR_NAME_RATIO and matcher.quick_ratio() >= NEAR_NAME_RATIO:
            ratio = matcher.ratio()
            if ratio >= NEAR_NAME_RATIO:
                weight = (_W_STRONG["near_name"] * Decimal(str(ratio))).quantize(_CENT)
                strong.append(Evidence("near_name", f"{fb.core} ≈ {fa.core} ({ratio:.2f})", weight))
    if len(fb.matching_base) >= _MIN_CORE and fb.matching_base == fa.matching_base:
        strong.append(Evidence("same_matching_stream", f"{fa.matching_base}{fa.fund.source}",
                               _W_STRONG["same_matching_stream"]))
    if not strong:
        return None
    evidence = [Evidence("same_unit", before.unit_code, _W_UNIT), *strong]
    evidence.append(Evidence("same_fund_level", f"{fa.fund.level}/{fa.fund.source}", _W_LEVEL))
    if before.budget_wan and after.budget_wan and before.budget_wan > 0 and after.budget_wan > 0:
        lo, hi = sorted((before.budget_wan, after.budget_wan))
        closeness = lo / hi
        if closeness >= Decimal("0.5"):
            evidence.append(Evidence("close_amount", f"{before.budget_wan} → {after.budget_wan}",
                                     (_W_AMOUNT * closeness).quantize(_CENT)))
    if fb.indicators and fa.indicators:
        shared = fb.indicators & fa.indicators
        jaccard = Decimal(len(shared)) / Decimal(len(fb.indicators | fa.indicators))
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
    by_year_unit: dict[tuple[int, str, str], list[_Features]] = defaultdict(list)
    for p in projects:
        if p.year is not None and p.unit_code and p.project_code:
            by_year_unit[(p.year, p.region_code or "", p.unit_code)].append(_Features.of(p, fund_of(p)))
    candidates: list[tuple[Decimal, Project, Project, tuple[Evidence, ...]]] = []
    # Only projects of one unit in consecutive years are compared: a unit has tens of projects a year.
    for (year, region, unit), after_list in by_year_unit.items():
        for fb in by_year_unit.get((year - 1, region, unit), []):
            for fa in after_list:
                scored = _score(fb, fa)
                if scored is not None and scored[0] >= MIN_SCORE:
                    candidates.append((scored[0], fb.project, fa.project, scored[1]))
    # Best pairs first; ties by amount closeness then codes, so the result never depends on input order.
    candidates.sort(key=lambda c: (-c[0], -_closeness(c[1], c[2]), c[2].region_code or "", c[2].year,
                                   c[2].project_code, c[1].project_code))
    taken_before: set[tuple[str, int, str]] = set()
    taken_after: set[tuple[str, int, str]] = set()
    links: list[CrossYearLink] = []
    for score, before, after, evidence in candidates:
        kb = (before.region_code or "", before.year, before.project_code)
        ka = (after.region_code or "", after.year, after.project_code)
        if kb in taken_before or ka in taken_after:
            continue
        taken_before.add(kb)  # type: ignore[arg-type]
        taken_after.add(ka)  # type: ignore[arg-type]
        links.append(CrossYearLink(before.year, before.project_code, after.year,  # type: ignore[arg-type]
                                   after.project_code, after.unit_code,  # type: ignore[arg-type]
                                   score, confidence_of(score), evidence,
                                   _name(before) or None, _name(after) or None, after.region_code or ""))
    links.sort(key=lambda link: (link.region_code, link.year_to, link.unit_code, link.code_to))
    return links


def _closeness(a: Project, b: Project) -> Decimal:
    if not a.budget_wan or not b.budget_wan:
        return Decimal(0)
    lo, hi = sorted((a.budget_wan, b.budget_wan))
    return lo / hi if hi > 0 else Decimal(0)
