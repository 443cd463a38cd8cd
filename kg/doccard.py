"""The document card: everything the graph knows about one 文号, found from a query in any form.

`lookup_document(store, "冀财社2021 176")` gives the card of 冀财社〔2021〕176号: issuer organisation
and level, year, serial, every raw spelling, every project citing it (as funding document or as
indicator basis) with its budget, the total, and where it is mentioned. A partial query ("176号",
"冀财社") gives no card but the cards of every matching document as candidates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ingest.docnumber import DocNumber, DocQuery
from ingest.errors import DocNumberError, HrssError
from kg.queries import run_named
from kg.settings import Settings
from kg.store import Store, open_store

__all__ = ["DocCard", "DocProject", "Mention", "DocLookup", "lookup_document"]


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


def _card(store: Store, canonical: str) -> DocCard | None:
    info = run_named(store, "document_info", doc=canonical).rows
    if not info:
        return None
    first = info[0]
    projects: dict[tuple[Any, Any], DocProject] = {}
    for r in run_named(store, "document_projects", doc=canonical).rows:
        key = (r["year"], r["project_code"] or r["project"])
        if key in projects and projects[key].relation == "funding":
            continue  # a project citing it both ways is listed once, as funded by it
        projects[key] = DocProject(r["year"], r["project_code"], r["project_name"],  # type: ignore[arg-type]
                                   r["unit_code"], r["unit_name"], r["budget_wan"],  # type: ignore[arg-type]
                                   str(r["relation"]))
    listed = sorted(projects.values(), key=lambda p: (p.relation != "funding", p.year or 0,
                                                      p.project_code or ""))
    mentions = [Mention(str(r["file"]), int(r["line"]), str(r["field"]), str(r["raw"]))  # type: ignore[arg-type]
                for r in run_named(store, "document_mentions", doc=canonical).rows]
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
        mentions=sorted(set(mentions), key=lambda m: (m.file, m.line, m.field, m.raw)),
    )


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
    if query.exact:
        card = _card(store, query.doc.canonical)  # type: ignore[union-attr]
        return DocLookup(text, card, [card] if card else [])
    matches = []
    for r in run_named(store, "documents_list").rows:
        doc = DocNumber(str(r["issuer"]), int(r["doc_year"]), int(r["doc_seq"]))  # type: ignore[arg-type]
        if query.matches(doc):
            matches.append(doc)
    cards = [c for c in (_card(store, d.canonical) for d in sorted(matches)) if c is not None]
    return DocLookup(text, None, cards)
