"""Queries over the lineage view: trace a document down, a project up, a project across years."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cached_property
from decimal import Decimal
from pathlib import Path
from typing import Any

import networkx as nx

from ingest.docnumber import DocQuery
from ingest.errors import DocNumberError, HrssError
from ingest.records import SourceSpan
from kg.lineage.links import CrossYearLink
from kg.lineage.model import (
    DocLink,
    DocumentCard,
    History,
    HistoryEntry,
    ProjectCard,
    ProjectFlow,
    RegionFlow,
    TraceDown,
    TraceUp,
    UnitFlow,
)
from kg.docmatch import DocNumbers, is_title_key
from kg.lineage.nodes import GraphNodes, LineageNotBuiltError, Nodes, read_nodes, read_view
from kg.lineage.view import doc_node, unit_node
from kg.settings import Settings
from kg.workspace import Workspace

__all__ = ["Lineage", "LineageQueryError", "AmbiguousDocumentError", "AmbiguousProjectError", "load_lineage"]


class LineageQueryError(HrssError):
    """A document or project the lineage does not know."""


class AmbiguousDocumentError(LineageQueryError):
    """A partial 文号 that names several documents; `.candidates` lists their canonical forms."""

    def __init__(self, query: str, candidates: list[str]):
        super().__init__(f"{query!r} 对应多个文件: {'、'.join(candidates)}")
        self.query, self.candidates = query, candidates


class AmbiguousProjectError(LineageQueryError):
    """A 项目编码 or unit code found in several regions; `.candidates` lists (region_code, region_name)."""

    def __init__(self, what: str, code: str, candidates: list[tuple[str, str | None]]):
        listed = "、".join(f"{c} {n or ''}".strip() for c, n in candidates)
        super().__init__(f"{what} {code} 在多个地区: {listed}；请用 --region 指定")
        self.code, self.candidates = code, candidates


def _span(value: Any) -> SourceSpan | None:
    return SourceSpan(value[0], value[1], value[2]) if value else None


class Lineage:
    """The fund lineage of one build and queries over it: a networkx DiGraph (see kg.lineage.view) held
    in memory, or the build's node file (kg.lineage.nodes) read a node at a time."""

    def __init__(self, graph: nx.DiGraph | None = None, version: str | None = None, *,
                 nodes: Nodes | None = None, build_dir: Path | None = None) -> None:
        if nodes is None:
            if graph is None:
                raise ValueError("a lineage needs its view or its node file")
            nodes = GraphNodes(graph)
        self._graph = graph
        self._build_dir = build_dir
        self.nodes = nodes
        self.version = version
        self.regions: dict[str, dict[str, Any]] = nodes.regions
        self._by_code: dict[str, list[str]] = nodes.projects_by_code
        self._units_by_code: dict[str, list[str]] = nodes.units_by_code

    @property
    def graph(self) -> nx.DiGraph:
        """The whole view; read from the build on first use when the lineage was opened by its node file
        (the checks, totals, cross-year links and shortest chains walk all of it)."""
        if self._graph is None:
            if self._build_dir is None:
                raise LineageNotBuiltError("资金血缘视图不可用")
            self._graph = read_view(self._build_dir)
        return self._graph

    # ------------------------------------------------------------ lookups

    def documents(self) -> list[str]:
        """Every document's canonical 文号, sorted."""
        return list(self.nodes.documents)

    def resolve_document(self, text: str) -> str:
        """The canonical 文号 named by `text` in any form.

        A partial query ("176号", "冀财社 176") naming exactly one known document resolves to it; a
        notice without a 文号 of its own is named by its title key or a part of its title.

        Raises:
            AmbiguousDocumentError: several documents match (their list is in `.candidates`).
            LineageQueryError: no document matches, or `text` is not a 文号 query.
        """
        if is_title_key(text) and doc_node(text) in self.nodes:
            return text
        titled = self._numbers.match_title(text)  # a notice printing no 文号, named by its title
        if len(titled) == 1:
            return titled[0]
        if titled:
            raise AmbiguousDocumentError(text, titled)
        try:
            query = DocQuery.parse(text)
        except DocNumberError as e:
            raise LineageQueryError(f"不是文号: {text!r}") from e
        if query.exact and doc_node(query.doc.canonical) in self.nodes:  # type: ignore[union-attr]
            return query.doc.canonical  # type: ignore[union-attr]
        hits = self._numbers.match(query)
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise AmbiguousDocumentError(text, hits)
        raise LineageQueryError(f"资金血缘中没有文件 {query}")

    @cached_property
    def _numbers(self) -> DocNumbers:
        return DocNumbers(self.documents())

    # ------------------------------------------------------------ regions

    def region_name(self, code: str | None) -> str | None:
        """The region's name, None for an unknown region."""
        return (self.regions.get(code) or {}).get("name") if code else None

    def region_chain(self, code: str) -> list[str]:
        """The region and its parents, nearest first."""
        out: list[str] = []
        while code and code not in out:
            out.append(code)
            code = (self.regions.get(code) or {}).get("parent") or ""
        return out

    def within(self, code: str | None, region: str | None) -> bool:
        """Whether region `code` is `region` or inside it (always, without a region)."""
        return region is None or region in self.region_chain(code or "")

    def resolve_region(self, text: str) -> str:
        """The region code named by a code or a name (怀来县, 怀来) among this build's regions."""
        text = text.strip()
        if text in self.regions:
            return text
        hits = sorted(c for c, r in self.regions.items() if r.get("name") == text) or \
            sorted(c for c, r in self.regions.items() if (r.get("name") or "").startswith(text) and text)
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise AmbiguousProjectError("地区", text, [(c, self.region_name(c)) for c in hits])
        raise LineageQueryError(f"资金血缘中没有地区 {text}")

    def _in_one_region(self, what: str, code: str, nodes: list[str], region: str | None) -> list[str]:
        nodes = [n for n in nodes if self.within(self.nodes.node(n).get("region"), region)]
        regions = sorted({self.nodes.node(n).get("region") or "" for n in nodes})
        if len(regions) > 1:
            raise AmbiguousProjectError(what, code, [(r, self.region_name(r)) for r in regions])
        return nodes

    def project_nodes(self, code: str, region: str | None = None) -> list[str]:
        """The nodes of a 项目编码 (in `region` when given), oldest year first."""
        nodes = list(self._by_code.get(code.strip(), []))
        return [n for n in nodes if self.within(self.nodes.node(n).get("region"), region)]

    def unit_nodes(self, code: str, region: str | None = None) -> list[str]:
        """The nodes of a unit code (in `region` when given), one per region."""
        nodes = sorted(self._units_by_code.get(code.strip(), []))
        return [n for n in nodes if self.within(self.nodes.node(n).get("region"), region)]

    def _project(self, code: str, year: int | None, region: str | None = None) -> str:
        nodes = self._in_one_region("项目编码", code, self.project_nodes(code), region)
        if year is not None:
            nodes = [n for n in nodes if self.nodes.node(n)["year"] == year]
        if not nodes:
            where = f"（{year}年）" if year is not None else ""
            raise LineageQueryError(f"资金血缘中没有项目 {code}{where}")
        return nodes[-1]

    def _edges(self, node: str, kind: str, out: bool = True) -> list[tuple[str, dict[str, Any]]]:
        edges = self.nodes.out_edges(node) if out else self.nodes.in_edges(node)
        return sorted((n, d) for n, d in edges if d.get("kind") == kind)

    def card(self, canonical: str) -> DocumentCard:
        d = self.nodes.node(doc_node(canonical))
        return DocumentCard(canonical, d.get("title"), d.get("prefix"), d.get("organisation"),
                            d.get("level"), d.get("fund_level"), d.get("fund_source"), d.get("date"),
                            d.get("declared_total"))

    def project_card(self, node: str) -> ProjectCard:
        p = self.nodes.node(node)
        held = unit_node(p.get("region"), p["unit"]) if p.get("unit") else None
        unit = self.nodes.node(held) if held is not None and held in self.nodes else None
        docs = tuple(self.nodes.node(u)["canonical"] for u, _ in self._edges(node, "allocates", False))
        return ProjectCard(p["year"], p["code"], p.get("name"), p.get("unit"),
                           unit.get("name") if unit else None, p.get("budget"), p.get("fund_level"),
                           p.get("fund_source"), p.get("fund_rule"), docs, _span(p.get("span")),
                           p.get("region") or None, self.region_name(p.get("region")))

    def parents(self, canonical: str) -> list[str]:
        """The ancestors of a document from data/documents.csv, nearest first."""
        out: list[str] = []
        node = doc_node(canonical)
        while True:
            ups = self._edges(node, "parent", out=False)
            if not ups or ups[0][0] in out:
                return [self.nodes.node(n)["canonical"] for n in out]
            node = ups[0][0]
            out.append(node)

    # ------------------------------------------------------------ down

    def trace_down(self, doc: str, region: str | None = None, unit: str | None = None) -> TraceDown:
        """Where a document's money went: regions (city → county), units, projects, amounts, then its
        child documents; only the projects in `region` (a code) and of `unit` (a code) when given.

        Raises:
            AmbiguousDocumentError: a partial 文号 matching several documents (see `.candidates`).
            AmbiguousProjectError: a unit code found in several regions without `region`.
            LineageQueryError: an unknown document.
        """
        if unit is not None:
            self._in_one_region("单位", unit, self.unit_nodes(unit), region)
        return self._down(self.resolve_document(doc), frozenset(), region, unit)

    def _down(self, canonical: str, seen: frozenset[str], region: str | None = None,
              only_unit: str | None = None) -> TraceDown:
        node = doc_node(canonical)
        units: OrderedDict[tuple[str, str], list[ProjectFlow]] = OrderedDict()
        amounts: dict[str, Decimal] = {}
        allocates = self._edges(node, "allocates")
        self.nodes.preload(p for p, _ in allocates)
        self.nodes.preload(unit_node(self.nodes.node(p).get("region"), self.nodes.node(p)["unit"])
                           for p, _ in allocates if self.nodes.node(p).get("unit"))
        for project, edge in sorted(allocates,
                                    key=lambda pe: (self.nodes.node(pe[0]).get("region") or "",
                                                    self.nodes.node(pe[0]).get("unit") or "",
                                                    self.nodes.node(pe[0])["year"], pe[0])):
            p = self.nodes.node(project)
            unit, where = p.get("unit") or "", p.get("region") or ""
            if not self.within(where, region) or (only_unit is not None and unit != only_unit):
                continue
            unit_name = self.nodes.node(unit_node(where, unit)).get("name") if unit else None
            amount = edge.get("amount")
            shared = sum(1 for _, e in self.nodes.in_edges(project) if e.get("kind") == "allocates") > 1
            units.setdefault((where, unit), []).append(ProjectFlow(
                p["year"], p["code"], p.get("name"), amount, edge.get("fund_level"),
                edge.get("fund_source"), _span(p.get("span")), canonical, unit or None, unit_name,
                where or None, self.region_name(where), shared))
            amounts[project] = amount or Decimal(0)
        flows = tuple(
            UnitFlow(code, self.nodes.node(unit_node(where, code)).get("name") if code else None,
                     sum((pf.budget_wan or Decimal(0) for pf in pfs), Decimal(0)), tuple(pfs),
                     where or None, self.region_name(where))
            for (where, code), pfs in units.items())
        children = tuple(self._down(self.nodes.node(c)["canonical"], seen | {canonical}, region, only_unit)
                         for c, _ in self._edges(node, "parent")
                         if self.nodes.node(c)["canonical"] not in seen)
        for child in children:
            for pf in child.projects:
                amounts.setdefault(pf.node, pf.budget_wan or Decimal(0))
        own = sum((u.total_wan for u in flows), Decimal(0))
        attrs = self.nodes.node(node)
        every = attrs.get("allocations") or ()
        allocations = [a for a in every if a.region_code is None or self.within(a.region_code, region)]
        allocated = attrs.get("allocated")
        if region is not None and every:
            # only the region's share: the rows inside it that no kept row above counts already
            kept = {i for i, a in enumerate(every) if a.region_code and self.within(a.region_code, region)}
            tops = [every[i].amount_wan for i in sorted(kept)
                    if every[i].parent not in kept and every[i].amount_wan is not None]
            allocated = sum(tops, Decimal(0)) if tops else None
        unplaced = () if region is not None else tuple(
            {"recipient": a.recipient, "region_code": None, "amount_wan": a.amount_wan,
             "amount_printed": a.amount_printed, "source": a.span.to_json()}
            for a in allocations if a.region_code is None)
        return TraceDown(self.card(canonical), tuple(self.card(c) for c in self.parents(canonical)),
                         flows, own, sum(amounts.values(), Decimal(0)), children,
                         self._region_tree(flows, [a for a in allocations if a.region_code]),
                         allocated, unplaced, attrs.get("notice_source"),
                         tuple(attrs.get("attachments") or ()), self.stream(canonical))

    def stream(self, canonical: str) -> dict[str, Any] | None:
        """The fund stream of an ingested notice: {key, documents: [{year, canonical}]} (by year)."""
        key = self.nodes.node(doc_node(canonical)).get("stream")
        if not key:
            return None
        docs = self.nodes.streams.get(key, ())
        return {"key": key, "documents": [{"year": y, "canonical": c} for y, c in docs]}

    def _region_tree(self, flows: tuple[UnitFlow, ...], allocations: Sequence[Any] = ()) -> tuple[RegionFlow, ...]:
        """The units by region, nested city → county (a province only where a unit or an allocation
        is in it), each with the notice's allocation to it."""
        held: dict[str, list[UnitFlow]] = {}
        for u in flows:
            held.setdefault(u.region_code or "", []).append(u)
        allocated: dict[str, Any] = {}
        for a in allocations:
            allocated.setdefault(a.region_code, a)
        children: dict[str | None, set[str]] = {}
        for code in [*held, *(c for c in allocated if c not in held)]:
            chain = self.region_chain(code)
            # from the city down; a province stays only when it is the unit's own region
            keep = [c for c in chain if c == code or (self.regions.get(c) or {}).get("level") != "province"]
            for child, parent in zip(keep, (*keep[1:], None), strict=True):
                children.setdefault(parent, set()).add(child)

        def node(code: str) -> RegionFlow:
            subs = tuple(node(c) for c in sorted(children.get(code, ())))
            own = tuple(held.get(code, ()))
            total = sum((u.total_wan for u in own), Decimal(0)) + sum((r.budgeted_wan for r in subs), Decimal(0))
            level = (self.regions.get(code) or {}).get("level") or "unknown"
            a = allocated.get(code)
            if a is None:
                return RegionFlow(code, self.region_name(code), level, total, subs, own)
            return RegionFlow(code, self.region_name(code), level, total, subs, own, a.amount_wan,
                              a.amount_printed, a.span)

        return tuple(node(c) for c in sorted(children.get(None, ())))

    # ------------------------------------------------------------ up

    def trace_up(self, project_code: str, year: int | None = None, region: str | None = None) -> TraceUp:
        """The documents funding a project, each with its level, amount and ancestor chain.

        `year` picks the year when a code is reused; by default the latest. A code found in several
        regions needs `region` (AmbiguousProjectError lists them).
        """
        node = self._project(project_code, year, region)
        card = self.project_card(node)
        links = []
        for doc, edge in self._edges(node, "allocates", out=False):
            d = self.nodes.node(doc)
            chain = self.parents(d["canonical"])
            links.append(DocLink(d["canonical"], d.get("title"), d.get("organisation"), d.get("level"),
                                 edge.get("fund_level"), edge.get("fund_source"), edge.get("amount"),
                                 tuple(chain),
                                 tuple(self.nodes.node(doc_node(c)).get("level") for c in chain)))
        return TraceUp(card, tuple(links), card.fund_level, card.fund_source, card.fund_rule,
                       derived=not links)

    # ------------------------------------------------------------ across years

    def cross_year_links(self) -> list[CrossYearLink]:
        """Every cross-year link, by successor year, unit and code."""
        links = [d["link"] for _, _, d in self.graph.edges(data=True) if d.get("kind") == "continues"]
        return sorted(links, key=lambda lk: (lk.region_code, lk.year_to, lk.unit_code, lk.code_to))

    def history(self, project_code: str, year: int | None = None, region: str | None = None) -> History:
        """A project's line across years (oldest first), each year's change, and the links used; the
        line stays in the project's region (links never cross regions)."""
        return self._history(self._project(project_code, year, region), self._continued, self.project_card)

    def histories(self, nodes: Iterable[str]) -> Iterator[History | None]:
        """The history of each project node, as `history` gives it (None for a node the lineage does
        not hold); each node's links and card are read once for all of them (the build's project
        pages)."""
        links: dict[tuple[str, bool], str | None] = {}
        cards: dict[str, ProjectCard] = {}

        def continued(node: str, out: bool) -> str | None:
            if (node, out) not in links:
                links[(node, out)] = self._continued(node, out)
            return links[(node, out)]

        def card(node: str) -> ProjectCard:
            if node not in cards:
                cards[node] = self.project_card(node)
            return cards[node]

        for node in nodes:
            yield self._history(node, continued, card) if node in self.nodes else None

    def _continued(self, node: str, out: bool) -> str | None:
        """The project the node's line continues in (`out`) or comes from, when linked."""
        edges = self._edges(node, "continues", out)
        return edges[0][0] if edges else None

    def _history(self, node: str, continued: Callable[[str, bool], str | None],
                 card: Callable[[str], ProjectCard]) -> History:
        line = [node]
        while (back := continued(line[0], False)) is not None and back not in line:
            line.insert(0, back)
        while (ahead := continued(line[-1], True)) is not None and ahead not in line:
            line.append(ahead)
        entries: list[HistoryEntry] = []
        previous: Decimal | None = None
        for n in line:
            c = card(n)
            change = pct = None
            if entries and previous is not None and c.budget_wan is not None:
                change = c.budget_wan - previous
                if previous:
                    pct = (change * 100 / previous).quantize(Decimal("0.01"))
            entries.append(HistoryEntry(c.year, c.project_code, c.project_name, c.unit_code,
                                        c.budget_wan, change, pct, c.fund_level, c.fund_source,
                                        c.documents, c.source, c.region_code))
            previous = c.budget_wan
        links = tuple(dict(self.nodes.out_edges(a))[b]["link"] for a, b in zip(line, line[1:], strict=False))
        return History(card(node), tuple(entries), links)

    # ------------------------------------------------------------ totals and paths

    def totals(self) -> dict[str, Decimal]:
        """Amount through every node: a document's traced total, a unit's and a level's projects.

        Keys are node ids (``doc:…``, ``unit:<region>/<code>``, ``project:<region>:<year>:<code>``),
        ``level:<级别>`` (the budgets of projects whose fund level it is) and ``region:<code>`` (the
        budgets of the projects in the region and the regions inside it).
        """
        out: dict[str, Decimal] = {}
        for n, d in self.graph.nodes(data=True):
            kind = d.get("kind")
            if kind == "project":
                amount = d.get("budget") or Decimal(0)
                out[n] = amount
                if d.get("unit"):
                    key = unit_node(d.get("region"), d["unit"])
                    out[key] = out.get(key, Decimal(0)) + amount
                for region in self.region_chain(d.get("region") or ""):
                    key = f"region:{region}"
                    out[key] = out.get(key, Decimal(0)) + amount
                if d.get("fund_level"):
                    key = f"level:{d['fund_level']}"
                    out[key] = out.get(key, Decimal(0)) + amount
        for canonical in self.documents():
            out[doc_node(canonical)] = self._down(canonical, frozenset()).total_wan
        return out

    def node_for(self, text: str) -> str:
        """The node named by a node id, a 项目编码 (latest year), a unit code or a 文号; a code in several
        regions raises AmbiguousProjectError."""
        if text in self.nodes:
            return text
        if self.project_nodes(text):
            return self._project(text, None)
        if units := self._in_one_region("单位", text, self.unit_nodes(text), None):
            return units[0]
        return doc_node(self.resolve_document(text))

    def shortest_chain(self, a: str, b: str) -> list[str]:
        """The shortest chain of node ids joining two nodes, over every edge kind, either direction."""
        start, end = self.node_for(a), self.node_for(b)
        try:
            return nx.shortest_path(self.graph.to_undirected(as_view=True), start, end)
        except nx.NetworkXNoPath as e:
            raise LineageQueryError(f"{a} 与 {b} 之间没有资金链路") from e

    def label(self, node: str) -> str:
        """A short Chinese label for a node id."""
        d = self.nodes.node(node)
        kind = d.get("kind")
        if kind == "doc":
            return d["canonical"]
        if kind == "unit":
            return f"{self.region_name(d.get('region')) or ''} {d['code']} {d.get('name') or ''}".strip()
        return f"{d['year']} {d.get('name') or d['code']}"


def load_lineage(settings: Settings, build_dir: Path | None = None) -> Lineage:
    """The lineage of a build (default: the published one); `Build.lineage` holds it per build.

    Raises:
        NotBuiltError: nothing is built; LineageNotBuiltError: the build holds no lineage.
    """
    path = Path(build_dir) if build_dir is not None else Workspace(settings.index_dir).current
    return Lineage(version=path.name, nodes=read_nodes(path), build_dir=path)
