"""The parts of a notice around its allocations: 文号, title, issuers, date, addressees, citations,
fund, budget year, kind, declared total and budget subject codes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from ingest.docnumber import find_doc_numbers
from ingest.notices.amounts import AMOUNT_IN_TEXT, DATE_IN_TEXT, parse_date, text_amount
from ingest.notices.blocks import Block, Para
from ingest.records import CitedDoc, SourceSpan

__all__ = ["Header", "could_be_notice", "read_header", "find_title", "is_attachment_heading", "attachment_start", "KINDS"]

KINDS = ("提前下达", "追加", "清算", "下达")
_VERBS = ("提前下达", "下达", "分配", "拨付", "追加", "清算", "安排", "转发", "预拨")
# 关于(提前)下达…资金(预算)的通知; the verb may come late ("关于2022年…资金提前下达的通知") or be 转发.
_TITLE = re.compile(
    rf"关于.{{0,80}}?(?:{'|'.join(_VERBS)}).{{0,120}}?(?:的)?(?:通知|批复)$"
)
_ATTACHMENT = re.compile(r"^\s*附\s*件\s*[\d一二三四五六七八九十]*\s*(?:[:：]|$|\s)")
_STANDALONE = re.compile(r"^\s*附\s*件\s*[\d一二三四五六七八九十]*\s*[:：]?\s*$")
# An allocation table published as its own file names its notice in the caption, by 文号 (read as the
# record's 文号) or by title: 附件：《河北省财政厅关于下达…资金的通知》分配表.
_CAPTION_TITLE = re.compile(
    r"^\s*附\s*件\s*[\d一二三四五六七八九十]*\s*[:：]?\s*《?(?P<title>[^《》]{0,80}?关于[^《》]{0,120}?通知)"
)
_META_LABELS = "索引号|发文机关|发文字号|文号|成文日期|发文日期|印发日期|发布日期|发布时间|主题分类|来源|有效性"
_META = re.compile(rf"^\s*(?:{_META_LABELS})\s*[:：]")
_META_FIELD = re.compile(rf"(?P<label>{_META_LABELS})\s*[:：]\s*(?P<value>.+?)\s*(?=(?:{_META_LABELS})\s*[:：]|$)")
_ISO = re.compile(r"(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})")
_ORG_END = re.compile(r"(?:厅|局|部|委员会|委|办公室|办公厅|政府|中心|管委会|管理委员会|处)$")
_SUBJECT = re.compile(r"(?<![\d.])(2\d{4}(?:\d{2})?)(?![\d.万元%])")
_YEAR = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年")
_TOTAL_WORDS = ("共计", "合计", "总计", "总额", "共")
_MAX_HEAD = 25  # the title stands in the first paragraphs


@dataclass
class Header:
    doc_number: str | None = None
    doc_number_raw: str | None = None
    doc_number_span: SourceSpan | None = None
    title: str | None = None
    title_span: SourceSpan | None = None
    issuers: tuple[str, ...] = ()
    date: str | None = None
    date_printed: str | None = None
    date_span: SourceSpan | None = None
    addressees: tuple[str, ...] = ()
    addressee_span: SourceSpan | None = None
    cited: tuple[CitedDoc, ...] = ()
    fund_name: str | None = None
    budget_year: int | None = None
    notice_kind: str | None = None
    declared_total_wan: Decimal | None = None
    declared_total_printed: str | None = None
    total_span: SourceSpan | None = None
    subject_codes: tuple[str, ...] = ()
    body: list[Para] = field(default_factory=list)  # the paragraphs between addressees and signature
    # an allocation table published as its own file: no title of its own, a 附件 caption naming its
    # notice; the date and the rest of the header are the notice's, not the file's
    attachment: bool = False


def is_attachment_heading(text: str) -> bool:
    """附件 / 附件1： / 附件：…分配表."""
    return bool(_ATTACHMENT.match(text))


def _date_only(p: Para) -> str | None:
    text = p.text.strip()
    m = DATE_IN_TEXT.search(text)
    return parse_date(m) if m and len(text) - len(m[0]) <= 2 else None


def attachment_start(paras: list[Para]) -> int:
    """Index of the paragraph where the attachments begin: a 附件 heading standing alone ("附件1"),
    else the last 附件 line after the signature date; len(paras) when there is none.

    The "附件：…分配表" line in the body only lists the attachment, the notice goes on after it.
    """
    heads = [i for i, p in enumerate(paras) if is_attachment_heading(p.text)]
    alone = [i for i in heads if _STANDALONE.match(paras[i].text)]
    if alone:
        return alone[0]
    dates = [i for i, p in enumerate(paras) if _date_only(p)]
    after = [i for i in heads if dates and i > dates[-1]]
    return after[0] if after else len(paras)


def find_title(paras: list[Para]) -> tuple[int, int, str] | None:
    """(first, last paragraph index, title) of the notice title in the first paragraphs."""
    for i, p in enumerate(paras[:_MAX_HEAD]):
        if _STANDALONE.match(p.text):
            return None
        joined = ""
        for j in range(i, min(i + 3, len(paras))):
            joined += paras[j].text.strip()
            if len(joined) > 200:
                break
            if _TITLE.search(joined):
                return i, j, joined
            if not ("关于" in joined) or joined.endswith(("。", "：", ":")):
                break
    return None


def could_be_notice(head: list[Para]) -> bool:
    """Cheap test on a file's first paragraphs: a notice title, a 文号 in the first six, or an
    attachment caption naming a notice."""
    return find_title(head) is not None or any(find_doc_numbers(p.text[:200]) for p in head[:6]) or \
        _caption_title(head) is not None


def _caption_title(paras: list[Para]) -> tuple[str, Para] | None:
    """The notice title printed in an attachment caption among the first paragraphs (附件：…的通知分配表)."""
    for p in paras[:3]:
        m = _CAPTION_TITLE.match(p.text[:300])
        if m is not None:
            return m["title"].strip(), p
    return None


def _split_top(text: str, seps: str) -> list[str]:
    """Split at separators outside brackets ("各市（含定州、辛集市）财政局、…")."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "（(【[《":
            depth += 1
        elif ch in "）)】]》":
            depth = max(0, depth - 1)
        if ch in seps and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def _orgs(text: str) -> tuple[str, ...]:
    names = [w for w in re.split(r"[\s\u3000、]+", text.strip()) if w]
    return tuple(names) if names and all(_ORG_END.search(n) for n in names) else ()


def _cite_role(text: str, start: int, end: int) -> tuple[str, str | None]:
    """Why a 文号 is cited: the 《title》 before it, else the words around it."""
    clause_start = max(text.rfind(c, max(0, start - 300), start) for c in "。；;") + 1
    before = text[max(clause_start, start - 300):start]
    title = None
    m = re.search(r"《(?P<t>[^》]{2,120})》\s*[（(〔]?\s*$", before)
    if m:
        title = m["t"]
    after = re.split(r"[，,。；;）)]", text[end:end + 60], maxsplit=1)[0]
    if title is not None:
        if "通知" in title and any(v in title for v in _VERBS + ("预算",)):
            return "upstream", title
        return "basis", title
    if re.search(r"规定|要求|办法|意见", after):
        return "basis", None
    if re.search(r"根据|依据|按照|转发|接", before):
        return "upstream", None
    return "mention", None


def _iso_date(text: str) -> str | None:
    """ISO form of a printed date ("2022年5月10日", "2022-05-10")."""
    from datetime import date

    m = DATE_IN_TEXT.search(text)
    if m:
        return parse_date(m)
    m = _ISO.search(text)
    try:
        return date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat() if m else None
    except ValueError:
        return None


def _signature_date(paras: list[Para]) -> tuple[int, str, str] | None:
    """(index, printed, ISO) of the signature date: the last short paragraph that is a date."""
    for i in range(len(paras) - 1, -1, -1):
        iso = _date_only(paras[i])
        if iso:
            return i, DATE_IN_TEXT.search(paras[i].text)[0], iso  # type: ignore[index]
    return None


def _declared_total(body: list[Para]) -> tuple[Decimal, str, SourceSpan] | None:
    """The total the text declares: 共计/合计 … , else the first amount of a 下达 sentence before 其中."""
    for p in body:
        head = re.split(r"其中", p.text, maxsplit=1)[0]
        if not any(v in head for v in _VERBS + _TOTAL_WORDS):
            continue
        found = list(AMOUNT_IN_TEXT.finditer(head))
        if not found:
            continue
        totals = [m for m in found if any(head[max(0, m.start() - 4):m.start()].endswith(w)
                                          or w in head[max(0, m.start() - 4):m.start()]
                                          for w in _TOTAL_WORDS)]
        m = (totals or found)[0]
        return text_amount(m["num"], m["unit"]), m[0].replace(" ", ""), p.span
    return None


def _fund_and_kind(title: str) -> tuple[str | None, str | None]:
    kind = next((k for k in KINDS if k in title), None)
    if kind is None and any(v in title for v in ("分配", "拨付", "安排", "预拨", "转发")):
        kind = "下达"
    rest = title.split("关于", 1)[-1]
    rest = re.sub(r"(?:的)?(?:通知|批复)$", "", rest)
    rest = re.sub(rf"^(?:{'|'.join(_VERBS)})+", "", rest)
    rest = re.sub(r"^(?:(?:19|20)\d{2}\s*年度?)", "", rest)
    m = re.match(r"^(?P<fund>.*(?:资金|经费|基金))", rest)
    return (m["fund"] if m else None), kind


def _budget_year(title: str, body: list[Para], kind: str | None, date: str | None) -> int | None:
    m = _YEAR.search(title)
    if m:
        return int(m["year"])
    for p in body:
        m = re.search(r"(?P<year>(?:19|20)\d{2})\s*年度?[^，。；]{0,30}?(?:资金|预算|经费)", p.text)
        if m:
            return int(m["year"])
    if date:
        return int(date[:4]) + (1 if kind == "提前下达" else 0)
    return None


def _own_doc_number(labelled: dict[str, tuple[str, Para]], head: list[Para], h: Header) -> None:
    """The notice's own 文号: a labelled field (发文字号：…), else the first one above the title."""
    candidates = [labelled[k] for k in ("发文字号", "文号") if k in labelled] + [(p.text, p) for p in head]
    for text, p in candidates:
        hits = find_doc_numbers(text)
        if hits:
            h.doc_number, h.doc_number_raw = hits[0].doc.canonical, hits[0].raw
            h.doc_number_span = p.span
            return


def _signature(rest: list[Para], labelled: dict[str, tuple[str, Para]], h: Header) -> list[str]:
    """Set the date and the body; return the issuers signing above the date (joint ones apart)."""
    dated = _signature_date(rest)
    if dated is None:
        h.body = rest
        for label in ("成文日期", "发文日期", "印发日期", "发布日期", "发布时间"):
            if label in labelled and (iso := _iso_date(labelled[label][0])):
                h.date, h.date_printed, h.date_span = iso, labelled[label][0], labelled[label][1].span
                break
        return []
    cut, h.date_printed, h.date = dated
    h.date_span = rest[cut].span
    sig: list[str] = []
    start = cut
    while start > 0 and cut - start < 3 and (orgs := _orgs(rest[start - 1].text)):
        sig[:0] = orgs
        start -= 1
    h.body = rest[:start]
    return sig


def _issuers(h: Header, sig: list[str], labelled: dict[str, tuple[str, Para]], head: list[Para]) -> tuple[str, ...]:
    """Issuers named before 关于 in the title, else the signature, else 发文机关, else the 红头 (…文件)."""
    if h.title and not h.title.startswith("关于") and (named := _orgs(h.title.split("关于", 1)[0])):
        return named
    if sig:
        return tuple(sig)
    if "发文机关" in labelled:
        return tuple(_split_top(labelled["发文机关"][0], "、，, "))
    out: tuple[str, ...] = ()
    for p in head:
        text = p.text.strip()
        if text.endswith("文件"):
            out += _orgs(text[:-2])
    return out


def read_header(blocks: list[Block]) -> Header | None:
    """The header of a notice; None when the blocks hold no notice title nor a 文号 line."""
    paras = [b for b in blocks if isinstance(b, Para)]
    h = Header()
    found = find_title(paras)
    attach = attachment_start(paras)
    t0 = t1 = -1
    if found is not None:
        t0, t1, h.title = found
        first, last = paras[t0].span, paras[t1].span
        h.title_span = replace(first, last_line=last.last_line)
    elif (caption := _caption_title(paras)) is not None and not find_doc_numbers(caption[1].text):
        h.title, h.title_span = caption[0], caption[1].span  # a table file naming its notice by title
    # A web page prints its 文号, issuer and date as labelled fields (发文字号：…) around the title.
    meta = [p for p in paras[:_MAX_HEAD] if len(p.text) <= 300 and _META.match(p.text)]
    labelled = {m["label"]: (m["value"], p) for p in meta for m in _META_FIELD.finditer(p.text)}
    # the 红头 above the title: the issuers' "…文件" line and the 文号, alone or beside the issuer
    head = paras[:t0] if t0 >= 0 else paras[:min(attach, 6)]
    _own_doc_number(labelled, head, h)
    if h.title is None and h.doc_number is None:
        return None
    h.attachment = found is None and any(is_attachment_heading(p.text) for p in paras[:3])
    rest = [p for p in paras[t1 + 1:attach] if p not in meta]
    if h.doc_number is None and rest and (hits := find_doc_numbers(rest[0].text)) and \
            len(rest[0].text.strip()) - len(hits[0].raw) <= 2:
        # a 文号 alone on the line under the title, as web pages and sheets print it
        h.doc_number, h.doc_number_raw, h.doc_number_span = hits[0].doc.canonical, hits[0].raw, rest[0].span
        rest = rest[1:]
    # the addressees end with a colon, right under the title
    for k, p in enumerate(rest[:2]):
        if re.search(r"[:：]\s*$", p.text) and len(p.text) <= 200:
            h.addressees = tuple(_split_top(p.text.rstrip(":： "), "、，,"))
            h.addressee_span = p.span
            rest = rest[k + 1:]
            break
    sig = _signature(rest, labelled, h)
    h.issuers = _issuers(h, sig, labelled, head)

    cited: list[CitedDoc] = []
    sources = ([(h.title, h.title_span)] if h.title and h.title_span else []) + [(p.text, p.span) for p in h.body]
    for text, span in sources:
        for m in find_doc_numbers(text):
            if m.doc.canonical == h.doc_number:
                continue
            role, title = _cite_role(text, m.start, m.end)
            cited.append(CitedDoc(m.doc.canonical, m.raw, role, span, title))
    h.cited = tuple(cited)

    if h.title:
        h.fund_name, h.notice_kind = _fund_and_kind(h.title)
    h.budget_year = _budget_year(h.title or "", h.body, h.notice_kind, h.date)
    total = _declared_total(h.body)
    if total:
        h.declared_total_wan, h.declared_total_printed, h.total_span = total
    codes: list[str] = []
    for p in h.body:
        if "科目" in p.text:
            codes += _SUBJECT.findall(p.text)
    h.subject_codes = tuple(dict.fromkeys(codes))
    return h
