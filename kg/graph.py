"""Records → RDF: projects, documents, issuers, budget units, indicators, spending plans, narrative.

IRIs come from kg.rdf.iri (derived from the data, never counted), so building the same input twice
gives the same triples and re-ingesting a file adds nothing new. Amounts are `xsd:decimal` literals
whose lexical form is the amount as printed ("10.00"). The lineage (kg.lineage.triples) and the
audit (kg.audit.triples) add their records to the same writer; kg.steps runs them in order.

The graph is lean: a triple that the ontology or another triple already gives is not written. A
source span is properties of the fact it locates (Writer.source); an indicator, a plan entry and a
mention are typed by the property that links them (rdfs:range), not by rdf:type; an indicator's
printed level labels are left out when they are the labels of its hk:category concept (and its
broader one), and its parsed op and unit when the printed 指标值 is exactly op + number + unit; a
plan entry's percentage when the printed value is that number with `%`; an amount's printed
form when it is the decimal's canonical form (no trailing zero).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from ingest.records import DocRef, Indicator, NarrativeItem, Project, SourceSpan
from ingest.regions import RegionIndex, is_unknown, region_scheme_turtle
from kg.docmatch import number_of
from kg.lineage.derive import DocumentIssuer
from kg.namespace import HK
from kg.rdf import iri
from kg.rdf import ntriples as N
from kg.rdf.ntriples import graph_from_lines
from kg.rdf.writer import A, DCT, ORGT, SKOST, HKT, Writer
from kg.themes import THEMES_TTL, Theme, tag_narrative
from kg.units import UnitInfo, Units

__all__ = ["ONTOLOGY_TTL", "level_concept", "implied_levels", "scheme_lines", "write_shared", "write_own", "write_regions",
           "graph_from_lines"]

ONTOLOGY_TTL = Path(__file__).resolve().parent.parent / "ontology" / "hrss.ttl"


@cache
def _level_concepts() -> dict[str, URIRef]:
    g = Graph().parse(ONTOLOGY_TTL, format="turtle")
    out: dict[str, URIRef] = {}
    for concept in g.subjects(SKOS.inScheme, HK.IndicatorLevels):
        for label in [*g.objects(concept, SKOS.prefLabel), *g.objects(concept, SKOS.altLabel)]:
            out[str(label)] = URIRef(str(concept))
    return out


def level_concept(label: str | None) -> URIRef | None:
    """The indicator-level concept (hkl:…) named by a printed level label, None when unknown."""
    return _level_concepts().get(label.strip()) if label else None


@cache
def _level_labels() -> dict[URIRef, tuple[str, str | None]]:
    """concept → (its prefLabel, its broader concept's prefLabel or None for a top concept)."""
    g = Graph().parse(ONTOLOGY_TTL, format="turtle")
    labels = {URIRef(str(c)): str(g.value(c, SKOS.prefLabel))
              for c in g.subjects(SKOS.inScheme, HK.IndicatorLevels)}
    out: dict[URIRef, tuple[str, str | None]] = {}
    for concept, label in labels.items():
        broader = g.value(concept, SKOS.broader)
        out[concept] = (label, labels.get(URIRef(str(broader))) if broader is not None else None)
    return out


def implied_levels(concept: URIRef | None) -> tuple[str | None, str | None]:
    """The (一级指标, 二级指标) labels an hk:category concept implies: a second-level concept implies
    both, a top concept only the first; (None, None) without a concept."""
    if concept is None:
        return None, None
    label, broader = _level_labels()[concept]
    return (broader, label) if broader is not None else (label, None)


@cache
def scheme_lines() -> tuple[str, ...]:
    """The theme scheme and the indicator-level concepts, so the data graph is self-contained."""
    themes = Graph().parse(THEMES_TTL, format="turtle")
    onto = Graph().parse(ONTOLOGY_TTL, format="turtle")
    concepts = set(onto.subjects(SKOS.inScheme, HK.IndicatorLevels)) | {HK.IndicatorLevels}
    levels = sorted((s, p, o) for s, p, o in onto if s in concepts)
    return tuple(N.line(N.from_rdflib(s), N.from_rdflib(p), N.from_rdflib(o))
                 for s, p, o in [*themes, *levels])


def _unit(w: Writer, info: UnitInfo) -> None:
    u = iri.unit(info.key)
    w.add(u, A, HKT.BudgetUnit)  # an org:Organization by rdfs:subClassOf
    w.add(u, HKT.unitCode, N.lit(info.code))
    if info.region:
        w.add(u, HKT.inRegion, iri.region(info.region))
    if info.name:
        w.add(u, SKOST.prefLabel, N.lit(info.name))
    for other in info.other_names:
        w.add(u, SKOST.altLabel, N.lit(other))
    if info.parent:
        parent = iri.unit(iri.UnitKey(info.region, info.parent))
        w.add(u, ORGT.subOrganizationOf, parent)  # org:hasSubOrganization is its inverse


def _document(w: Writer, canonical: str, who: DocumentIssuer) -> None:
    """A document's identity and its issuer: written once, for every document of the build."""
    d = iri.document(canonical)
    w.add(d, A, HKT.Document)
    w.add(d, DCT.identifier, N.lit(canonical))  # no rdfs:label: it would repeat the 文号
    doc = number_of(canonical)
    if doc is None:  # a notice without a 文号 of its own: its title (dcterms:title) names it
        return
    w.add(d, DCT.issued, N.typed(str(doc.year), N.XSD_GYEAR))
    w.add(d, HKT.docYear, N.integer(doc.year))
    w.add(d, HKT.docSeq, N.integer(doc.seq))
    w.add(d, HKT.issuerPrefix, N.lit(who.prefix))
    issuer = iri.issuer(who.prefix)
    w.add(d, DCT.creator, issuer)
    w.once(issuer, A, HKT.Issuer)
    w.once(issuer, HKT.issuerPrefix, N.lit(who.prefix))
    if who.organisation:
        w.once(issuer, SKOST.prefLabel, N.lit(who.organisation))
    if who.level:
        w.once(issuer, HKT.adminLevel, N.lit(who.level))


def _mention(w: Writer, key: iri.ProjectKey, n: int, ref: DocRef, file: str) -> iri.Iri:
    doc = iri.document(ref.canonical)
    m = iri.mention(key, n)  # an hk:Mention by the domain of hk:mentions
    w.add(m, HKT.mentions, doc)
    w.add(m, HKT.inProject, iri.project(key))
    w.add(m, HKT.field, N.lit(ref.field))
    w.add(m, HKT.rawSpelling, N.lit(ref.raw))
    w.source(m, SourceSpan(file, ref.line, ref.line), in_file=file)
    return doc


def _cited(w: Writer, p: Project) -> None:
    """What a project's citations say about the documents: their kind and raw spellings."""
    for refs, kind in ((p.doc_refs, HKT.FundingDocument), (p.basis_refs, HKT.PolicyDocument)):
        for ref in refs:
            doc = iri.document(ref.canonical)
            w.once(doc, A, kind)
            w.once(doc, HKT.rawSpelling, N.lit(ref.raw))


def _indicator(w: Writer, key: iri.ProjectKey, n: int, ind: Indicator, file: str) -> None:
    i = iri.indicator(key, n)  # an hk:Indicator by the range of hk:hasIndicator
    w.add(iri.project(key), HKT.hasIndicator, i)
    w.add(i, HKT.position, N.integer(n))
    concept = level_concept(ind.level2) or level_concept(ind.level1)
    level1, level2 = implied_levels(concept)
    if concept is not None:
        w.add(i, HKT.category, N.iri(str(concept)))
    # a printed level that is its concept's label is read from the concept; a blank first level
    # that the concept would imply is written blank, so nothing is read that was not printed
    if level1 is None:
        w.lit(i, HKT.level1, ind.level1)
    elif ind.level1 != level1:
        w.add(i, HKT.level1, N.lit(ind.level1 or ""))
    if ind.level2 != level2:
        w.lit(i, HKT.level2, ind.level2)
    w.lit(i, HKT.level3, ind.level3)  # no rdfs:label: it would repeat the 三级指标
    w.lit(i, HKT.description, ind.description)
    w.lit(i, HKT.targetValue, ind.value)
    w.lit(i, HKT.basis, ind.basis)
    parsed = ind.parsed
    if parsed is not None and parsed.number is not None:
        digits = format(parsed.number, "f")
        if ind.value != digits:  # the number adds nothing when it is the whole printed value
            w.amount(i, HKT.valueNumber, parsed.number)
        if ind.value != f"{parsed.op or ''}{digits}{parsed.unit or ''}":
            w.lit(i, HKT.valueOp, parsed.op)
            w.lit(i, HKT.valueUnit, parsed.unit)
    elif parsed is not None:
        w.lit(i, HKT.valueOp, parsed.op)
        w.lit(i, HKT.valueUnit, parsed.unit)
    if ind.repaired:
        w.add(i, HKT.repaired, N.TRUE)
    w.source(i, ind.span, in_file=file)


def _plan(w: Writer, key: iri.ProjectKey, p: Project) -> None:
    if p.spending_plan is None or p.spending_plan.is_blank:
        return
    s = iri.project(key)
    sp = p.spending_plan
    for n, (label, printed, pct) in enumerate(zip(sp.labels, sp.printed, sp.percents, strict=True), start=1):
        entry = iri.plan_entry(key, n)  # an hk:PlanEntry by the range of hk:planEntry
        w.add(s, HKT.planEntry, entry)
        w.add(entry, HKT.position, N.integer(n))
        w.lit(entry, HKT.periodLabel, label)
        w.lit(entry, HKT.printedValue, printed)
        if pct is not None and printed != f"{format(pct, 'f')}%":
            w.amount(entry, HKT.cumulativePercent, pct)


def _project(w: Writer, p: Project, themes: Iterable[Theme]) -> None:
    key = iri.project_key(p)
    s = iri.project(key)
    w.add(s, A, HKT.Project)  # a prov:Entity by rdfs:subClassOf
    if p.year is not None:
        w.add(s, HKT.year, N.integer(p.year))
    w.lit(s, HKT.seq, p.seq)
    w.lit(s, HKT.projectCode, p.project_code)
    w.lit(s, DCT.title, p.title)
    w.lit(s, HKT.projectName, p.project_name)  # no rdfs:label: it would repeat the name or title
    if (ukey := iri.unit_key(p)) is not None:
        w.add(s, HKT.unit, iri.unit(ukey))
    w.amount(s, HKT.budgetWan, p.budget_wan, HKT.budgetPrinted)
    w.amount(s, HKT.fiscalWan, p.fiscal_wan, HKT.fiscalPrinted)
    w.amount(s, HKT.otherWan, p.other_wan, HKT.otherPrinted)
    w.lit(s, HKT.purpose, p.purpose)
    for goal in p.goals:
        w.lit(s, HKT.goal, goal)
    w.lit(s, HKT.yearSource, p.year_source)
    w.source(s, p.span)
    _plan(w, key, p)
    for n, ind in enumerate(p.indicators, start=1):
        _indicator(w, key, n, ind, p.span.file)
    n = 0
    cited: set[tuple[str, str]] = set()  # a document cited twice by one project is linked once
    for refs, relation in ((p.doc_refs, HKT.fundedBy), (p.basis_refs, HKT.citesBasis)):
        for ref in refs:
            n += 1
            doc = _mention(w, key, n, ref, p.span.file)
            if (relation, doc) not in cited:
                cited.add((relation, doc))
                w.add(s, relation, doc)
    for theme in themes:
        w.add(s, HKT.theme, N.iri(str(theme.iri)))


def _narrative(w: Writer, item: NarrativeItem, themes: list[Theme]) -> None:
    s = iri.narrative(item.span)
    w.add(s, A, HKT.NarrativeItem)
    w.lit(s, HKT.section, item.section)
    w.lit(s, HKT.heading, item.heading)
    w.lit(s, HKT.parentHeading, item.parent)
    w.lit(s, HKT.text, item.text)
    if item.year is not None:
        w.add(s, HKT.year, N.integer(item.year))
    w.source(s, item.span)
    for theme in tag_narrative(item, themes):
        w.add(s, HKT.theme, N.iri(str(theme.iri)))


def write_regions(w: Writer, codes: Iterable[str], index: RegionIndex) -> Iterator[None]:
    """The regions of `codes` and their parents as concepts of hk:Regions (ingest.regions), and an
    unknown region (one source file's) as a concept of level `unknown`; yields once."""
    codes = sorted(set(codes))
    known = [c for c in codes if not is_unknown(c) and c in index]
    if known:
        for s, p, o in Graph().parse(data=region_scheme_turtle(index, known), format="turtle"):
            w.add(N.from_rdflib(s), N.from_rdflib(p), N.from_rdflib(o))
    for code in codes:
        if code in known:
            continue
        r = iri.region(code)
        w.add(r, A, SKOST.Concept)
        w.add(r, SKOST.inScheme, HKT.Regions)
        w.add(r, SKOST.notation, N.lit(code))
        w.add(r, SKOST.prefLabel, N.lit(f"地区未知（{code.removeprefix('unknown:')}）"))
        w.add(r, HKT.regionLevel, N.lit("unknown"))
    yield None


def write_shared(w: Writer, projects: Iterable[Project], units: Units,
                 issuers: Mapping[str, DocumentIssuer]) -> Iterator[None]:
    """Write what depends on every project at once: units, documents and issuers, and what the
    citations say about the documents; yields whenever the writer is full."""
    for info in units.values():
        _unit(w, info)
    for canonical in sorted(issuers):
        _document(w, canonical, issuers[canonical])
    yield None
    for p in projects:
        _cited(w, p)
        if w.full():
            yield None


def write_own(w: Writer, projects: Iterable[Project], narrative: Iterable[NarrativeItem],
              themes: Mapping[iri.ProjectKey, tuple[Theme, ...]], vocabulary: list[Theme]) -> Iterator[None]:
    """Write what each project and narrative item states on its own (it never changes when other
    projects are added); yields whenever the writer is full."""
    for p in projects:
        _project(w, p, themes.get(iri.project_key(p), ()))
        if w.full():
            yield None
    for item in narrative:
        _narrative(w, item, vocabulary)
    yield None
