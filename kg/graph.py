"""Records → RDF: projects, documents, budget units, indicators, spending plans, narrative, themes.

IRIs are derived from the data, never counted: a project from year + 项目编码, a document from its
canonical 文号, a unit from its code, a source span from file + lines. Building the same input twice
gives the same triples, and re-ingesting a file adds nothing new.

Amounts are `xsd:decimal` literals whose lexical form is the amount as printed ("10.00").
"""

from __future__ import annotations

import csv
import importlib
import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, SKOS

from ingest.docnumber import DocNumber
from ingest.errors import HrssError
from ingest.records import DocRef, Indicator, NarrativeItem, Project, SourceSpan
from kg.corpus import Corpus
from kg.namespace import HK, HK_DATA, PREFIXES
from kg.settings import Settings
from kg.themes import load_themes, tag_narrative, tag_project
from kg import ntriples as N

__all__ = [
    "build_graph",
    "project_iri",
    "document_iri",
    "unit_iri",
    "span_iri",
    "issuer_iri",
    "decimal_literal",
    "UnitInfo",
    "derive_units",
    "ONTOLOGY_TTL",
    "UNITS_CSV",
    "CONTRIBUTORS",
    "graph_step",
    "iter_ntriples",
    "graph_from_lines",
    "split_line",
    "level_concept",
]

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
ONTOLOGY_TTL = ONTOLOGY_DIR / "hrss.ttl"
UNITS_CSV = ONTOLOGY_DIR / "units.csv"

# Modules whose `<name>(corpus, settings)` adds to the graph at the end of a build: N-Triples lines
# written with kg.ntriples (str), or rdflib (s, p, o) triples, converted here.
CONTRIBUTORS: list[tuple[str, str]] = [
    ("kg.lineage", "lineage_ntriples"),
    ("kg.audit", "audit_ntriples"),
]


class GraphError(HrssError):
    """The graph cannot be built (bad override data, a failing contributor)."""


# ---------------------------------------------------------------- IRIs


def _seg(text: str) -> str:
    """One IRI path segment, percent-encoded (UTF-8) so every store and serialiser accepts it."""
    return quote(text, safe="-_.~")


def project_iri(project: Project) -> URIRef:
    """hkd:project/<year>/<项目编码>; a table without a code is named by its file and first line."""
    year = str(project.year) if project.year is not None else "na"
    if project.project_code:
        return HK_DATA[f"project/{year}/{_seg(project.project_code)}"]
    return HK_DATA[f"project/{year}/_{_seg(project.span.file)}-{project.span.first_line}"]


def document_iri(canonical: str) -> URIRef:
    """hkd:doc/<issuer>/<year>/<seq> from a canonical 文号."""
    doc = DocNumber.parse(canonical)
    return HK_DATA[f"doc/{quote(doc.issuer)}/{doc.year}/{doc.seq}"]


def issuer_iri(prefix: str) -> URIRef:
    return HK_DATA[f"issuer/{quote(prefix)}"]


def unit_iri(code: str) -> URIRef:
    return HK_DATA[f"unit/{_seg(code)}"]


def span_iri(span: SourceSpan) -> URIRef:
    return HK_DATA[f"span/{quote(span.file, safe='')}/{span.first_line}-{span.last_line}"]


def narrative_iri(item: NarrativeItem) -> URIRef:
    return HK_DATA[f"narrative/{quote(item.span.file, safe='')}/{item.span.first_line}"]


def decimal_literal(value: Decimal) -> Literal:
    """An xsd:decimal literal with the lexical form as printed (Decimal("10.00") → "10.00")."""
    return Literal(format(value, "f"), datatype=XSD.decimal)


# ---------------------------------------------------------------- units


@dataclass(frozen=True)
class UnitInfo:
    """A budget unit: its code, name (most common spelling) and parent unit code."""

    code: str
    name: str | None
    parent: str | None
    other_names: tuple[str, ...] = ()


def _read_overrides(path: Path) -> dict[str, tuple[str | None, str | None]]:
    if not path.exists():
        return {}
    out: dict[str, tuple[str | None, str | None]] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or not {"code", "name", "parent_code"} <= set(reader.fieldnames):
            raise GraphError(f"{path}: expected the columns code,name,parent_code")
        for n, row in enumerate(reader, start=2):
            code = (row["code"] or "").strip()
            if not code:
                raise GraphError(f"{path}:{n}: empty unit code")
            out[code] = ((row["name"] or "").strip() or None, (row["parent_code"] or "").strip() or None)
    return out


def derive_units(projects: Iterable[Project], overrides: Path | None = UNITS_CSV) -> dict[str, UnitInfo]:
    """Every unit code seen, with its name and parent.

    A unit's parent is the bureau of its group: units whose codes share all but the last three
    digits form a group, and its bureau is the member whose code ends in 001 and whose name ends
    with 局. ontology/units.csv (code,name,parent_code) overrides names and parents, and may add
    units the data never shows.
    """
    names: dict[str, Counter[str]] = defaultdict(Counter)
    for p in projects:
        if p.unit_code:
            names[p.unit_code][p.unit_name or ""] += 1
    override = _read_overrides(overrides) if overrides else {}
    codes = sorted(set(names) | set(override))

    def best(code: str) -> str | None:
        counted = [(n, c) for n, c in names.get(code, Counter()).items() if n]
        return sorted(counted, key=lambda nc: (-nc[1], nc[0]))[0][0] if counted else None

    bureaus: dict[str, str] = {}
    for code in codes:
        name = (override.get(code, (None, None))[0]) or best(code) or ""
        if len(code) > 3 and code.endswith("001") and name.endswith("局"):
            bureaus[code[:-3]] = code
    out: dict[str, UnitInfo] = {}
    for code in codes:
        o_name, o_parent = override.get(code, (None, None))
        parent = o_parent or (bureaus.get(code[:-3]) if len(code) > 3 else None)
        if parent == code:
            parent = None
        name = o_name or best(code)
        others = tuple(sorted(n for n in names.get(code, Counter()) if n and n != name))
        out[code] = UnitInfo(code, name, parent, others)
    for info in out.values():
        if info.parent and info.parent not in out:
            out[info.parent] = UnitInfo(info.parent, None, None)
    return out


# ---------------------------------------------------------------- indicator levels


@cache
def _level_concepts() -> dict[str, URIRef]:
    g = Graph().parse(ONTOLOGY_TTL, format="turtle")
    out: dict[str, URIRef] = {}
    for concept in g.subjects(SKOS.inScheme, HK.IndicatorLevels):
        for label in [*g.objects(concept, SKOS.prefLabel), *g.objects(concept, SKOS.altLabel)]:
            out[str(label)] = URIRef(concept)
    return out


def level_concept(label: str | None) -> URIRef | None:
    """The indicator-level concept (hkl:…) named by a printed level label, None when unknown."""
    return _level_concepts().get(label.strip()) if label else None


# ---------------------------------------------------------------- the builder


_TYPE = N.iri(str(RDF.type))
_LABEL = N.iri(str(RDFS.label))
_DERIVED = N.iri(str(PROV.wasDerivedFrom))


def _p(term: URIRef) -> str:
    return N.iri(str(term))


def span_ntriples(span: SourceSpan) -> tuple[str, tuple[str, ...]]:
    """A source span's IRI in N-Triples form and the lines describing it (file, first, last line).

    The graph, the lineage and the audit all cite spans; the IRI is the span's identity, so the same
    lines written twice are one set of triples.
    """
    iri = N.iri(str(span_iri(span)))
    return iri, (
        f"{iri} {_TYPE} {_p(HK.SourceSpan)} .\n",
        f"{iri} {_p(HK.sourceFile)} {N.lit(span.file)} .\n",
        f"{iri} {_p(HK.firstLine)} {N.integer(span.first_line)} .\n",
        f"{iri} {_p(HK.lastLine)} {N.integer(span.last_line)} .\n",
    )


class _Builder:
    """Writes the triples of records as N-Triples lines into `out` (see kg.ntriples)."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.spans: set[str] = set()
        self.docs: dict[str, str] = {}
        self.spellings: set[tuple[str, str]] = set()

    def add(self, s: str, p: str, o: str) -> None:
        self.out.append(f"{s} {p} {o} .\n")

    def lit(self, s: str, p: str, value: str | int | None) -> None:
        if value is None or value == "":
            return
        self.out.append(f"{s} {p} {N.integer(value) if isinstance(value, int) else N.lit(value)} .\n")

    def amount(self, s: str, p: str, value: Decimal | None, printed: str | None = None) -> None:
        if value is not None:
            self.out.append(f"{s} {p} {N.decimal(value)} .\n")
            if printed is not None:
                self.out.append(f"{s} {printed} {N.lit(format(value, 'f'))} .\n")

    def span(self, span: SourceSpan) -> str:
        iri, lines = span_ntriples(span)
        if iri not in self.spans:
            self.spans.add(iri)
            self.out.extend(lines)
        return iri

    def derived(self, s: str, span: SourceSpan) -> None:
        self.add(s, _DERIVED, self.span(span))

    def document(self, canonical: str, kind: URIRef) -> str:
        iri = self.docs.get(canonical)
        if iri is None:
            doc = DocNumber.parse(canonical)
            iri = self.docs[canonical] = N.iri(str(document_iri(canonical)))
            self.add(iri, _TYPE, _p(HK.Document))
            self.add(iri, _p(DCTERMS.identifier), N.lit(doc.canonical))
            self.add(iri, _LABEL, N.lit(doc.canonical))
            self.add(iri, _p(DCTERMS.issued), N.typed(str(doc.year), N.XSD_GYEAR))
            self.add(iri, _p(HK.docYear), N.integer(doc.year))
            self.add(iri, _p(HK.docSeq), N.integer(doc.seq))
            self.add(iri, _p(HK.issuerPrefix), N.lit(doc.issuer))
            issuer = N.iri(str(issuer_iri(doc.issuer)))
            self.add(iri, _p(DCTERMS.creator), issuer)
            self.add(issuer, _TYPE, _p(HK.Issuer))
            self.add(issuer, _p(HK.issuerPrefix), N.lit(doc.issuer))
            if doc.organisation:
                self.add(issuer, _p(SKOS.prefLabel), N.lit(doc.organisation))
            if doc.level:
                self.add(issuer, _p(HK.adminLevel), N.lit(doc.level))
        if (iri, kind) not in self.spellings:
            self.spellings.add((iri, kind))
            self.add(iri, _TYPE, _p(kind))
        return iri

    def mention(self, project: str, n: int, ref: DocRef, doc: str, file: str) -> None:
        m = f"{project[:-1]}/mention/{n}>"
        self.add(m, _TYPE, _p(HK.Mention))
        self.add(m, _p(HK.mentions), doc)
        self.add(m, _p(HK.inProject), project)
        self.add(m, _p(HK.field), N.lit(ref.field))
        self.add(m, _p(HK.rawSpelling), N.lit(ref.raw))
        self.derived(m, SourceSpan(file, ref.line, ref.line))
        if (doc, ref.raw) not in self.spellings:
            self.spellings.add((doc, ref.raw))
            self.add(doc, _p(HK.rawSpelling), N.lit(ref.raw))

    def unit(self, info: UnitInfo) -> None:
        iri = N.iri(str(unit_iri(info.code)))
        self.add(iri, _TYPE, _p(HK.BudgetUnit))
        self.add(iri, _TYPE, _p(ORG.Organization))
        self.add(iri, _p(HK.unitCode), N.lit(info.code))
        if info.name:
            self.add(iri, _p(SKOS.prefLabel), N.lit(info.name))
            self.add(iri, _LABEL, N.lit(info.name))
        for other in info.other_names:
            self.add(iri, _p(SKOS.altLabel), N.lit(other))
        if info.parent:
            parent = N.iri(str(unit_iri(info.parent)))
            self.add(iri, _p(ORG.subOrganizationOf), parent)
            self.add(parent, _p(ORG.hasSubOrganization), iri)

    def indicator(self, project: str, n: int, ind: Indicator) -> None:
        iri = f"{project[:-1]}/indicator/{n}>"
        self.add(project, _p(HK.hasIndicator), iri)
        self.add(iri, _TYPE, _p(HK.Indicator))
        self.add(iri, _p(HK.position), N.integer(n))
        self.lit(iri, _p(HK.level1), ind.level1)
        self.lit(iri, _p(HK.level2), ind.level2)
        self.lit(iri, _p(HK.level3), ind.level3)
        if ind.level3:
            self.add(iri, _LABEL, N.lit(ind.level3))
        concept = level_concept(ind.level2) or level_concept(ind.level1)
        if concept is not None:
            self.add(iri, _p(HK.category), _p(concept))
        self.lit(iri, _p(HK.description), ind.description)
        self.lit(iri, _p(HK.targetValue), ind.value)
        self.lit(iri, _p(HK.basis), ind.basis)
        if ind.parsed is not None:
            self.lit(iri, _p(HK.valueOp), ind.parsed.op)
            self.amount(iri, _p(HK.valueNumber), ind.parsed.number)
            self.lit(iri, _p(HK.valueUnit), ind.parsed.unit)
        if ind.repaired:
            self.add(iri, _p(HK.repaired), N.TRUE)
        self.derived(iri, ind.span)

    def project(self, p: Project, themes: list) -> str:
        iri = N.iri(str(project_iri(p)))
        self.add(iri, _TYPE, _p(HK.Project))
        self.add(iri, _TYPE, _p(PROV.Entity))
        if p.year is not None:
            self.add(iri, _p(HK.year), N.integer(p.year))
        self.lit(iri, _p(HK.seq), p.seq)
        self.lit(iri, _p(HK.projectCode), p.project_code)
        self.lit(iri, _p(DCTERMS.title), p.title)
        self.lit(iri, _p(HK.projectName), p.project_name)
        self.lit(iri, _LABEL, p.project_name or p.title)
        if p.unit_code:
            self.add(iri, _p(HK.unit), N.iri(str(unit_iri(p.unit_code))))
        self.amount(iri, _p(HK.budgetWan), p.budget_wan, _p(HK.budgetPrinted))
        self.amount(iri, _p(HK.fiscalWan), p.fiscal_wan, _p(HK.fiscalPrinted))
        self.amount(iri, _p(HK.otherWan), p.other_wan, _p(HK.otherPrinted))
        self.lit(iri, _p(HK.purpose), p.purpose)
        for goal in p.goals:
            self.lit(iri, _p(HK.goal), goal)
        self.lit(iri, _p(HK.yearSource), p.year_source)
        self.derived(iri, p.span)
        if p.spending_plan is not None and not p.spending_plan.is_blank:
            plan = f"{iri[:-1]}/plan>"
            self.add(iri, _p(HK.spendingPlan), plan)
            self.add(plan, _TYPE, _p(HK.SpendingPlan))
            for n, (label, printed, pct) in enumerate(
                zip(p.spending_plan.labels, p.spending_plan.printed, p.spending_plan.percents,
                    strict=True), start=1):
                entry = f"{plan[:-1]}/{n}>"
                self.add(plan, _p(HK.entry), entry)
                self.add(entry, _TYPE, _p(HK.PlanEntry))
                self.add(entry, _p(HK.position), N.integer(n))
                self.lit(entry, _p(HK.periodLabel), label)
                self.lit(entry, _p(HK.printedValue), printed)
                self.amount(entry, _p(HK.cumulativePercent), pct)
        for n, ind in enumerate(p.indicators, start=1):
            self.indicator(iri, n, ind)
        n = 0
        for ref in p.doc_refs:
            doc = self.document(ref.canonical, HK.FundingDocument)
            self.add(iri, _p(HK.fundedBy), doc)
            n += 1
            self.mention(iri, n, ref, doc, p.span.file)
        for ref in p.basis_refs:
            doc = self.document(ref.canonical, HK.PolicyDocument)
            self.add(iri, _p(HK.citesBasis), doc)
            n += 1
            self.mention(iri, n, ref, doc, p.span.file)
        for theme in tag_project(p, themes):
            self.add(iri, _p(HK.theme), _p(theme.iri))
        return iri

    def narrative(self, item: NarrativeItem, themes: list) -> None:
        iri = N.iri(str(narrative_iri(item)))
        self.add(iri, _TYPE, _p(HK.NarrativeItem))
        self.lit(iri, _p(HK.section), item.section)
        self.lit(iri, _p(HK.heading), item.heading)
        self.lit(iri, _p(HK.parentHeading), item.parent)
        self.lit(iri, _p(HK.text), item.text)
        if item.year is not None:
            self.add(iri, _p(HK.year), N.integer(item.year))
        self.derived(iri, item.span)
        for theme in tag_narrative(item, themes):
            self.add(iri, _p(HK.theme), _p(theme.iri))


@cache
def _scheme_lines() -> tuple[str, ...]:
    """The theme scheme and the indicator-level concepts, so the data graph is self-contained."""
    from kg.themes import THEMES_TTL

    themes = Graph().parse(THEMES_TTL, format="turtle")
    onto = Graph().parse(ONTOLOGY_TTL, format="turtle")
    concepts = set(onto.subjects(SKOS.inScheme, HK.IndicatorLevels)) | {HK.IndicatorLevels}
    levels = sorted((s, p, o) for s, p, o in onto if s in concepts)
    return tuple(N.line(N.from_rdflib(s), N.from_rdflib(p), N.from_rdflib(o))
                 for s, p, o in [*themes, *levels])


def _contributors() -> Iterator[Callable[[Corpus, Settings], Iterable[Any]]]:
    """Each contributor's function; a module that is not installed is skipped."""
    for module, name in CONTRIBUTORS:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name == module:
                continue  # that part of the build is not installed
            raise
        func = getattr(mod, name, None)
        if func is not None:
            yield func


def _as_lines(items: Iterable[Any]) -> Iterator[str]:
    """A contributor's output as N-Triples lines: lines pass through, rdflib triples are converted."""
    it = iter(items)
    first = next(it, None)
    if first is None:
        return
    if isinstance(first, str):
        yield first
        yield from it
        return
    term = N.from_rdflib
    for s, p, o in itertools.chain([first], it):
        yield f"{term(s)} {term(p)} {term(o)} .\n"


def _contributed(corpus: Corpus, settings: Settings) -> Iterator[str]:
    for func in _contributors():
        yield from _as_lines(func(corpus, settings))


def iter_ntriples(corpus: Corpus, settings: Settings, *, contributors: bool = True,
                  shared: bool = True) -> Iterator[str]:
    """The graph of a corpus as N-Triples lines, produced once, streamed project by project.

    `shared`: also the theme and level schemes and the budget units (left out when adding files to
    a build that has them). A line may repeat (a document cited twice); stores keep one copy.
    """
    b = _Builder()
    themes = load_themes()
    if shared:
        yield from _scheme_lines()
        for info in derive_units(corpus.projects).values():
            b.unit(info)
    for p in corpus.projects:
        b.project(p, themes)
        if len(b.out) >= 10_000:
            yield from b.out
            b.out = []
    for item in corpus.narrative:
        b.narrative(item, themes)
    yield from b.out
    b.out = []
    if contributors:
        yield from _contributed(corpus, settings)


split_line = N.split  # (subject, predicate, object) of an N-Triples line written by kg


def graph_from_lines(lines: Iterable[str]) -> Graph:
    """An rdflib Graph of N-Triples lines written by kg."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    add = g.add
    for triple in N.to_triples(lines):
        add(triple)
    return g


def build_graph(corpus: Corpus, settings: Settings, *, contributors: bool = True) -> Graph:
    """The RDF graph of a corpus: records, the theme scheme, indicator levels and contributed triples."""
    return graph_from_lines(iter_ntriples(corpus, settings, contributors=contributors))


def graph_step(corpus: Corpus, build_dir: Path, settings: Settings) -> dict[str, Any]:
    """Build step: build the graph and write it to the store named by settings.store.

    The memory store gets an rdflib Graph; Oxigraph and a SPARQL endpoint get the N-Triples lines
    streamed in chunks, so no rdflib object is made and memory stays bounded.
    """
    from kg.doccard import cards_from_corpus, write_doc_cards
    from kg.store import MemoryStore, class_counts, open_store, write_store

    unbounded = settings.with_(sparql_row_cap=2**62)
    if settings.store == "memory":
        g = build_graph(corpus, settings)
        info = write_store(g, build_dir, settings)
        store = MemoryStore(unbounded, g)
        store.build_dir = build_dir
    else:
        info = write_store(iter_ntriples(corpus, settings), build_dir, settings)
        store = open_store(unbounded, build_dir)
    with store:
        counts = class_counts(store)
    write_doc_cards(cards_from_corpus(corpus, settings), build_dir)
    return {"triples": info["triples"], "projects": counts.get("Project", 0),
            "documents": counts.get("Document", 0), "units": counts.get("BudgetUnit", 0),
            "indicators": counts.get("Indicator", 0), "store": info["backend"]}
