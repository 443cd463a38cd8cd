"""Records → RDF: projects, documents, budget units, indicators, spending plans, narrative, themes.

IRIs are derived from the data, never counted: a project from year + 项目编码, a document from its
canonical 文号, a unit from its code, a source span from file + lines. Building the same input twice
gives the same triples, and re-ingesting a file adds nothing new.

Amounts are `xsd:decimal` literals whose lexical form is the amount as printed ("10.00").
"""

from __future__ import annotations

import csv
import importlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
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
    "level_concept",
]

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
ONTOLOGY_TTL = ONTOLOGY_DIR / "hrss.ttl"
UNITS_CSV = ONTOLOGY_DIR / "units.csv"

# Modules whose `<name>(corpus, settings)` adds (s, p, o) triples at the end of a build.
CONTRIBUTORS: list[tuple[str, str]] = [
    ("kg.lineage", "lineage_triples"),
    ("kg.audit", "audit_triples"),
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


class _Builder:
    def __init__(self, graph: Graph) -> None:
        self.g = graph
        self.spans: set[URIRef] = set()
        self.docs: dict[str, URIRef] = {}

    def add(self, s: Any, p: Any, o: Any) -> None:
        self.g.add((s, p, o))

    def lit(self, s: URIRef, p: URIRef, value: str | int | bool | None) -> None:
        if value is None or value == "":
            return
        self.add(s, p, Literal(value))

    def amount(self, s: URIRef, p: URIRef, value: Decimal | None) -> None:
        if value is not None:
            self.add(s, p, decimal_literal(value))

    def span(self, span: SourceSpan) -> URIRef:
        iri = span_iri(span)
        if iri not in self.spans:
            self.spans.add(iri)
            self.add(iri, RDF.type, HK.SourceSpan)
            self.add(iri, HK.sourceFile, Literal(span.file))
            self.add(iri, HK.firstLine, Literal(span.first_line))
            self.add(iri, HK.lastLine, Literal(span.last_line))
        return iri

    def derived(self, s: URIRef, span: SourceSpan) -> None:
        self.add(s, PROV.wasDerivedFrom, self.span(span))

    def document(self, canonical: str, kind: URIRef) -> URIRef:
        iri = self.docs.get(canonical)
        if iri is None:
            doc = DocNumber.parse(canonical)
            iri = self.docs[canonical] = document_iri(canonical)
            self.add(iri, RDF.type, HK.Document)
            self.add(iri, DCTERMS.identifier, Literal(doc.canonical))
            self.add(iri, RDFS.label, Literal(doc.canonical))
            self.add(iri, DCTERMS.issued, Literal(str(doc.year), datatype=XSD.gYear))
            self.add(iri, HK.docYear, Literal(doc.year))
            self.add(iri, HK.docSeq, Literal(doc.seq))
            self.add(iri, HK.issuerPrefix, Literal(doc.issuer))
            issuer = issuer_iri(doc.issuer)
            self.add(iri, DCTERMS.creator, issuer)
            self.add(issuer, RDF.type, HK.Issuer)
            self.add(issuer, HK.issuerPrefix, Literal(doc.issuer))
            if doc.organisation:
                self.add(issuer, SKOS.prefLabel, Literal(doc.organisation))
            if doc.level:
                self.add(issuer, HK.adminLevel, Literal(doc.level))
        self.add(iri, RDF.type, kind)
        return iri

    def mention(self, project: URIRef, n: int, ref: DocRef, doc: URIRef, file: str) -> None:
        m = URIRef(f"{project}/mention/{n}")
        self.add(m, RDF.type, HK.Mention)
        self.add(m, HK.mentions, doc)
        self.add(m, HK.inProject, project)
        self.add(m, HK.field, Literal(ref.field))
        self.add(m, HK.rawSpelling, Literal(ref.raw))
        self.derived(m, SourceSpan(file, ref.line, ref.line))
        self.add(doc, HK.rawSpelling, Literal(ref.raw))

    def unit(self, info: UnitInfo) -> None:
        iri = unit_iri(info.code)
        self.add(iri, RDF.type, HK.BudgetUnit)
        self.add(iri, RDF.type, ORG.Organization)
        self.add(iri, HK.unitCode, Literal(info.code))
        if info.name:
            self.add(iri, SKOS.prefLabel, Literal(info.name))
            self.add(iri, RDFS.label, Literal(info.name))
        for other in info.other_names:
            self.add(iri, SKOS.altLabel, Literal(other))
        if info.parent:
            parent = unit_iri(info.parent)
            self.add(iri, ORG.subOrganizationOf, parent)
            self.add(parent, ORG.hasSubOrganization, iri)

    def indicator(self, project: URIRef, n: int, ind: Indicator) -> None:
        iri = URIRef(f"{project}/indicator/{n}")
        self.add(project, HK.hasIndicator, iri)
        self.add(iri, RDF.type, HK.Indicator)
        self.add(iri, HK.position, Literal(n))
        self.lit(iri, HK.level1, ind.level1)
        self.lit(iri, HK.level2, ind.level2)
        self.lit(iri, HK.level3, ind.level3)
        if ind.level3:
            self.add(iri, RDFS.label, Literal(ind.level3))
        concept = level_concept(ind.level2) or level_concept(ind.level1)
        if concept is not None:
            self.add(iri, HK.category, concept)
        self.lit(iri, HK.description, ind.description)
        self.lit(iri, HK.targetValue, ind.value)
        self.lit(iri, HK.basis, ind.basis)
        if ind.parsed is not None:
            self.lit(iri, HK.valueOp, ind.parsed.op)
            self.amount(iri, HK.valueNumber, ind.parsed.number)
            self.lit(iri, HK.valueUnit, ind.parsed.unit)
        if ind.repaired:
            self.add(iri, HK.repaired, Literal(True))
        self.derived(iri, ind.span)

    def project(self, p: Project, themes: list) -> URIRef:
        iri = project_iri(p)
        self.add(iri, RDF.type, HK.Project)
        self.add(iri, RDF.type, PROV.Entity)
        if p.year is not None:
            self.add(iri, HK.year, Literal(p.year))
        self.lit(iri, HK.seq, p.seq)
        self.lit(iri, HK.projectCode, p.project_code)
        self.lit(iri, DCTERMS.title, p.title)
        self.lit(iri, HK.projectName, p.project_name)
        self.lit(iri, RDFS.label, p.project_name or p.title)
        if p.unit_code:
            self.add(iri, HK.unit, unit_iri(p.unit_code))
        self.amount(iri, HK.budgetWan, p.budget_wan)
        self.amount(iri, HK.fiscalWan, p.fiscal_wan)
        self.amount(iri, HK.otherWan, p.other_wan)
        self.lit(iri, HK.purpose, p.purpose)
        for goal in p.goals:
            self.lit(iri, HK.goal, goal)
        self.lit(iri, HK.yearSource, p.year_source)
        self.derived(iri, p.span)
        if p.spending_plan is not None and not p.spending_plan.is_blank:
            plan = URIRef(f"{iri}/plan")
            self.add(iri, HK.spendingPlan, plan)
            self.add(plan, RDF.type, HK.SpendingPlan)
            for n, (label, printed, pct) in enumerate(
                zip(p.spending_plan.labels, p.spending_plan.printed, p.spending_plan.percents,
                    strict=True), start=1):
                entry = URIRef(f"{plan}/{n}")
                self.add(plan, HK.entry, entry)
                self.add(entry, RDF.type, HK.PlanEntry)
                self.add(entry, HK.position, Literal(n))
                self.lit(entry, HK.periodLabel, label)
                self.lit(entry, HK.printedValue, printed)
                self.amount(entry, HK.cumulativePercent, pct)
        for n, ind in enumerate(p.indicators, start=1):
            self.indicator(iri, n, ind)
        n = 0
        for ref in p.doc_refs:
            doc = self.document(ref.canonical, HK.FundingDocument)
            self.add(iri, HK.fundedBy, doc)
            n += 1
            self.mention(iri, n, ref, doc, p.span.file)
        for ref in p.basis_refs:
            doc = self.document(ref.canonical, HK.PolicyDocument)
            self.add(iri, HK.citesBasis, doc)
            n += 1
            self.mention(iri, n, ref, doc, p.span.file)
        for theme in tag_project(p, themes):
            self.add(iri, HK.theme, theme.iri)
        return iri

    def narrative(self, item: NarrativeItem, themes: list) -> None:
        iri = narrative_iri(item)
        self.add(iri, RDF.type, HK.NarrativeItem)
        self.lit(iri, HK.section, item.section)
        self.lit(iri, HK.heading, item.heading)
        self.lit(iri, HK.parentHeading, item.parent)
        self.lit(iri, HK.text, item.text)
        if item.year is not None:
            self.add(iri, HK.year, Literal(item.year))
        self.derived(iri, item.span)
        for theme in tag_narrative(item, themes):
            self.add(iri, HK.theme, theme.iri)


def _theme_triples(g: Graph) -> None:
    from kg.themes import THEMES_TTL

    g.parse(THEMES_TTL, format="turtle")


def _contributed(corpus: Corpus, settings: Settings) -> Iterator[tuple[Any, Any, Any]]:
    for module, name in CONTRIBUTORS:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name == module:
                continue  # that part of the build is not installed
            raise
        func = getattr(mod, name, None)
        if func is None:
            continue
        yield from func(corpus, settings)


def build_graph(corpus: Corpus, settings: Settings, *, contributors: bool = True) -> Graph:
    """The RDF graph of a corpus: records, the theme scheme, indicator levels and contributed triples."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    b = _Builder(g)
    themes = load_themes()
    _theme_triples(g)
    _add_level_scheme(g)
    units = derive_units(corpus.projects)
    for info in units.values():
        b.unit(info)
    for p in corpus.projects:
        b.project(p, themes)
    for item in corpus.narrative:
        b.narrative(item, themes)
    if contributors:
        for triple in _contributed(corpus, settings):
            g.add(triple)
    return g


def _add_level_scheme(g: Graph) -> None:
    """The indicator-level concepts of the ontology, so the data graph is self-contained."""
    for triple in _level_scheme_triples():
        g.add(triple)


@cache
def _level_scheme_triples() -> tuple[tuple[Any, Any, Any], ...]:
    onto = Graph().parse(ONTOLOGY_TTL, format="turtle")
    concepts = set(onto.subjects(SKOS.inScheme, HK.IndicatorLevels)) | {HK.IndicatorLevels}
    return tuple(sorted((s, p, o) for s, p, o in onto if s in concepts))


def graph_step(corpus: Corpus, build_dir: Path, settings: Settings) -> dict[str, Any]:
    """Build step: build the graph and write it to the store named by settings.store."""
    from kg.store import write_store

    g = build_graph(corpus, settings)
    info = write_store(g, build_dir, settings)

    def count(cls: URIRef) -> int:
        return len(set(g.subjects(RDF.type, cls)))

    return {"triples": len(g), "projects": count(HK.Project), "documents": count(HK.Document),
            "units": count(HK.BudgetUnit), "indicators": count(HK.Indicator),
            "store": info["backend"]}
