"""文号 (document numbers): parse any printed form, canonicalise to GB/T 9704, match user queries.

    >>> DocNumber.parse("冀财社[2021]176").canonical
    '冀财社〔2021〕176号'
    >>> DocQuery.parse("176号").matches(DocNumber("冀财社", 2021, 176))
    True
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ingest.errors import DocNumberError

__all__ = [
    "DocNumber",
    "DocQuery",
    "DocMatch",
    "IssuerInfo",
    "find_doc_numbers",
    "find_doc_query",
    "issuer_info",
    "known_issuers",
    "fold_text",
]

ISSUERS_CSV = Path(__file__).resolve().parent.parent / "ontology" / "issuers.csv"

_OPEN = "[【〔﹝（(［〖{｛"
_CLOSE = "]】〕﹞）)］〗}｝"
# Full-width digits and spaces fold to ASCII one character for one, so offsets stay valid.
_FOLD = str.maketrans("０１２３４５６７８９　", "0123456789 ")
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff"

_DOC_NO = re.compile(
    rf"(?P<issuer>[{_CJK}]{{1,16}})\s*[{re.escape(_OPEN)}]\s*(?P<year>(?:19|20)\d{{2}})\s*"
    rf"[{re.escape(_CLOSE)}]\s*第?\s*(?P<seq>\d{{1,5}})(?:\s*(?P<hao>号))?"
)
# Words that precede an issuer in running text ("根据怀财资[2022]7号"); the issuer starts after them.
_LEAD_WORDS = (
    "根据", "按照", "依据", "依照", "参照", "执行", "贯彻", "落实", "关于", "转发", "印发", "下达",
    "文件", "通知", "精神", "要求", "规定", "办法", "和", "及", "与", "的", "或", "见", "为", "号",
)
_MAX_ISSUER = 8


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


def known_issuers() -> dict[str, IssuerInfo]:
    """Every issuer prefix listed in ontology/issuers.csv."""
    return dict(_issuer_table())


def issuer_info(prefix: str) -> IssuerInfo | None:
    """The organisation and level of an issuer prefix, or None when the data file does not list it."""
    return _issuer_table().get(prefix)


def fold_text(text: str) -> str:
    """Full-width digits and spaces to ASCII, same length (so match offsets hold for the original)."""
    return text.translate(_FOLD)


def _trim_issuer(run: str) -> str:
    """Cut the issuer out of the CJK run before a bracket ("根据怀财资" → "怀财资")."""
    table = _issuer_table()
    cut = 0
    for word in _LEAD_WORDS:
        at = run.rfind(word)
        if at >= 0:
            cut = max(cut, at + len(word))
    cand = run[cut:] or run
    if cand in table:
        return cand
    best = next(
        (cand[-n:] for n in range(min(len(cand), _MAX_ISSUER), 0, -1) if cand[-n:] in table), None
    )
    if best and table[best].place:
        return best  # "资金冀财社" → the known local issuer 冀财社
    if len(cand) <= 5:
        return cand  # an issuer we do not know is kept whole: 涿财预, 财社
    return best or cand[-5:]


# Characters that issuer prefixes are made of (财政, 人社, 政府办 …); a word with none of them is not one.
_ISSUER_CHARS = frozenset("财人社政发字函规办预资险教委厅局部府省市县")


def _looks_like_issuer(word: str) -> bool:
    return word in _issuer_table() or (len(word) <= 6 and any(c in _ISSUER_CHARS for c in word))


@dataclass(frozen=True, order=True)
class DocNumber:
    """A 文号 such as 冀财社〔2021〕176号: issuer prefix, year, serial."""

    issuer: str
    year: int
    seq: int

    @classmethod
    def parse(cls, text: str) -> DocNumber:
        """Parse one 文号 in any bracket form, with or without 号; bracketless full forms too."""
        found = find_doc_numbers(text)
        if found:
            return found[0].doc
        query = DocQuery.parse(text)
        if query.issuer and query.year is not None and query.seq is not None:
            return cls(query.issuer, query.year, query.seq)
        raise DocNumberError(f"not a document number: {text!r}")

    @property
    def canonical(self) -> str:
        # 〔〕 is the form GB/T 9704 prescribes and the issuing offices print; every other bracket maps here.
        return f"{self.issuer}〔{self.year}〕{self.seq}号"

    @property
    def info(self) -> IssuerInfo | None:
        return issuer_info(self.issuer)

    @property
    def organisation(self) -> str | None:
        """The issuing organisation, None when the issuer is not in ontology/issuers.csv."""
        return self.info.organisation if self.info else None

    @property
    def level(self) -> str | None:
        """Administrative level (中央/省/市/县), None when unknown."""
        return self.info.level if self.info else None

    def __str__(self) -> str:
        return self.canonical


@dataclass(frozen=True)
class DocMatch:
    """A 文号 found in running text, with its raw spelling and offsets."""

    doc: DocNumber
    raw: str
    start: int
    end: int


def find_doc_numbers(text: str) -> list[DocMatch]:
    """Every bracketed 文号 in running text, in order."""
    folded = fold_text(text)
    out: list[DocMatch] = []
    for m in _DOC_NO.finditer(folded):
        run = m["issuer"]
        issuer = _trim_issuer(run)
        start = m.start("issuer") + len(run) - len(issuer)
        doc = DocNumber(issuer, int(m["year"]), int(m["seq"]))
        out.append(DocMatch(doc, text[start : m.end()], start, m.end()))
    return out


_QUERY_SEPARATORS = re.compile(rf"[{re.escape(_OPEN + _CLOSE)}\-—–_/\\,，.。:：第]")
_QUERY = re.compile(
    rf"^\s*(?P<issuer>[{_CJK}]+)?\s*(?P<nums>\d[\d\s]*)?\s*(?P<hao>号)?\s*$"
)
# A 文号 inside a longer query: issuer? year seq 号?  |  issuer? seq号  (after folding brackets to spaces)
_QUERY_IN_TEXT = re.compile(
    rf"(?P<issuer>[{_CJK}]{{1,16}})?\s*(?:(?P<year>(?:19|20)\d{{2}})\s+(?P<seq>\d{{1,5}})\s*(?P<hao>号)?"
    rf"|(?P<seq2>\d{{1,5}})\s*(?P<hao2>号))"
)


@dataclass(frozen=True)
class DocQuery:
    """A full or partial 文号 typed by a user: "冀财社2021 176", "冀财社 2021-176", "176号"."""

    issuer: str | None = None
    year: int | None = None
    seq: int | None = None

    @classmethod
    def parse(cls, text: str) -> DocQuery:
        """Parse a user's document-number query; raises DocNumberError when it names nothing."""
        found = find_doc_numbers(text)
        if found:
            d = found[0].doc
            return cls(d.issuer, d.year, d.seq)
        norm = _QUERY_SEPARATORS.sub(" ", fold_text(text)).strip()
        m = _QUERY.match(norm)
        if m is None or not (m["issuer"] or m["nums"]):
            raise DocNumberError(f"not a document number query: {text!r}")
        issuer = _trim_issuer(m["issuer"]) if m["issuer"] else None
        if issuer is not None and not _looks_like_issuer(issuer):
            raise DocNumberError(f"not a document number query: {text!r}")
        nums = (m["nums"] or "").split()
        year = seq = None
        if len(nums) >= 2:
            year, seq = int(nums[0]), int(nums[1])
        elif len(nums) == 1:
            n = nums[0]
            if m["hao"]:
                if issuer and len(n) > 4 and n[:2] in ("19", "20"):
                    year, seq = int(n[:4]), int(n[4:])
                else:
                    seq = int(n)
            elif len(n) == 4 and n[:2] in ("19", "20"):
                year = int(n)
            elif issuer and len(n) > 4 and n[:2] in ("19", "20"):
                year, seq = int(n[:4]), int(n[4:])
            else:
                seq = int(n)
        return cls(issuer, year, seq)

    @property
    def exact(self) -> bool:
        """All three parts given: names one document."""
        return self.issuer is not None and self.year is not None and self.seq is not None

    @property
    def doc(self) -> DocNumber | None:
        return DocNumber(self.issuer, self.year, self.seq) if self.exact else None  # type: ignore[arg-type]

    def matches(self, doc: DocNumber) -> bool:
        """True when every part the query gives agrees with the document."""
        return (
            (self.issuer is None or doc.issuer == self.issuer or doc.issuer.endswith(self.issuer))
            and (self.year is None or doc.year == self.year)
            and (self.seq is None or doc.seq == self.seq)
        )

    def __str__(self) -> str:
        if self.exact:
            return self.doc.canonical  # type: ignore[union-attr]
        parts = [self.issuer or "*", f"〔{self.year or '*'}〕", f"{self.seq or '*'}号"]
        return "".join(parts)


def find_doc_query(text: str) -> tuple[DocQuery | None, str]:
    """Split a search query into the 文号 it contains (if any) and the remaining words.

    Needs a serial number: "冀财社2021 176", "怀财资【2022】7号", "176号" are document queries,
    "就业补助" and "2021" are not.
    """
    found = find_doc_numbers(text)
    if found:
        d = found[0]
        rest = (text[: d.start] + " " + text[d.end :]).strip()
        return DocQuery(d.doc.issuer, d.doc.year, d.doc.seq), rest
    try:
        whole = DocQuery.parse(text)
    except DocNumberError:
        whole = None
    if whole is not None and whole.seq is not None:
        return whole, ""
    norm = _QUERY_SEPARATORS.sub(" ", fold_text(text))
    m = _QUERY_IN_TEXT.search(norm)
    if m is None:
        return None, text.strip()
    issuer = None
    start = m.start("year") if m["seq2"] is None else m.start("seq2")
    if m["issuer"]:
        trimmed = _trim_issuer(m["issuer"])
        attached = m.end("issuer") == start
        if trimmed in _issuer_table() or (attached and _looks_like_issuer(trimmed)):
            issuer = trimmed
            start = m.end("issuer") - len(trimmed)
    if m["seq2"] is not None:
        q = DocQuery(issuer, None, int(m["seq2"]))
    else:
        q = DocQuery(issuer, int(m["year"]), int(m["seq"]))
    rest = " ".join((norm[:start] + " " + norm[m.end() :]).split())
    return q, rest
