"""文号 (document numbers): DocNumber, DocQuery and the one finder of 文号 in running text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.docnumber.folding import fold, fold_text
from ingest.docnumber.issuers import IssuerInfo, issuer_info, looks_like_issuer, pick_issuer, trim_issuer
from ingest.errors import DocNumberError

__all__ = ["DocNumber", "DocQuery", "DocMatch", "find_doc_numbers", "find_doc_query"]

# After folding (folding.py) full-width and small brackets are ASCII or 〔〕 (［ → [, ﹝ → 〔, （ → ();
# the others stay as printed. Title marks 《》 are not brackets of a 文号.
_OPEN = "[【〔(〖{〘⦅"
_CLOSE = "]】〕)〗}〙⦆"
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff"

# issuer (CJK, a space or two inside: "财 社") then either a bracketed year or, bracketless, a 4-digit
# year of a plausible range glued to the serial and a required 号 ("冀财社2021152号").
_DOC_NO = re.compile(
    rf"(?P<issuer>[{_CJK}](?:[ \t]{{0,2}}[{_CJK}]){{0,15}}+)\s*+"
    rf"(?:[{re.escape(_OPEN)}]\s*+(?P<year>(?:19|20)\d{{2}})\s*+[{re.escape(_CLOSE)}]\s*+第?\s*+"
    rf"(?P<seq>\d{{1,5}})(?!\d)(?:\s*+(?P<hao>号))?"
    rf"|(?P<year2>(?:19[5-9]|20\d)\d)[ \t]*+(?P<seq2>\d{{1,5}})[ \t]*+号)"
)
_REPLACED = "\ufffd"
# Every quantifier above is bounded or possessive and every match starts at a CJK character, so a
# scan is linear in the text, whatever runs of spaces, CJK or brackets it holds.


@dataclass(frozen=True, order=True)
class DocNumber:
    """A 文号 such as 冀财社〔2021〕176号: issuer prefix, year, serial."""

    issuer: str
    year: int
    seq: int

    def __post_init__(self) -> None:
        # Normalise once on entry: 粵財社 and "财 社" are the issuers 粤财社 and 财社.
        issuer = fold_text(self.issuer).replace(" ", "").replace("\t", "")
        if issuer != self.issuer:
            object.__setattr__(self, "issuer", issuer)

    @classmethod
    def parse(cls, text: str) -> DocNumber:
        """Parse one 文号 in any bracket form, with or without 号; bracketless full forms too."""
        found = find_doc_numbers(text)
        if found:
            return found[0].doc
        query = DocQuery.parse(text)
        if query.issuer and query.year is not None and query.seq is not None and query.seq < 100_000:
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
    # A replacement character (U+FFFD, an undecodable byte) touches the match: the issuer or the
    # serial may be cut short ("冀财\ufffd社" → 社, "17\ufffd6号" → 17), so the value is not exact.
    damaged: bool = False

    def to_json(self) -> dict[str, object]:
        """{canonical, issuer, year, seq, organisation, level, raw, start, end, damaged}."""
        d = self.doc
        return {"canonical": d.canonical, "issuer": d.issuer, "year": d.year, "seq": d.seq,
                "organisation": d.organisation, "level": d.level,
                "raw": self.raw, "start": self.start, "end": self.end, "damaged": self.damaged}


def find_doc_numbers(text: str) -> list[DocMatch]:
    """Every 文号 in running text, in order, with its raw spelling and raw [start, end) offsets.

    The text is folded first (invisible characters, compatibility ideographs, full width,
    traditional characters); offsets and `raw` are always those of the text as given.
    """
    folded = fold(text)
    out: list[DocMatch] = []
    for m in _DOC_NO.finditer(folded.text):
        picked = pick_issuer(m["issuer"].replace("\t", " "))
        if picked is None:
            continue  # 无[2022]15号, 会议纪要2021105号: not an issuer
        issuer, at = picked
        if m["year"] is not None:
            year, seq = int(m["year"]), int(m["seq"])
        else:
            year, seq = int(m["year2"]), int(m["seq2"])
        first = m.start("issuer") + at
        damaged = _REPLACED in folded.text[max(first - 1, 0):first] + folded.text[m.end():m.end() + 1]
        start, end = folded.raw_span(first, m.end())
        out.append(DocMatch(DocNumber(issuer, year, seq), text[start:end], start, end, damaged))
    return out


_QUERY_SEPARATORS = re.compile(rf"[{re.escape(_OPEN + _CLOSE)}\-—–_/\\,，.。:：第]")
_QUERY = re.compile(
    rf"^\s*(?P<issuer>[{_CJK}]+)?\s*(?P<nums>\d+(?:\s+\d+)*)?\s*(?P<hao>号)?\s*$"
)
# A 文号 inside a longer query: issuer? year seq 号?  |  issuer? seq号  (after folding brackets to spaces)
_QUERY_IN_TEXT = re.compile(
    rf"(?=\S)(?P<issuer>[{_CJK}]{{1,16}})?\s*+(?:(?P<year>(?:19|20)\d{{2}})\s+(?P<seq>\d{{1,5}})\s*(?P<hao>号)?"
    rf"|(?P<seq2>\d{{1,5}})\s*(?P<hao2>号))"
)


@dataclass(frozen=True)
class DocQuery:
    """A full or partial 文号 typed by a user: "冀财社2021 176", "冀财社 2021-176", "176号"."""

    issuer: str | None = None
    year: int | None = None
    seq: int | None = None

    def __post_init__(self) -> None:
        if self.issuer is not None:
            object.__setattr__(self, "issuer", fold_text(self.issuer).replace(" ", ""))

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
        issuer = trim_issuer(m["issuer"]) if m["issuer"] else None
        if issuer is not None and not looks_like_issuer(issuer):
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
    for m in _QUERY_IN_TEXT.finditer(norm):
        issuer = None
        start = m.start("year") if m["seq2"] is None else m.start("seq2")
        if m["issuer"]:
            trimmed = trim_issuer(m["issuer"])
            attached = m.end("issuer") == start
            if issuer_info(trimmed) is not None or (attached and looks_like_issuer(trimmed)):
                issuer = trimmed
                start = m.end("issuer") - len(trimmed)
            elif attached:
                continue  # 会议纪要105号: a serial glued to a word that is no issuer is not a 文号
        if m["seq2"] is not None:
            q = DocQuery(issuer, None, int(m["seq2"]))
        else:
            q = DocQuery(issuer, int(m["year"]), int(m["seq"]))
        rest = " ".join((norm[:start] + " " + norm[m.end() :]).split())
        return q, rest
    return None, text.strip()
