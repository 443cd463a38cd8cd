"""Fund rules as data (ontology/fund_rules.csv): a fund's level and source, names normalised for matching.

A fund's level (中央/省/市/县) and source (中央财政补助资金, 省级补助资金, 县级配套, 本级财政 …) come from the
wording of titles and names first ("中央财政补助" → 中央, "县级配套" → 县), then from the level of the
issuing body (ontology/issuers.csv), then the default row. The same file lists the notice boilerplate
stripped to find a fund stream and the words too generic to identify a project on their own.

    >>> classify_fund(["冀财社[2020]143号关于提前下达2021年城乡居民基本养老保险中央财政补助资金预算"]).source
    '中央财政补助资金'
    >>> stream_key("冀财社﹝2021﹞176号 河北省财政厅关于提前下达2022年省级城乡居民养老保险补助资金预算指标的通知")
    '省级城乡居民养老保险补助资金'
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ingest.docnumber import find_doc_numbers, known_issuers
from ingest.errors import SourceError
from ingest.memo import remembered
from ingest.records import pickled_by_fields

__all__ = [
    "FUND_RULES_CSV",
    "LEVELS",
    "FundClass",
    "FundRule",
    "fund_rules",
    "classify_fund",
    "level_of_organisation",
    "strip_name",
    "stream_key",
    "name_core",
    "is_matching_fund",
]

FUND_RULES_CSV = Path(__file__).resolve().parent.parent.parent / "ontology" / "fund_rules.csv"
LEVELS = ("中央", "省", "市", "县")
_KINDS = ("text", "issuer", "default", "noise", "generic")


@dataclass(frozen=True)
class FundRule:
    """One row of ontology/fund_rules.csv."""

    kind: str  # text | issuer | default | noise | generic
    pattern: str
    fund_level: str | None
    fund_source: str | None
    line: int


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class FundClass:
    """A fund's level (中央/省/市/县) and source (中央财政补助资金 …), with the rule that decided it."""

    level: str
    source: str
    rule: str  # "text:<pattern>", "issuer:<level>", "document:<文号>" or "default"

    def to_json(self) -> dict[str, str]:
        return {"fund_level": self.level, "fund_source": self.source, "rule": self.rule}


@dataclass(frozen=True)
class _Rules:
    text: tuple[tuple[re.Pattern[str], FundRule], ...]
    issuer: dict[str, FundRule]
    default: FundRule
    noise: tuple[str, ...]
    generic: tuple[str, ...]


@cache
def _load(path: Path = FUND_RULES_CSV) -> _Rules:
    text: list[tuple[re.Pattern[str], FundRule]] = []
    issuer: dict[str, FundRule] = {}
    default: FundRule | None = None
    noise: list[str] = []
    generic: list[str] = []
    with path.open(encoding="utf-8", newline="") as f:
        for n, row in enumerate(csv.DictReader(f), start=2):
            kind = (row.get("kind") or "").strip()
            rule = FundRule(kind, (row.get("pattern") or "").strip(),
                            (row.get("fund_level") or "").strip() or None,
                            (row.get("fund_source") or "").strip() or None, n)
            if kind not in _KINDS:
                raise SourceError(f"unknown rule kind {kind!r} (expected one of {_KINDS})", path, n)
            if kind in ("text", "issuer", "default"):
                if rule.fund_level not in LEVELS or not rule.fund_source:
                    raise SourceError(f"fund_level must be one of {LEVELS} and fund_source given", path, n)
            if kind == "text":
                try:
                    text.append((re.compile(rule.pattern), rule))
                except re.error as e:
                    raise SourceError(f"bad pattern {rule.pattern!r}: {e}", path, n) from e
            elif kind == "issuer":
                issuer[rule.pattern] = rule
            elif kind == "default":
                default = rule
            elif not rule.pattern:
                raise SourceError(f"{kind} row without a word", path, n)
            elif kind == "noise":
                noise.append(rule.pattern)
            else:
                generic.append(rule.pattern)
    if default is None:
        raise SourceError("no default rule", path)
    by_length = lambda words: tuple(sorted(words, key=len, reverse=True))  # noqa: E731
    return _Rules(tuple(text), issuer, default, by_length(noise), by_length(generic))


def fund_rules() -> list[FundRule]:
    """Every level rule of ontology/fund_rules.csv, in the order they are tried."""
    r = _load()
    return [rule for _, rule in r.text] + list(r.issuer.values()) + [r.default]


@remembered(maxsize=1 << 16)  # a project's title and name are read by several rules, and recur yearly
def _without_doc_numbers(text: str) -> str:
    out, at = [], 0
    for m in find_doc_numbers(text):
        out.append(text[at : m.start])
        at = m.end
    out.append(text[at:])
    return " ".join(out)


@cache
def _text_class(level: str, source: str, pattern: str) -> FundClass:
    """One FundClass per text rule, shared by the projects it classifies."""
    return FundClass(level, source, f"text:{pattern}")


def classify_fund(
    texts: Iterable[str | None],
    issuer_levels: Iterable[str | None] = (),
    fallback: FundClass | None = None,
) -> FundClass:
    """The fund class of a project or document: texts in order, then issuer levels, then the default.

    `texts` are tried one after another (title and name before purpose), each against every text
    rule; the 文号 in them are removed first so an issuer prefix is never read as wording. `fallback`
    (e.g. the cited document's class) is used before the default row.
    """
    r = _load()
    for text in texts:
        if not text:
            continue
        plain = _without_doc_numbers(text)
        for pattern, rule in r.text:
            if pattern.search(plain):
                return _text_class(rule.fund_level or "", rule.fund_source or "", rule.pattern)
    for level in issuer_levels:
        by_issuer = r.issuer.get(level or "")
        if by_issuer is not None:
            return FundClass(by_issuer.fund_level or "", by_issuer.fund_source or "", f"issuer:{level}")
    if fallback is not None:
        return fallback
    d = r.default
    return FundClass(d.fund_level or "", d.fund_source or "", "default")


def level_of_organisation(name: str | None) -> str | None:
    """The level of an issuing organisation named in full (财政部 → 中央), from ontology/issuers.csv."""
    if not name:
        return None
    for info in known_issuers().values():
        if info.organisation == name.strip():
            return info.level
    return None


_BRACKET_CODE = re.compile(r"[\[【〔(（]\s*[0-9A-Za-z]{8,}\s*[\]】〕)）]")
_YEAR = re.compile(r"(?:19|20)\d{2}\s*(?:年度|年)?")
_TABLE_SUFFIX = re.compile(r"(?:项目支出)?绩效目标表?$")
_PUNCT = re.compile(r"[\s\u3000、，,。.:：;；·\-—_\"“”'‘’《》<>()（）\[\]【】〔〕﹝﹞]+")


@remembered(maxsize=1 << 16)
def strip_name(text: str | None) -> str:
    """A project name reduced to its words: 文号, bracketed codes, years, 绩效目标表, punctuation removed.

        >>> strip_name("[13068124X000000000001]涿财资【2024】3号 劳动保障监察经费绩效目标表")
        '劳动保障监察经费'
    """
    if not text:
        return ""
    s = _BRACKET_CODE.sub(" ", text)
    s = _without_doc_numbers(s)
    s = _YEAR.sub("", s)
    s = _PUNCT.sub("", s)
    return _TABLE_SUFFIX.sub("", s)


@cache
def _places_and_issuers() -> tuple[str, ...]:
    words = {i.organisation for i in known_issuers().values()} | {
        i.place for i in known_issuers().values() if i.place
    }
    return tuple(sorted(words, key=len, reverse=True))


def stream_key(text: str | None) -> str:
    """The fund-stream words of a title: strip_name without issuing bodies and notice boilerplate."""
    s = strip_name(text)
    for word in _places_and_issuers():
        s = s.replace(word, "")
    for word in _load().noise:
        s = s.replace(word, "")
    return s


def name_core(text: str | None) -> str:
    """What is left of a stream key once the generic words (经费, 资金, 专项 …) are removed."""
    s = stream_key(text)
    for word in _load().generic:
        s = s.replace(word, "")
    return s


def is_matching_fund(fund: FundClass) -> bool:
    """True for 配套 funds (县级配套, 市级配套): a lower level matching a higher level's stream."""
    return fund.source.endswith("配套")
