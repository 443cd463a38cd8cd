"""文号 issuers: ontology/issuers.csv, region short names, and cutting an issuer out of running text.

An issuer prefix is a place's short name and an office's abbreviation (冀 + 财社, 和地 + 财社). In
running text the CJK run before the year holds more than the issuer ("根据怀财资", "和地财社"): the
longest known issuer ending the run wins; otherwise lead words (根据, 和 …) are cut off.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ingest.docnumber.folding import fold_text
from ingest.regions import REGIONS_CSV, RegionIndex

__all__ = [
    "IssuerInfo",
    "ISSUERS_CSV",
    "known_issuers",
    "issuer_info",
    "is_known_issuer",
    "looks_like_issuer",
    "pick_issuer",
    "trim_issuer",
]

ISSUERS_CSV = Path(__file__).resolve().parent.parent.parent / "ontology" / "issuers.csv"

# Words that precede an issuer in running text ("根据怀财资[2022]7号"); the issuer starts after them.
_LEAD_WORDS = (
    "根据", "按照", "依据", "依照", "参照", "执行", "贯彻", "落实", "关于", "转发", "印发", "下达",
    "文件", "通知", "精神", "要求", "规定", "办法", "和", "及", "与", "的", "或", "见", "为", "号",
)
_MAX_ISSUER = 8
# Characters office abbreviations are made of (财社, 人社字, 政办发 …). An unknown issuer must end with
# one: "无[2022]15号", "会议纪要[2021]105号", "文件[2022]15号" are not 文号.
_OFFICE_CHARS = frozenset(
    "财人社政发字函规办预资险教委厅局部府省市县农税卫健医保科文旅交建水林环商工信民审统监纪组宣"
    "库会综金电传"
)


@dataclass(frozen=True)
class IssuerInfo:
    """What ontology/issuers.csv says about an issuer prefix."""

    prefix: str
    organisation: str
    level: str  # 中央 | 省 | 市 | 县
    place: str | None


@cache
def _issuer_table() -> dict[str, IssuerInfo]:
    with ISSUERS_CSV.open(encoding="utf-8", newline="") as f:
        return {
            row["prefix"]: IssuerInfo(
                row["prefix"], row["organisation"], row["level"], row["place"] or None
            )
            for row in csv.DictReader(f)
        }


# A prefecture's 文号 prefix is its short name and the kind of prefecture: 和田地区 → 和地, 巴音郭楞
# 蒙古自治州 → 巴州, 兴安盟 → 兴盟.
_PREFECTURE_KINDS = (("地区", "地"), ("自治州", "州"), ("盟", "盟"))


@cache
def _region_index() -> RegionIndex | None:
    """ontology/regions.csv alone (no sub-regions or issuers), when it exists."""
    if not REGIONS_CSV.exists():
        return None
    return RegionIndex.load(REGIONS_CSV, subregions_csv=None, issuer_regions_csv=None, issuers_csv=None)


@cache
def _region_shorts() -> frozenset[str]:
    """Place prefixes from ontology/regions.csv when it exists: 冀 (河北省), 怀来, 和地 (和田地区)."""
    index = _region_index()
    if index is None:
        return frozenset()
    out: set[str] = set()
    for region in index.regions():  # former divisions too: old documents cite them
        for short in (fold_text(s).strip() for s in region.short_names):
            if not short:
                continue
            # One character names an issuer only for a province (冀, 粤); a county's one
            # character (和, 东) is also a common word, so those come from issuers.csv.
            if len(short) >= 2 or region.level == "province":
                out.add(short)
            out.update(short + tail for kind, tail in _PREFECTURE_KINDS if region.name.endswith(kind))
    return frozenset(out)


def known_issuers() -> dict[str, IssuerInfo]:
    """Every issuer prefix listed in ontology/issuers.csv."""
    return dict(_issuer_table())


def issuer_info(prefix: str) -> IssuerInfo | None:
    """The organisation and level of an issuer prefix, or None when the data file does not list it."""
    return _issuer_table().get(prefix)


def _is_office(word: str) -> bool:
    return 0 < len(word) <= 4 and all(c in _OFFICE_CHARS for c in word)


def is_known_issuer(word: str) -> bool:
    """Listed in issuers.csv, or a region short name followed by an office abbreviation (和地财社)."""
    if word in _issuer_table():
        return True
    shorts = _region_shorts()
    return any(word[:n] in shorts and _is_office(word[n:]) for n in range(1, min(len(word), 6)))


def looks_like_issuer(word: str) -> bool:
    """Known, or short and ending with an office character (涿财预, 财社); not 无, 会议纪要."""
    return is_known_issuer(word) or (0 < len(word) <= 6 and word[-1] in _OFFICE_CHARS)


def _known_suffix(run: str) -> str | None:
    return next(
        (run[-n:] for n in range(min(len(run), _MAX_ISSUER), 0, -1) if is_known_issuer(run[-n:])), None
    )


def _after_lead_words(run: str) -> str:
    """What follows the last lead word of a run ("根据怀财资" → "怀财资"; "根据" → "")."""
    cut = 0
    for word in _LEAD_WORDS:
        at = run.rfind(word)
        if at >= 0:
            cut = max(cut, at + len(word))
    return run[cut:]


def trim_issuer(run: str) -> str:
    """Cut the issuer out of the CJK run before a year ("根据怀财资" → "怀财资", "和地财社" stays)."""
    known = _known_suffix(run)
    if known == run:
        return run
    cand = _after_lead_words(run) or run
    if known and len(known) >= len(cand):
        return known  # a known issuer wins over a lead word inside it: 和地财社, not 地财社
    table = _issuer_table()
    if cand in table:
        return cand
    if known and (known not in table or table[known].place):
        return _with_enclosing_place(cand[:-len(known)], known)  # "资金冀财社" → 冀财社
    if len(cand) <= 5:
        return cand  # an issuer we do not know is kept whole: 涿财预, 财社
    return _with_enclosing_place(cand[:-len(known)], known) if known else cand[-5:]


@cache
def _with_enclosing_place(before: str, known: str) -> str:
    """`known` with the short name of a region enclosing its place when that stands right before it:
    a county whose name counties of other cities share is prefixed with its city's (石 + 桥西财资 →
    石桥西财资, 石家庄市's 桥西区, not 张家口市's); "资金" + 冀财社 stays 冀财社."""
    index = _region_index()
    if index is None or not before:
        return known
    shorts = _region_shorts()
    places = [known[:n] for n in range(min(len(known) - 1, 5), 0, -1)
              if known[:n] in shorts and _is_office(known[n:])]
    for place in places:
        enclosing = {p for r in index.by_short_name(place, in_force=False) for p in index.parents(r.code)}
        for k in (2, 1):
            ext = before[-k:]
            if len(ext) == k and any(r.code in enclosing for r in index.by_short_name(ext, in_force=False)):
                return ext + known
    return known


def pick_issuer(run: str) -> tuple[str, int] | None:
    """The issuer ending a CJK run that may hold spaces ("项目 财 社"), and where it starts in `run`.

    A space joins two pieces of an issuer only when one side is a single character (财 社, 冀 财社, after
    a lead word: 根据涿 财预) or the joined form is a known issuer; otherwise it separates the issuer
    from the words before it.
    Returns None when what is left does not look like an issuer.
    """
    pieces: list[tuple[int, str]] = []  # (start in run, text)
    at = 0
    for word in run.split(" "):
        if word:
            pieces.append((at, word))
        at += len(word) + 1
    if not pieces:
        return None
    i = len(pieces) - 1
    joined = pieces[i][1]
    while i > 0:
        before = pieces[i - 1][1]
        longer = before + joined
        known = _known_suffix(longer)
        single = len(_after_lead_words(before)) == 1  # 冀 财社, 根据涿 财预
        if single or len(joined) == 1 or (known is not None and len(known) > len(joined)):
            joined, i = longer, i - 1
        else:
            break
    issuer = trim_issuer(joined)
    if not looks_like_issuer(issuer):
        return None
    # The issuer is a suffix of `joined` (pieces i..): find its first character in `run`.
    need = len(issuer)
    for start, word in reversed(pieces[i:]):
        if need <= len(word):
            return issuer, start + len(word) - need
        need -= len(word)
    return issuer, pieces[i][0]  # pragma: no cover - need ≤ len(joined) always
