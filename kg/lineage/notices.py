"""Ingested funding notices as the lineage sees them: one record per 文号, parents, fund streams.

Derived once per build (kg.context) from `Corpus.notices`:

- a notice is keyed by its own 文号, one that prints none by its title (`title:<title>`,
  kg.docmatch.TITLE_KEY); a record without a title of its own that prints the 文号 of a
  titled notice (an allocation table published as its own file, captioned `附件：冀财社〔2021〕99号…分配表`)
  or that notice's title is its attachment: its allocations become the notice's when the notice has
  none;
- the first `upstream` citation is the notice's parent (`根据冀财社〔2019〕117号文件`);
- notices of one fund stream (normalised fund name + issuer + level) are listed by budget year;
- where data/documents.csv says otherwise (parent, total, title) the notice wins and the
  disagreement is kept (`Conflict`) for the audit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from ingest.docnumber import DocNumber
from ingest.records import Allocation, Notice, SourceSpan
from kg.lineage.documents import DocumentInfo
from kg.lineage.rules import stream_key

__all__ = ["NoticeDoc", "Conflict", "NoticeData", "derive_notices", "notice_stream_key"]


@dataclass(frozen=True)
class NoticeDoc:
    """One ingested notice under its 文号, with the allocations of its attachment when joined."""

    canonical: str
    notice: Notice
    allocations: tuple[Allocation, ...]
    attachments: tuple[SourceSpan, ...] = ()  # files joined to the notice as its attachments
    stream: str | None = None

    @property
    def parent(self) -> str | None:
        """The notice it forwards: its first upstream citation."""
        up = [c for c in self.notice.upstream if c != self.canonical]
        return up[0] if up else None

    @property
    def allocations_source(self) -> SourceSpan:
        """Where the allocations stand: the attachment's file when they come from it."""
        return self.allocations[0].span if self.allocations else self.notice.span


@dataclass(frozen=True)
class Conflict:
    """data/documents.csv and an ingested notice disagree on one field; the notice wins."""

    canonical: str
    field: str  # parent | total_wan | title
    listed: str  # as documents.csv has it
    stated: str  # as the notice states it
    file: str
    line: int
    source: SourceSpan  # where the notice states it


@dataclass
class NoticeData:
    """The build's notices by 文号, their fund streams, and where documents.csv disagrees."""

    docs: dict[str, NoticeDoc] = field(default_factory=dict)
    streams: dict[str, tuple[tuple[int | None, str], ...]] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)


def notice_stream_key(n: Notice) -> str | None:
    """`level|issuer|fund words` of a notice with a 文号 (城乡居民养老保险补助资金 of 冀财社 at 省)."""
    if not n.doc_number:
        return None
    words = stream_key(n.fund_name or n.title)
    if not words:
        return None
    doc = DocNumber.parse(n.doc_number)
    return f"{doc.level or '-'}|{doc.issuer}|{words}"


def _squash(text: str | None) -> str:
    return "".join((text or "").split())


def _under_title(n: Notice) -> bool:
    """A notice without a 文号 of its own, not an attachment: its own document, keyed by its title."""
    return not n.doc_number and bool(n.title) and not n.attachment


def derive_notices(notices: Iterable[Notice], registered: Mapping[str, DocumentInfo]) -> NoticeData:
    """Group notice records by 文号 (attachments joined), link streams, compare with documents.csv."""
    records = list(notices)
    titled: dict[str, Notice] = {}
    by_title: dict[str, str] = {}
    for n in records:
        if n.doc_number and n.title and n.doc_number not in titled:
            titled[n.doc_number] = n
            by_title.setdefault(_squash(n.title), n.doc_number)
    for n in records:  # a notice printing no 文号 of its own is a document under its title
        if _under_title(n) and n.key not in titled and _squash(n.title) not in by_title:
            titled[n.key] = n
            by_title[_squash(n.title)] = n.key
    joined: dict[str, list[Notice]] = {}
    for n in records:
        if n.doc_number and (titled.get(n.doc_number) is n or n.title) or _under_title(n):
            continue  # the notice itself, or another copy of it: not an attachment
        target = n.doc_number if n.doc_number in titled else by_title.get(_squash(n.title))
        if target is None and n.doc_number:
            titled[n.doc_number] = n  # no titled notice: the record stands for its 文号 alone
        elif target is not None:
            joined.setdefault(target, []).append(n)
    data = NoticeData()
    for canonical, n in titled.items():
        extra = joined.get(canonical, [])
        allocations = n.allocations or next((a.allocations for a in extra if a.allocations), ())
        data.docs[canonical] = NoticeDoc(canonical, n, allocations, tuple(a.span for a in extra),
                                         notice_stream_key(n))
    streams: dict[str, list[tuple[int | None, str]]] = {}
    for d in data.docs.values():
        if d.stream:
            streams.setdefault(d.stream, []).append((d.notice.budget_year, d.canonical))
    data.streams = {k: tuple(sorted(v, key=lambda yc: (yc[0] or 0, yc[1]))) for k, v in streams.items()}
    data.conflicts = list(_conflicts(data.docs, registered))
    return data


def _conflicts(docs: Mapping[str, NoticeDoc], registered: Mapping[str, DocumentInfo]) -> Iterable[Conflict]:
    for canonical in sorted(set(docs) & set(registered)):
        d, info = docs[canonical], registered[canonical]
        n = d.notice
        if info.parent and d.parent and info.parent != d.parent:
            cited = next(c for c in n.cited if c.canonical == d.parent)
            yield Conflict(canonical, "parent", info.parent, d.parent, info.file, info.line, cited.span)
        if info.total_wan is not None and n.declared_total_wan is not None and \
                Decimal(info.total_wan) != n.declared_total_wan:
            yield Conflict(canonical, "total_wan", f"{info.total_wan}", n.declared_total_printed or
                           f"{n.declared_total_wan}", info.file, info.line, n.field_span("total"))
        if info.title and n.title and _squash(info.title) != _squash(n.title):
            yield Conflict(canonical, "title", info.title, n.title, info.file, info.line, n.field_span("title"))
