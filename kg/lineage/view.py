"""The networkx view of the lineage, made from the build's lineage data and stored with the build.

Nodes are ``doc:<文号>``, ``unit:<region>/<code>``, ``project:<region>:<year>:<code>`` (a unit and a
project are in a region: budget codes are local to a county); edges are typed by ``kind``:
``allocates`` (document → project, with amount, fund level and source), ``runs`` (unit → project),
``parent`` (parent document → child document: an ingested notice's upstream 文号, else
data/documents.csv) and ``continues`` (predecessor → successor project). The view is made once, in the
build, from the same data the lineage's triples are written from. The graph attribute ``regions``
maps every region of a project or of a notice's allocation, and its parents, to
``{name, level, parent}`` (ingest.regions); ``streams`` maps a fund-stream key to its notices
``((budget year, 文号), …)``. A document node of an ingested notice carries its title, date and
declared total from the notice, its ``allocations`` (ingest.records.Allocation), ``notice_source``,
``attachments`` and ``stream``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path

import networkx as nx

from ingest.records import Project
from ingest.regions import RegionIndex, is_unknown
from kg.lineage.derive import DocumentIssuer, DocumentSummary, LineageData
from kg.lineage.notices import NoticeDoc
from kg.units import Units

__all__ = ["VIEW_FORMAT", "build_view", "doc_node", "unit_node", "project_node", "region_table"]

VIEW_FORMAT = 3  # 3: units and projects keyed by region (notices add node attributes only)


def doc_node(canonical: str) -> str:
    return f"doc:{canonical}"


def unit_node(region: str | None, code: str) -> str:
    return f"unit:{region or ''}/{code}"


def project_node(region: str | None, year: int, code: str) -> str:
    return f"project:{region or ''}:{year}:{code}"


def _project_node(p: Project) -> str:
    return project_node(p.region_code, p.year, p.project_code)  # type: ignore[arg-type]


def _keyed(projects: Iterable[Project]) -> list[Project]:
    """The projects the view holds: those with a year and a 项目编码."""
    return [p for p in projects if p.year is not None and p.project_code]


def _add_units(g: nx.DiGraph, units: Units) -> None:
    for key in sorted(units):
        g.add_node(unit_node(key.region, key.code), kind="unit", code=key.code, region=key.region,
                   name=units[key].name)


def _add_projects(g: nx.DiGraph, data: LineageData) -> None:
    for p in _keyed(data.projects):
        node = _project_node(p)
        fund = data.fund(p)
        region = p.region_code or ""
        g.add_node(node, kind="project", year=p.year, code=p.project_code, name=p.project_name,
                   title=p.title, unit=p.unit_code, region=region, budget=p.budget_wan, fund_level=fund.level,
                   fund_source=fund.source, fund_rule=fund.rule,
                   span=(p.span.file, p.span.first_line, p.span.last_line))
        if p.unit_code:
            unit = unit_node(region, p.unit_code)
            if unit not in g:
                g.add_node(unit, kind="unit", code=p.unit_code, region=region, name=None)
            g.add_edge(unit, node, kind="runs")


def _add_documents(g: nx.DiGraph, issuers: Mapping[str, DocumentIssuer],
                   summaries: Mapping[str, DocumentSummary], notices: Mapping[str, NoticeDoc]) -> None:
    """Every document of the graph: cited, registered in documents.csv, a registered parent, an
    ingested notice or the notice it forwards. What an ingested notice states wins over documents.csv."""
    for canonical in sorted(issuers):
        who = issuers[canonical]
        d = summaries.get(canonical)
        info = d.info if d else None
        g.add_node(doc_node(canonical), kind="doc", canonical=canonical, prefix=who.prefix,
                   organisation=who.organisation, level=who.level,
                   title=info.title if info else None, issuer_name=info.issuer if info else None,
                   date=info.date if info else None, declared_total=info.total_wan if info else None,
                   fund_level=d.fund.level if d else None, fund_source=d.fund.source if d else None,
                   fund_rule=d.fund.rule if d else None, parent=info.parent if info else None,
                   source=(info.file, info.line) if info else None)
        stated = notices.get(canonical)
        if stated is not None:
            n = stated.notice
            attrs = g.nodes[doc_node(canonical)]
            attrs.update(title=n.title or attrs["title"], date=n.date or attrs["date"],
                         declared_total=n.declared_total_wan if n.declared_total_wan is not None
                         else attrs["declared_total"], parent=stated.parent or attrs["parent"],
                         issuers=n.issuers, allocations=stated.allocations, allocated=n.allocated_wan
                         if n.allocations else _allocated(stated), notice_source=n.span,
                         attachments=stated.attachments, stream=stated.stream,
                         budget_year=n.budget_year, mismatches=n.mismatches)
    for n, attrs in list(g.nodes(data=True)):
        if attrs.get("kind") == "doc" and attrs.get("parent"):
            g.add_edge(doc_node(attrs["parent"]), n, kind="parent")


def _allocated(stated: NoticeDoc) -> Decimal | None:
    """The top-level allocations' sum of a notice whose allocations come from its attachment."""
    top = [a.amount_wan for a in stated.allocations if a.parent is None and a.amount_wan is not None]
    return sum(top, Decimal(0)) if top else None


def _add_allocations(g: nx.DiGraph, data: LineageData) -> None:
    for a in data.allocations:
        p = a.project
        if p.year is None or not p.project_code:
            continue
        g.add_edge(doc_node(a.document), _project_node(p), kind="allocates",
                   amount=a.amount, fund_level=a.fund.level, fund_source=a.fund.source)


def _add_links(g: nx.DiGraph, data: LineageData) -> None:
    for link in data.links:
        g.add_edge(project_node(link.region_code, link.year_from, link.code_from),
                   project_node(link.region_code, link.year_to, link.code_to), kind="continues", link=link)


def _mentions(data: LineageData) -> list[dict[str, object]]:
    out = [{"canonical": r.canonical, "raw": r.raw, "project": _project_node(p),
            "file": p.span.file, "line": r.line}
           for p in _keyed(data.projects) for r in (*p.doc_refs, *p.basis_refs)]
    return sorted(out, key=lambda r: (r["canonical"], r["file"], r["line"], r["raw"]))


def region_table(codes: Iterable[str], index: RegionIndex) -> dict[str, dict[str, str | None]]:
    """code → {name, level, parent} for every region of `codes` and their parents."""
    out: dict[str, dict[str, str | None]] = {}
    for code in sorted(set(codes)):
        if is_unknown(code) or index.get(code) is None:
            out[code] = {"name": None, "level": "unknown", "parent": None}
            continue
        chain = (code, *index.parents(code))
        for c, parent in zip(chain, (*chain[1:], None), strict=True):
            r = index.get(c)
            out.setdefault(c, {"name": r.name if r else None, "level": r.level if r else "unknown",
                               "parent": parent})
    return out


def build_view(data: LineageData, units: Units, issuers: Mapping[str, DocumentIssuer],
               regions: RegionIndex | None = None) -> nx.DiGraph:
    """The lineage DiGraph: units, projects, documents and their parents, allocations, cross-year
    links, the 文号 mentions (graph attribute ``mentions``) and the regions (``regions``, names from
    `regions`, default RegionIndex.load()). Amounts are as printed."""
    g: nx.DiGraph[str] = nx.DiGraph(format=VIEW_FORMAT)
    notices = data.notices.docs
    placed = [a.region_code for n in notices.values() for a in n.allocations if a.region_code]
    g.graph["regions"] = region_table([*(p.region_code for p in data.projects if p.region_code), *placed],
                                      regions or RegionIndex.load())
    g.graph["streams"] = dict(data.notices.streams)
    g.graph["notice_conflicts"] = list(data.notices.conflicts)
    _add_units(g, units)
    _add_projects(g, data)
    _add_documents(g, issuers, data.documents, notices)
    _add_allocations(g, data)
    _add_links(g, data)
    g.graph["mentions"] = _mentions(data)
    return g

