"""The document card: everything the build knows about one 文号, found from a query in any form.

`lookup_document(store, "冀财社2021 176")` gives the card of 冀财社〔2021〕176号: issuer organisation
and level, year, serial, every raw spelling, every project citing it (as funding document or as
indicator basis) with its budget, the total, and where it is mentioned; for a funding notice the
build ingested, the notice record itself (header, declared total, allocations). A partial query
("176号", "冀财社") gives no card but the cards of every matching document as candidates.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from ingest.docnumber import DocQuery
from ingest.errors import DocNumberError, HrssError
from ingest.records import Notice, Project
from kg.audit.model import Finding
from kg.docmatch import DocNumbers, is_title_key, number_of
from kg.itemfile import Span, read_items, write_items
from kg.lineage.derive import DocumentSummary
from kg.lineage.notices import NoticeDoc
from kg.settings import Settings
from kg.units import Units
from kg.workspace import Workspace

__all__ = ["DocCard", "DocProject", "Mention", "DocLookup", "DocCards", "CardsError", "lookup_document",
           "derive_cards", "write_cards", "read_cards", "DOC_CARDS_FILE",
           "DOC_CARDS_INDEX", "StoredCards"]

DOC_CARDS_FILE = "doc_cards.items"  # every document's card, made in the build from its records, one item each
DOC_CARDS_INDEX = "doc_cards.index.pickle"  # each card's span in DOC_CARDS_FILE, by canonical 文号
_FORMAT = 1


class CardsError(HrssError):
    """The build's document cards are missing or unreadable."""


@dataclass(frozen=True)
class DocProject:
    """A project citing the document; relation is funding (title/name/purpose) or basis (indicators)."""

    year: int | None
    project_code: str | None
    project_name: str | None
    unit_code: str | None
    unit_name: str | None
    budget_wan: Decimal | None
    relation: str = "funding"
    region_code: str | None = None
    region_name: str | None = None


@dataclass(frozen=True)
class Mention:
    """One place the 文号 is printed: file, line, field (title, project_name, purpose, basis), raw form."""

    file: str
    line: int
    field: str
    raw: str


@dataclass(frozen=True)
class DocCard:
    """What the graph knows about one document."""

    canonical: str
    issuer: str
    organisation: str | None
    level: str | None
    year: int
    seq: int
    spellings: list[str] = field(default_factory=list)
    projects: list[DocProject] = field(default_factory=list)
    total_wan: Decimal = Decimal(0)
    mentions: list[Mention] = field(default_factory=list)
    # the ingested notice's, else data/documents.csv's (None when neither says)
    title: str | None = None
    date: str | None = None
    declared_total_wan: Decimal | None = None
    notice: Notice | None = None  # the ingested funding notice of this 文号, when the build holds one
    findings: tuple[Finding, ...] = ()  # the audit findings about that notice (see notice_findings)

    @property
    def regions(self) -> list[tuple[str, str | None]]:
        """(region_code, region_name) of the citing projects, in order of first appearance."""
        return list(dict.fromkeys((p.region_code, p.region_name) for p in self.projects if p.region_code))

    def to_json(self) -> dict[str, Any]:
        return {
            "canonical": self.canonical, "issuer": self.issuer, "organisation": self.organisation,
            "level": self.level, "year": self.year, "seq": self.seq, "spellings": self.spellings,
            "projects": [vars(p) for p in self.projects], "total_wan": self.total_wan,
            "regions": [{"region_code": c, "region_name": n} for c, n in self.regions],
            "mentions": [vars(m) for m in self.mentions],
            "title": self.title, "date": self.date, "declared_total_wan": self.declared_total_wan,
            "notice": self.notice.to_json() if self.notice else None,
        }


@dataclass(frozen=True)
class DocLookup:
    """The answer to a document query: the card of an exact match, or the candidates of a partial one."""

    query: str
    card: DocCard | None
    candidates: list[DocCard] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"query": self.query, "card": self.card.to_json() if self.card else None,
                "candidates": [c.to_json() for c in self.candidates]}


def _ordered(listed: Iterable[DocProject]) -> list[DocProject]:
    return sorted(listed, key=lambda d: (d.relation != "funding", d.region_code or "", d.year or 0,
                                         d.project_code or ""))


def derive_cards(projects: Iterable[Project], units: Units, summaries: Mapping[str, DocumentSummary],
                 region_names: Mapping[str, str | None] | None = None,
                 notices: Mapping[str, NoticeDoc] | None = None,
                 findings: Iterable[Finding] = ()) -> dict[str, DocCard]:
    """Every document's card, from the build's records in one pass: units named by `Units`, regions
    by `region_names` (code → name), issuers as the lineage registers them (documents.csv may name an
    issuer the issuer table does not know), amounts as printed; title, date and declared total from
    the ingested notice (`notices`), else documents.csv. An ingested notice has a card (with its
    record, and the `findings` about it) even when no project cites it."""
    notices = notices or {}
    about = notice_findings(findings, [n.notice for n in notices.values()])
    region_names = region_names or {}
    projects_of: dict[str, dict[tuple[Any, Any, Any], DocProject]] = {}
    mentions: dict[str, set[Mention]] = {}
    spellings: dict[str, set[str]] = {}
    for p in projects:
        for relation, refs in (("funding", p.doc_refs), ("basis", p.basis_refs)):
            for ref in refs:
                c = ref.canonical
                mentions.setdefault(c, set()).add(Mention(p.span.file, ref.line, ref.field, ref.raw))
                spellings.setdefault(c, set()).add(ref.raw)
                listed = projects_of.setdefault(c, {})
                key = (p.region_code, p.year, p.project_code)
                if key in listed and listed[key].relation == "funding":
                    continue  # a project citing it both ways is listed once, as funded by it
                listed[key] = DocProject(p.year, p.project_code, p.project_name, p.unit_code,
                                         units.name(p.unit_code, p.region_code or ""), p.budget_wan, relation,
                                         p.region_code, region_names.get(p.region_code or ""))
    for c in [*summaries, *notices]:
        projects_of.setdefault(c, {})
    cards: dict[str, DocCard] = {}
    for c, listed in projects_of.items():
        doc = number_of(c)
        summary = summaries.get(c)
        info = summary.info if summary else None
        stated = notices[c].notice if c in notices else None
        ordered = _ordered(listed.values())
        if doc is not None:
            issuer, year, seq = doc.issuer, doc.year, doc.seq
        else:  # a notice without a 文号: the year of its date, no serial
            issuer, seq = "", 0
            date = (stated.date if stated else None) or (info.date if info else None)
            year = int(date[:4]) if date else (stated.budget_year if stated and stated.budget_year else 0)
        cards[c] = DocCard(
            canonical=c, issuer=issuer,
            organisation=summary.organisation if summary else doc.organisation if doc else None,
            level=summary.level if summary else doc.level if doc else None,
            year=year, seq=seq, spellings=sorted(spellings.get(c, ())), projects=ordered,
            total_wan=sum((d.budget_wan for d in ordered if d.budget_wan is not None), Decimal(0)),
            mentions=sorted(mentions.get(c, ()), key=lambda m: (m.file, m.line, m.field, m.raw)),
            title=(stated.title if stated else None) or (info.title if info else None),
            date=(stated.date if stated else None) or (info.date if info else None),
            declared_total_wan=stated.declared_total_wan if stated and stated.declared_total_wan is not None
            else (info.total_wan if info else None),
            notice=stated,
            findings=tuple(about.get(stated.key, ())) if stated else (),
        )
    return cards


def notice_findings(findings: Iterable[Finding], notices: Iterable[Notice]) -> dict[str, list[Finding]]:
    """The findings about each notice (by its key), in their order: those located in the notice's own
    file, or naming its 文号 as the value."""
    by_file: dict[str, list[str]] = {}
    by_number: dict[str, list[str]] = {}
    for n in notices:
        by_file.setdefault(n.span.file, []).append(n.key)
        if n.doc_number is not None:
            by_number.setdefault(n.doc_number, []).append(n.key)
    out: dict[str, list[Finding]] = {}
    for f in findings:
        for key in dict.fromkeys([*by_file.get(f.span.file, ()), *by_number.get(f.value, ())]):
            out.setdefault(key, []).append(f)
    return out


class StoredCards(Mapping[str, DocCard]):
    """The cards of a build by canonical 文号, each read from DOC_CARDS_FILE when it is asked for."""

    def __init__(self, path: Path, spans: dict[str, Span]) -> None:
        self.path, self._spans = path, spans

    def __getitem__(self, canonical: str) -> DocCard:
        return self.read([canonical])[0]

    def __iter__(self) -> Iterator[str]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)

    def __contains__(self, canonical: object) -> bool:
        return canonical in self._spans

    def read(self, canonicals: list[str]) -> list[DocCard]:
        """The cards of these 文号 (each known), in their order, read at once."""
        try:
            raws = read_items(self.path, [self._spans[c] for c in canonicals])
            return [pickle.loads(raw) for raw in raws]
        except KeyError:
            raise
        except Exception as e:  # a missing, truncated or foreign file raises many unrelated types
            raise CardsError(f"{self.path}: 文号卡片文件已损坏（{type(e).__name__}）；请运行 `python -m kg build`") from e


class DocCards:
    """The document cards of one build, with their 文号 parsed once for partial queries; the cards are
    held (the build) or read from the build one query at a time (StoredCards)."""

    def __init__(self, cards: Mapping[str, DocCard]) -> None:
        self.cards: Mapping[str, DocCard] = cards if isinstance(cards, StoredCards) else dict(cards)

    def _many(self, canonicals: list[str]) -> list[DocCard]:
        if isinstance(self.cards, StoredCards):
            return self.cards.read(canonicals)
        return [self.cards[c] for c in canonicals]

    @cached_property
    def numbers(self) -> DocNumbers:
        return DocNumbers(self.cards)

    def lookup(self, text: str) -> DocLookup:
        """The card of the 文号 a query names, or the candidates a partial query matches; a notice
        without a 文号 of its own by its title key or a part of its title (one match: its card).

        Raises DocNumberError when the text is not a document-number query at all.
        """
        titled = self.cards.get(text) if is_title_key(text) else None
        if titled is not None:
            return DocLookup(text, titled, [titled])
        by_title = self.numbers.match_title(text)  # a notice printing no 文号, found by its title
        if by_title:
            cards = self._many(by_title)
            return DocLookup(text, cards[0] if len(cards) == 1 else None, cards)
        query = DocQuery.parse(text)
        if query.exact:
            card = self.cards.get(query.doc.canonical)  # type: ignore[union-attr]
            return DocLookup(text, card, [card] if card else [])
        return DocLookup(text, None, self._many(self.numbers.match(query)))


def write_cards(cards: Mapping[str, DocCard], build_dir: Path) -> int:
    """Write the cards one item each (DOC_CARDS_FILE) and their spans (DOC_CARDS_INDEX); how many."""
    spans = write_items(build_dir / DOC_CARDS_FILE,
                        ((c, pickle.dumps(card, protocol=pickle.HIGHEST_PROTOCOL)) for c, card in cards.items()))
    index = pickle.dumps({"format": _FORMAT, "spans": spans}, protocol=pickle.HIGHEST_PROTOCOL)
    write_items(build_dir / DOC_CARDS_INDEX, [(0, index)])
    return len(spans)


def read_cards(build_dir: Path) -> DocCards:
    """The cards of a build, each read when a query asks for it; CardsError names the file and how to
    rebuild when the cards are missing or unreadable."""
    path = build_dir / DOC_CARDS_INDEX
    if not (build_dir / DOC_CARDS_FILE).exists():
        raise CardsError(f"{build_dir / DOC_CARDS_FILE}: 此构建没有文号卡片；请运行 `python -m kg build`")
    try:
        index = pickle.loads(path.read_bytes())
    except FileNotFoundError as e:
        raise CardsError(f"{path}: 此构建没有文号卡片；请运行 `python -m kg build`") from e
    except Exception as e:  # a truncated or foreign pickle raises many unrelated types
        raise CardsError(f"{path}: 文号卡片文件已损坏（{type(e).__name__}）；请运行 `python -m kg build`") from e
    if not isinstance(index, dict) or index.get("format") != _FORMAT:
        raise CardsError(f"{path}: 文号卡片文件已损坏；请运行 `python -m kg build`")
    return DocCards(StoredCards(build_dir / DOC_CARDS_FILE, index["spans"]))


def lookup_document(source: DocCards | Settings, text: str) -> DocLookup:
    """The card of the 文号 a query names, or the candidates a partial query matches; `source` is a
    build's cards (`Build.cards`) or settings naming the published build.

    Raises DocNumberError when the text is not a document-number query at all.
    """
    if isinstance(source, Settings):
        source = read_cards(Workspace(source.index_dir).current)
    try:
        return source.lookup(text)
    except DocNumberError:
        raise
    except HrssError as e:  # pragma: no cover - DocQuery raises DocNumberError only
        raise DocNumberError(str(e)) from e
