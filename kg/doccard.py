"""The document card: everything the graph knows about one 文号, found from a query in any form.

`lookup_document(store, "冀财社2021 176")` gives the card of 冀财社〔2021〕176号: issuer organisation
and level, year, serial, every raw spelling, every project citing it (as funding document or as
indicator basis) with its budget, the total, and where it is mentioned. A partial query ("176号",
"冀财社") gives no card but the cards of every matching document as candidates.
"""

from __future__ import annotations

import json
import os
import pickle
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from ingest.docnumber import DocNumber, DocQuery
from ingest.errors import DocNumberError, HrssError
from kg.corpus import Corpus
from kg.graph import document_iri
from kg.queries import run_named
from kg.settings import Settings
from kg.store import Store, open_store

__all__ = ["DocCard", "DocProject", "Mention", "DocLookup", "lookup_document",
           "cards_from_corpus", "write_doc_cards", "merge_doc_cards", "DOC_INDEX_FILE", "DOC_CARDS_FILE"]

DOC_INDEX_FILE = "doc_index.json"  # canonical 文号 of every document, for partial queries
DOC_CARDS_FILE = "doc_cards.pickle"  # every document's card, written with the graph


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

    def to_json(self) -> dict[str, Any]:
        return {
            "canonical": self.canonical, "issuer": self.issuer, "organisation": self.organisation,
            "level": self.level, "year": self.year, "seq": self.seq, "spellings": self.spellings,
            "projects": [vars(p) for p in self.projects], "total_wan": self.total_wan,
            "mentions": [vars(m) for m in self.mentions],
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


_INFO = """SELECT ?issuer ?organisation ?level ?doc_year ?doc_seq ?spelling WHERE {
  VALUES ?d { %s }
  ?d a hk:Document ; hk:issuerPrefix ?issuer ; hk:docYear ?doc_year ; hk:docSeq ?doc_seq .
  OPTIONAL { ?d hk:rawSpelling ?spelling }
  OPTIONAL { ?d dcterms:creator ?org .
             OPTIONAL { ?org skos:prefLabel ?organisation }
             OPTIONAL { ?org hk:adminLevel ?level } }
}"""

_PROJECTS = """SELECT ?relation ?year ?project_code ?project_name ?unit_code ?unit_name ?budget_wan
       ?budget_printed ?project WHERE {
  VALUES ?d { %s }
  { ?project hk:fundedBy ?d . BIND("funding" AS ?relation) }
  UNION
  { ?project hk:citesBasis ?d . BIND("basis" AS ?relation) }
  OPTIONAL { ?project hk:year ?year }
  OPTIONAL { ?project hk:projectCode ?project_code }
  OPTIONAL { ?project hk:projectName ?project_name }
  OPTIONAL { ?project hk:unit ?u . ?u hk:unitCode ?unit_code . OPTIONAL { ?u skos:prefLabel ?unit_name } }
  OPTIONAL { ?project hk:budgetWan ?budget_wan }
  OPTIONAL { ?project hk:budgetPrinted ?budget_printed }
}"""

_MENTIONS = """SELECT ?file ?line ?field ?raw WHERE {
  VALUES ?d { %s }
  ?m hk:mentions ?d ; hk:field ?field ; hk:rawSpelling ?raw ; prov:wasDerivedFrom ?span .
  ?span hk:sourceFile ?file ; hk:firstLine ?line .
}"""


def _amount(row: dict[str, Any]) -> Decimal | None:
    # the printed form ("1384.00"); stores such as Oxigraph give the decimal by value (1384)
    printed = row.get("budget_printed")
    return Decimal(str(printed)) if printed is not None else row.get("budget_wan")  # type: ignore[return-value]


def _card(store: Store, canonical: str) -> DocCard | None:
    """The card of one document, read by its IRI (three small queries, no scan)."""
    iri = f"<{document_iri(canonical)}>"
    info = store.query(_INFO % iri, limit=None).rows
    if not info:
        return None
    first = info[0]
    projects: dict[tuple[Any, Any], DocProject] = {}
    for r in store.query(_PROJECTS % iri, limit=None).rows:
        key = (r["year"], r["project_code"] or r["project"])
        if key in projects and projects[key].relation == "funding":
            continue  # a project citing it both ways is listed once, as funded by it
        projects[key] = DocProject(r["year"], r["project_code"], r["project_name"],  # type: ignore[arg-type]
                                   r["unit_code"], r["unit_name"], _amount(r),  # type: ignore[arg-type]
                                   str(r["relation"]))
    listed = sorted(projects.values(), key=lambda p: (p.relation != "funding", p.year or 0,
                                                      p.project_code or ""))
    mentions = {Mention(str(r["file"]), int(r["line"]), str(r["field"]), str(r["raw"]))  # type: ignore[arg-type]
                for r in store.query(_MENTIONS % iri, limit=None).rows}
    return DocCard(
        canonical=canonical,
        issuer=str(first["issuer"]),
        organisation=first["organisation"],  # type: ignore[arg-type]
        level=first["level"],  # type: ignore[arg-type]
        year=int(first["doc_year"]),  # type: ignore[arg-type]
        seq=int(first["doc_seq"]),  # type: ignore[arg-type]
        spellings=sorted({str(r["spelling"]) for r in info if r["spelling"] is not None}),
        projects=listed,
        total_wan=sum((p.budget_wan for p in listed if p.budget_wan is not None), Decimal(0)),
        mentions=sorted(mentions, key=lambda m: (m.file, m.line, m.field, m.raw)),
    )


def cards_from_corpus(corpus: Corpus, settings: Settings) -> dict[str, DocCard]:
    """Every document's card, from the records the graph was written from (one pass, no queries).

    The same cards `_card` reads from the store (a test holds them equal): units named as the graph
    names them, issuers as the lineage registers them (documents.csv may name an issuer the issuer
    table does not know), amounts as printed.
    """
    from kg.graph import derive_units
    from kg.lineage.derive import build_lineage_data

    units = derive_units(corpus.projects)
    summaries = build_lineage_data(corpus, settings).documents
    projects: dict[str, dict[tuple[Any, Any], DocProject]] = {}
    mentions: dict[str, set[Mention]] = {}
    spellings: dict[str, set[str]] = {}
    for p in corpus.projects:
        unit = units.get(p.unit_code) if p.unit_code else None
        for relation, refs in (("funding", p.doc_refs), ("basis", p.basis_refs)):
            for ref in refs:
                c = ref.canonical
                mentions.setdefault(c, set()).add(Mention(p.span.file, ref.line, ref.field, ref.raw))
                spellings.setdefault(c, set()).add(ref.raw)
                listed = projects.setdefault(c, {})
                key = (p.year, p.project_code)
                if key in listed and listed[key].relation == "funding":
                    continue  # a project citing it both ways is listed once, as funded by it
                listed[key] = DocProject(p.year, p.project_code, p.project_name, p.unit_code,
                                         unit.name if unit else None, p.budget_wan, relation)
    for c in summaries:
        projects.setdefault(c, {})
    cards: dict[str, DocCard] = {}
    for c, listed in projects.items():
        doc = DocNumber.parse(c)
        summary = summaries.get(c)
        ordered = sorted(listed.values(), key=lambda d: (d.relation != "funding", d.year or 0,
                                                          d.project_code or ""))
        cards[c] = DocCard(
            canonical=c, issuer=doc.issuer,
            organisation=summary.organisation if summary else doc.organisation,
            level=summary.level if summary else doc.level,
            year=doc.year, seq=doc.seq, spellings=sorted(spellings.get(c, ())), projects=ordered,
            total_wan=sum((d.budget_wan for d in ordered if d.budget_wan is not None), Decimal(0)),
            mentions=sorted(mentions.get(c, ()), key=lambda m: (m.file, m.line, m.field, m.raw)),
        )
    return cards


def write_doc_cards(cards: dict[str, DocCard], build_dir: Path) -> int:
    """Write the cards (DOC_CARDS_FILE) and the 文号 list (DOC_INDEX_FILE) atomically; how many."""
    for name, data in ((DOC_CARDS_FILE, pickle.dumps(cards, protocol=pickle.HIGHEST_PROTOCOL)),
                       (DOC_INDEX_FILE, json.dumps(sorted(cards), ensure_ascii=False).encode())):
        tmp = build_dir / f".{name}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, build_dir / name)
    return len(cards)


def merge_doc_cards(build_dir: Path, corpus: Corpus, settings: Settings) -> int:
    """Add the cards of newly added projects to a build's cards (`kg add`)."""
    cards = dict(_cards(build_dir) or {})
    for c, new in cards_from_corpus(corpus, settings).items():
        old = cards.get(c)
        if old is None:
            cards[c] = new
            continue
        merged = sorted([*old.projects, *(d for d in new.projects if d not in old.projects)],
                        key=lambda d: (d.relation != "funding", d.year or 0, d.project_code or ""))
        cards[c] = replace(
            old, spellings=sorted({*old.spellings, *new.spellings}), projects=merged,
            total_wan=sum((d.budget_wan for d in merged if d.budget_wan is not None), Decimal(0)),
            mentions=sorted({*old.mentions, *new.mentions}, key=lambda m: (m.file, m.line, m.field, m.raw)))
    return write_doc_cards(cards, build_dir)


_CARDS_CACHE: dict[Path, tuple[float, dict[str, DocCard]]] = {}


def _cards(build_dir: Path | None) -> dict[str, DocCard] | None:
    """The build's precomputed cards (read once per version), None for a build without them."""
    if build_dir is None:
        return None
    path = build_dir / DOC_CARDS_FILE
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    hit = _CARDS_CACHE.get(path)
    if hit is None or hit[0] != mtime:
        with path.open("rb") as f:
            hit = _CARDS_CACHE[path] = (mtime, pickle.load(f))
    return hit[1]


_NUMBERS_CACHE: dict[int, tuple[dict[str, DocCard], list[DocNumber]]] = {}


def _sorted_numbers(cards: dict[str, DocCard]) -> list[DocNumber]:
    """The cards' 文号 parsed and sorted once per loaded cards (partial queries scan them)."""
    hit = _NUMBERS_CACHE.get(id(cards))
    if hit is None or hit[0] is not cards:
        _NUMBERS_CACHE.clear()
        hit = _NUMBERS_CACHE[id(cards)] = (cards, sorted(DocNumber.parse(c) for c in cards))
    return hit[1]


_INDEX_CACHE: dict[Path, tuple[float, list[DocNumber]]] = {}


def _known_documents(store: Store) -> list[DocNumber]:
    """Every document of the store's build: from its doc index (read once per version), else a query."""
    build_dir = getattr(store, "build_dir", None)
    path = build_dir / DOC_INDEX_FILE if build_dir is not None else None
    if path is not None and path.exists():
        mtime = path.stat().st_mtime
        hit = _INDEX_CACHE.get(path)
        if hit is None or hit[0] != mtime:
            docs = [DocNumber.parse(c) for c in json.loads(path.read_text(encoding="utf-8"))]
            hit = _INDEX_CACHE[path] = (mtime, docs)
        return hit[1]
    return [DocNumber(str(r["issuer"]), int(r["doc_year"]), int(r["doc_seq"]))  # type: ignore[arg-type]
            for r in run_named(store, "documents_list").rows]


def lookup_document(store: Store | Settings, text: str) -> DocLookup:
    """The card of the 文号 a query names, or the candidates a partial query matches.

    Raises DocNumberError when the text is not a document-number query at all.
    """
    if isinstance(store, Settings):
        with open_store(store) as opened:
            return lookup_document(opened, text)
    try:
        query = DocQuery.parse(text)
    except DocNumberError:
        raise
    except HrssError as e:  # pragma: no cover - DocQuery raises DocNumberError only
        raise DocNumberError(str(e)) from e
    precomputed = _cards(getattr(store, "build_dir", None))
    if precomputed is not None:
        if query.exact:
            card = precomputed.get(query.doc.canonical)  # type: ignore[union-attr]
            return DocLookup(text, card, [card] if card else [])
        found = _sorted_numbers(precomputed)
        return DocLookup(text, None, [precomputed[d.canonical] for d in found if query.matches(d)])
    # a store without a build of ours (an endpoint filled elsewhere): read the cards from the graph
    if query.exact:
        card = _card(store, query.doc.canonical)  # type: ignore[union-attr]
        return DocLookup(text, card, [card] if card else [])
    matches = sorted(d for d in _known_documents(store) if query.matches(d))
    cards = [c for c in (_card(store, d.canonical) for d in matches) if c is not None]
    return DocLookup(text, None, cards)
