"""The networkx view of the lineage, read back from the graph with SPARQL and cached with the build.

Nodes are ``doc:<文号>``, ``unit:<code>``, ``project:<year>:<code>``; edges are typed by ``kind``:
``allocates`` (document → project, with amount, fund level and source), ``runs`` (unit → project),
``parent`` (parent document → child document) and ``continues`` (predecessor → successor project).
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import networkx as nx

from ingest.errors import HrssError
from kg.corpus import Corpus
from kg.lineage.links import CrossYearLink, Evidence
from kg.namespace import PREFIXES
from kg.settings import Settings

__all__ = ["LINEAGE_FILE", "LineageNotBuiltError", "build_view", "view_from_graph",
           "view_from_corpus", "view_from_data", "view_from_store", "lineage_step", "read_view", "doc_node", "unit_node", "project_node",
           "LINEAGE_ADDED_DIR", "merge_view", "write_view_part", "view_stamp"]

LINEAGE_FILE = "lineage.pickle"
LINEAGE_ADDED_DIR = "lineage-added"  # <n>.pickle: the view of each `kg add`, merged into the base on read
_FORMAT = 1


class LineageNotBuiltError(HrssError):
    """The build holds no lineage."""


def doc_node(canonical: str) -> str:
    return f"doc:{canonical}"


def unit_node(code: str) -> str:
    return f"unit:{code}"


def project_node(year: int, code: str) -> str:
    return f"project:{year}:{code}"


_PREFIX = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())

Q_PROJECTS = _PREFIX + """
SELECT ?p ?year ?code ?name ?title ?unit ?budget ?budget_printed ?flevel ?fsource ?frule ?file ?first ?last WHERE {
  ?p a hk:Project ; hk:year ?year ; hk:projectCode ?code .
  OPTIONAL { ?p hk:projectName ?name }
  OPTIONAL { ?p dcterms:title ?title }
  OPTIONAL { ?p hk:unit ?u . ?u hk:unitCode ?unit }
  OPTIONAL { ?p hk:budgetWan ?budget }
  OPTIONAL { ?p hk:budgetPrinted ?budget_printed }
  OPTIONAL { ?p hk:fundLevel ?flevel }
  OPTIONAL { ?p hk:fundSource ?fsource }
  OPTIONAL { ?p hk:fundRule ?frule }
  OPTIONAL { ?p prov:wasDerivedFrom ?s . ?s hk:sourceFile ?file ; hk:firstLine ?first ; hk:lastLine ?last }
} ORDER BY ?p"""

Q_UNITS = _PREFIX + """
SELECT ?code ?name WHERE {
  ?u a hk:BudgetUnit ; hk:unitCode ?code .
  OPTIONAL { ?u skos:prefLabel ?name }
} ORDER BY ?code ?name"""

Q_DOCS = _PREFIX + """
SELECT ?canonical ?prefix ?org ?level ?title ?issuer ?date ?total ?flevel ?fsource ?frule ?parent
       ?file ?line WHERE {
  ?d a hk:Document ; dcterms:identifier ?canonical .
  OPTIONAL { ?d hk:issuerPrefix ?prefix }
  OPTIONAL { ?d dcterms:creator ?i . OPTIONAL { ?i skos:prefLabel ?org } OPTIONAL { ?i hk:adminLevel ?level } }
  OPTIONAL { ?d dcterms:title ?title }
  OPTIONAL { ?d hk:issuerName ?issuer }
  OPTIONAL { ?d dcterms:date ?date }
  OPTIONAL { ?d hk:declaredTotal ?total }
  OPTIONAL { ?d hk:fundLevel ?flevel }
  OPTIONAL { ?d hk:fundSource ?fsource }
  OPTIONAL { ?d hk:fundRule ?frule }
  OPTIONAL { ?d hk:parentDocument ?pd . ?pd dcterms:identifier ?parent }
  OPTIONAL { ?d prov:wasDerivedFrom ?s . ?s hk:sourceFile ?file ; hk:firstLine ?line }
} ORDER BY ?canonical"""

Q_ALLOCATIONS = _PREFIX + """
SELECT ?canonical ?p ?amount ?flevel ?fsource WHERE {
  ?d hk:allocates ?a ; dcterms:identifier ?canonical .
  ?a hk:toProject ?p .
  OPTIONAL { ?a hk:amount ?amount }
  OPTIONAL { ?a hk:fundLevel ?flevel }
  OPTIONAL { ?a hk:fundSource ?fsource }
} ORDER BY ?canonical ?p"""

Q_LINKS = _PREFIX + """
SELECT ?l ?before ?after ?score ?conf ?e ?kind ?value ?weight WHERE {
  ?l a hk:CrossYearLink ; hk:predecessor ?before ; hk:successor ?after ;
     hk:linkScore ?score ; hk:linkConfidence ?conf .
  OPTIONAL { ?l hk:linkEvidence ?e . ?e hk:evidenceKind ?kind ; hk:evidenceValue ?value ;
             hk:evidenceWeight ?weight }
} ORDER BY ?l ?e"""

Q_MENTIONS = _PREFIX + """
SELECT ?canonical ?raw ?p ?file ?line WHERE {
  ?m a hk:Mention ; hk:mentions ?d ; hk:rawSpelling ?raw ; hk:inProject ?p .
  ?d dcterms:identifier ?canonical .
  OPTIONAL { ?m prov:wasDerivedFrom ?s . ?s hk:sourceFile ?file ; hk:firstLine ?line }
} ORDER BY ?canonical ?file ?line ?raw"""

Query = Callable[[str], list[dict[str, Any]]]


def _str(v: Any) -> str | None:
    return None if v is None else str(v)


def _int(v: Any) -> int | None:
    return None if v is None else int(str(v))


_CENT = Decimal("0.01")


def _dec(v: Any) -> Decimal | None:
    return None if v is None else Decimal(str(v))


def _cents(v: Any) -> Decimal | None:
    """A link score or evidence weight: two places by definition (stores may drop trailing zeros)."""
    return None if v is None else Decimal(str(v)).quantize(_CENT)


def build_view(query: Query, declared: dict[str, Decimal] | None = None) -> nx.DiGraph:
    """The lineage DiGraph from SPARQL SELECT results (`query(sparql) -> rows as dicts`).

    Amounts are exactly as printed: a project's budget from hk:budgetPrinted (stores such as
    Oxigraph keep xsd:decimal by value, "1384.00" → 1384), a declared total from documents.csv
    (`declared`, canonical → amount) when given.
    """
    declared = declared or {}

    g = nx.DiGraph(format=_FORMAT)
    for row in query(Q_UNITS):
        node = unit_node(str(row["code"]))
        if node not in g:
            g.add_node(node, kind="unit", code=str(row["code"]), name=_str(row.get("name")))
    by_iri: dict[str, str] = {}
    for row in query(Q_PROJECTS):
        year, code = _int(row["year"]), str(row["code"])
        node = project_node(year, code)  # type: ignore[arg-type]
        by_iri[str(row["p"])] = node
        if node in g:
            continue  # a second source span of the same project: keep the first
        span = None
        if row.get("file") is not None:
            span = (str(row["file"]), _int(row["first"]), _int(row["last"]))
        unit = _str(row.get("unit"))
        g.add_node(node, kind="project", year=year, code=code, name=_str(row.get("name")),
                   title=_str(row.get("title")), unit=unit,
                   budget=_dec(row.get("budget_printed") or row.get("budget")),
                   fund_level=_str(row.get("flevel")), fund_source=_str(row.get("fsource")),
                   fund_rule=_str(row.get("frule")), span=span)
        if unit:
            if unit_node(unit) not in g:
                g.add_node(unit_node(unit), kind="unit", code=unit, name=None)
            g.add_edge(unit_node(unit), node, kind="runs")
    for row in query(Q_DOCS):
        canonical = str(row["canonical"])
        node = doc_node(canonical)
        if node not in g:
            g.add_node(node, kind="doc", canonical=canonical, prefix=_str(row.get("prefix")),
                       organisation=_str(row.get("org")), level=_str(row.get("level")),
                       title=_str(row.get("title")), issuer_name=_str(row.get("issuer")),
                       date=_str(row.get("date")),
                       declared_total=declared.get(canonical, _dec(row.get("total"))),
                       fund_level=_str(row.get("flevel")), fund_source=_str(row.get("fsource")),
                       fund_rule=_str(row.get("frule")), parent=_str(row.get("parent")),
                       source=(str(row["file"]), _int(row["line"])) if row.get("file") else None)
    for n, data in list(g.nodes(data=True)):
        if data.get("kind") == "doc" and data.get("parent"):
            parent = doc_node(data["parent"])
            if parent not in g:
                g.add_node(parent, kind="doc", canonical=data["parent"])
            g.add_edge(parent, n, kind="parent")
    for row in query(Q_ALLOCATIONS):
        project = by_iri.get(str(row["p"]))
        if project is None:
            continue
        amount = _dec(row.get("amount"))
        budget = g.nodes[project].get("budget")
        if amount is not None and amount == budget:
            amount = budget  # the project's 预算数 as printed
        g.add_edge(doc_node(str(row["canonical"])), project, kind="allocates",
                   amount=amount, fund_level=_str(row.get("flevel")),
                   fund_source=_str(row.get("fsource")))
    links: dict[str, dict[str, Any]] = {}
    for row in query(Q_LINKS):
        link = links.setdefault(str(row["l"]), {
            "before": by_iri.get(str(row["before"])), "after": by_iri.get(str(row["after"])),
            "score": _cents(row["score"]), "confidence": str(row["conf"]), "evidence": []})
        if row.get("kind") is not None:
            link["evidence"].append(Evidence(str(row["kind"]), str(row["value"]), _cents(row["weight"])))
    for link in links.values():
        if link["before"] and link["after"]:
            b, a = g.nodes[link["before"]], g.nodes[link["after"]]
            g.add_edge(link["before"], link["after"], kind="continues", link=CrossYearLink(
                b["year"], b["code"], a["year"], a["code"], a.get("unit") or "", link["score"],
                link["confidence"], tuple(link["evidence"]), b.get("name"), a.get("name")))
    g.graph["mentions"] = [
        {"canonical": str(r["canonical"]), "raw": str(r["raw"]), "project": by_iri.get(str(r["p"])),
         "file": _str(r.get("file")), "line": _int(r.get("line"))}
        for r in query(Q_MENTIONS)]
    return g


def _unbounded(store: Any) -> Query:
    """Each query answered whole, in one pass (no LIMIT/OFFSET pages, which re-run the query)."""

    def run(sparql: str) -> list[dict[str, Any]]:
        return store.query(sparql, limit=None, timeout=0).rows

    return run


def _declared(settings: Settings) -> dict[str, Decimal]:
    from kg.lineage.derive import documents_path
    from kg.lineage.documents import load_documents

    return {c: info.total_wan for c, info in load_documents(documents_path(settings)).items()
            if info.total_wan is not None}


def view_from_store(store: Any, settings: Settings) -> nx.DiGraph:
    """The view from an open kg.store Store (any backend), each query read whole."""
    return build_view(_unbounded(store), _declared(settings))


def view_from_graph(graph: Any) -> nx.DiGraph:
    """The view from an rdflib Graph."""

    def run(sparql: str) -> list[dict[str, Any]]:
        result = graph.query(sparql)
        names = [str(v) for v in result.vars]
        return [{n: (None if t is None else t.toPython() if hasattr(t, "datatype") else str(t))
                 for n, t in zip(names, row, strict=True)} for row in result]

    return build_view(run)


def view_from_corpus(corpus: Corpus, settings: Settings) -> nx.DiGraph:
    """The view of a corpus without a build: its graph built in memory, then read the same way."""
    from kg.graph import build_graph
    from kg.lineage.derive import lineage_triples

    graph = build_graph(corpus, settings, contributors=False)
    for triple in lineage_triples(corpus, settings):
        graph.add(triple)
    return view_from_graph(graph)


def view_from_data(data: Any, store: Any, settings: Settings) -> nx.DiGraph:
    """The view from the lineage derivation that wrote the graph's lineage triples, in one pass.

    The same nodes and edges as `view_from_store` (a test holds the two equal): units and documents
    — a few hundred rows — are read from the store; projects, allocations, cross-year links and
    mentions, which grow with the corpus, come from the derivation the triples were written from,
    instead of being read back row by row (at 10,000 projects the store takes ~35 s for them, the
    derivation ~2 s).
    """
    run = _unbounded(store)
    projects = [p for p in data.projects if p.year is not None and p.project_code]

    def rows(sparql: str) -> list[dict[str, Any]]:
        if sparql is Q_PROJECTS:
            return [{
                "p": project_node(p.year, p.project_code), "year": p.year, "code": p.project_code,
                "name": p.project_name, "title": p.title, "unit": p.unit_code,
                "budget_printed": p.budget_wan, "flevel": data.project_funds[id(p)].level,
                "fsource": data.project_funds[id(p)].source, "frule": data.project_funds[id(p)].rule,
                "file": p.span.file, "first": p.span.first_line, "last": p.span.last_line,
            } for p in projects]
        if sparql is Q_ALLOCATIONS:
            return [{"canonical": a.document, "p": project_node(a.project.year, a.project.project_code),
                     "amount": a.amount, "flevel": a.fund.level, "fsource": a.fund.source}
                    for a in data.allocations if a.project.year is not None and a.project.project_code]
        if sparql is Q_LINKS:
            return [{"l": f"{link.year_from}:{link.code_from}>{link.year_to}:{link.code_to}",
                     "before": project_node(link.year_from, link.code_from),
                     "after": project_node(link.year_to, link.code_to),
                     "score": link.score, "conf": link.confidence,
                     "kind": e.kind, "value": e.value, "weight": e.weight}
                    for link in data.links for e in link.evidence]
        if sparql is Q_MENTIONS:
            out = [{"canonical": r.canonical, "raw": r.raw, "p": project_node(p.year, p.project_code),
                    "file": p.span.file, "line": r.line}
                   for p in projects for r in (*p.doc_refs, *p.basis_refs)]
            return sorted(out, key=lambda r: (r["canonical"], r["file"], r["line"], r["raw"]))
        return run(sparql)

    return build_view(rows, _declared(settings))


def lineage_step(corpus: Corpus, build_dir: Path, settings: Settings) -> dict[str, Any]:
    """Build step: cache the lineage's networkx view in the build (units and documents read from the
    just-built graph store, the rest from the derivation that wrote the graph's lineage)."""
    from kg.lineage.derive import build_lineage_data
    from kg.store import open_store

    # the build's own reading: no row cap, no time limit (a user's query keeps both)
    store = open_store(settings.with_(sparql_row_cap=2**62), build_dir)
    try:
        view = view_from_data(build_lineage_data(corpus, settings), store, settings)
    finally:
        store.close()
    with (build_dir / LINEAGE_FILE).open("wb") as f:
        pickle.dump(view, f, protocol=pickle.HIGHEST_PROTOCOL)
    kinds: dict[str, int] = {}
    for _, _, kind in view.edges(data="kind"):
        kinds[kind] = kinds.get(kind, 0) + 1
    return {"documents": sum(1 for _, k in view.nodes(data="kind") if k == "doc"),
            "allocations": kinds.get("allocates", 0), "links": kinds.get("continues", 0),
            "parents": kinds.get("parent", 0)}


def merge_view(base: nx.DiGraph, part: nx.DiGraph) -> None:
    """Merge `part` into `base` in place: new nodes and edges are added; on a node or edge both
    hold, base's attributes win and part only fills the ones base lacks; mentions are appended."""
    nodes = base.nodes
    for n, data in part.nodes(data=True):
        if n in nodes:
            held = nodes[n]
            for k, v in data.items():
                held.setdefault(k, v)
        else:
            base.add_node(n, **data)
    for u, v, data in part.edges(data=True):
        if base.has_edge(u, v):
            held = base.edges[u, v]
            for k, value in data.items():
                held.setdefault(k, value)
        else:
            base.add_edge(u, v, **data)
    base.graph["mentions"] = [*base.graph.get("mentions", []), *part.graph.get("mentions", [])]


def write_view_part(build_dir: Path, view: nx.DiGraph, n: int) -> Path:
    """Store the view of one addition as part `n` (lineage-added/<n>.pickle), atomically; the base
    lineage.pickle is not rewritten. read_view merges the parts in order."""
    import os

    folder = build_dir / LINEAGE_ADDED_DIR
    folder.mkdir(exist_ok=True)
    path = folder / f"{n:04d}.pickle"
    tmp = folder / f".{path.name}.{os.getpid()}.tmp"
    tmp.write_bytes(pickle.dumps(view, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, path)
    return path


def _parts(build_dir: Path) -> list[Path]:
    folder = build_dir / LINEAGE_ADDED_DIR
    return sorted(folder.glob("*.pickle")) if folder.is_dir() else []


def view_stamp(build_dir: Path) -> str:
    """Changes whenever the build's lineage does (the base view replaced or a part added)."""
    base = build_dir / LINEAGE_FILE
    parts = _parts(build_dir)
    return f"{base.stat().st_mtime_ns if base.exists() else 0}+{len(parts)}" + (
        f"@{parts[-1].stat().st_mtime_ns}" if parts else "")


def read_view(build_dir: Path) -> nx.DiGraph:
    """The cached view of a build, with the parts of later additions merged in; LineageNotBuiltError
    when the build has none."""
    path = build_dir / LINEAGE_FILE
    if not path.exists():
        raise LineageNotBuiltError(f"{build_dir}: 此构建没有资金血缘数据；请运行 `python -m kg build`")
    with path.open("rb") as f:
        view = pickle.load(f)
    if view.graph.get("format") != _FORMAT:
        raise LineageNotBuiltError(f"{path}: 资金血缘缓存格式已过期；请重新运行 `python -m kg build`")
    for part in _parts(build_dir):
        with part.open("rb") as f:
            merge_view(view, pickle.load(f))
    return view
