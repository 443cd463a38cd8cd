"""The lineage view as the queries read it: one node at a time, with its edges.

The build stores the view (kg.lineage.view) node by node: each node's attributes with its in- and
out-edges is one item of LINEAGE_NODES (kg.itemfile), the graph's own attributes (regions, streams,
mentions, notice conflicts) one more; LINEAGE_INDEX holds each node's span, the projects and units by
code, the documents, the regions and the streams. A reader keeps the index and reads the nodes a
trace, a card or a history touches, so the serving process does not hold the whole graph; `read_graph`
makes the whole view again for the questions that walk all of it. A unit's edges to its projects
(``runs``) are stored with the projects only: no query follows them from the unit, so a unit's item
does not grow with its projects.

    nodes = read_nodes(build_dir)     # NodeFile: .node(n), .out_edges(n), .in_edges(n), n in nodes
    nodes = GraphNodes(view)          # the same questions over a view held in memory (the build)
    view = read_graph(build_dir)      # the whole nx.DiGraph, as the build made it
"""

from __future__ import annotations

import pickle
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from ingest.errors import HrssError
from kg.itemfile import Span, read_items, write_items
from kg.lineage.view import VIEW_FORMAT

__all__ = ["LINEAGE_FILE", "LineageNotBuiltError", "read_view", "LINEAGE_NODES", "LINEAGE_INDEX", "Nodes", "GraphNodes", "NodeFile", "write_nodes", "read_nodes", "read_graph"]

LINEAGE_FILE = "lineage.nodes"  # one item per node of the view, and its index
LINEAGE_NODES = LINEAGE_FILE
LINEAGE_INDEX = "lineage.index.pickle"
_FORMAT = 1
_GRAPH = ""  # the item of the graph's own attributes (no node is named "")

Edge = tuple[str, dict[str, Any]]  # (the node at the other end, the edge's attributes)


class Nodes:
    """What the lineage queries ask of the view: a node's attributes and edges, the nodes of a project
    or unit code, the documents, the regions and the fund streams."""

    regions: dict[str, dict[str, Any]]
    streams: dict[str, Any]
    projects_by_code: dict[str, list[str]]  # oldest year first
    units_by_code: dict[str, list[str]]
    documents: list[str]  # canonical 文号, sorted

    def __contains__(self, node: object) -> bool:
        raise NotImplementedError

    def node(self, node: str) -> dict[str, Any]:
        """The node's attributes; KeyError for a node the view does not hold."""
        raise NotImplementedError

    def out_edges(self, node: str) -> list[Edge]:
        """The node's out-edges; a unit's ``runs`` edges only when the view is held in memory."""
        raise NotImplementedError

    def in_edges(self, node: str) -> list[Edge]:
        raise NotImplementedError

    def preload(self, nodes: Iterable[str]) -> None:
        """Read these nodes at once (a trace about to visit them); nothing for a view in memory."""


def _indexes(view: nx.DiGraph) -> tuple[dict[str, list[str]], dict[str, list[str]], list[str]]:
    projects: dict[str, list[str]] = {}
    units: dict[str, list[str]] = {}
    docs: list[str] = []
    for n, data in view.nodes(data=True):
        kind = data.get("kind")
        if kind == "project":
            projects.setdefault(data["code"], []).append(n)
        elif kind == "unit":
            units.setdefault(data["code"], []).append(n)
        elif kind == "doc":
            docs.append(data["canonical"])
    for listed in projects.values():
        listed.sort(key=lambda n: view.nodes[n]["year"] or 0)
    return projects, units, sorted(docs)


class GraphNodes(Nodes):
    """The questions answered from a view held in memory."""

    def __init__(self, view: nx.DiGraph) -> None:
        self.view = view
        self.regions = view.graph.get("regions", {})
        self.streams = view.graph.get("streams", {})
        self.projects_by_code, self.units_by_code, self.documents = _indexes(view)

    def __contains__(self, node: object) -> bool:
        return node in self.view

    def node(self, node: str) -> dict[str, Any]:
        return self.view.nodes[node]

    def out_edges(self, node: str) -> list[Edge]:
        return [(v, d) for _, v, d in self.view.out_edges(node, data=True)]

    def in_edges(self, node: str) -> list[Edge]:
        return [(u, d) for u, _, d in self.view.in_edges(node, data=True)]


def write_nodes(view: nx.DiGraph, build_dir: Path) -> int:
    """Write the view node by node (LINEAGE_NODES) and its index (LINEAGE_INDEX); how many nodes."""
    def items() -> Iterable[tuple[str, bytes]]:
        for n, attrs in view.nodes(data=True):
            record = (attrs, [(v, d) for _, v, d in view.out_edges(n, data=True) if d.get("kind") != "runs"],
                      [(u, d) for u, _, d in view.in_edges(n, data=True)])
            yield n, pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)

        yield _GRAPH, pickle.dumps(dict(view.graph), protocol=pickle.HIGHEST_PROTOCOL)

    spans = write_items(build_dir / LINEAGE_NODES, items())
    graph = spans.pop(_GRAPH)
    projects, units, docs = _indexes(view)
    index = {"format": _FORMAT, "graph": graph, "spans": spans, "projects": projects, "units": units, "documents": docs,
             "regions": view.graph.get("regions", {}), "streams": view.graph.get("streams", {})}
    write_items(build_dir / LINEAGE_INDEX, [(0, pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))])
    return len(spans)


class NodeFile(Nodes):
    """The questions answered from a build's node file: the index held, each node read when asked
    (the last `keep` nodes read are kept: more than the widest trace touches, ~3,000 nodes for a notice
    funding 1,230 projects at 100k, so a repeated trace reads nothing again)."""

    def __init__(self, build_dir: Path, index: dict[str, Any], keep: int = 16384) -> None:
        self.path = build_dir / LINEAGE_NODES
        self._spans: dict[str, Span] = index["spans"]
        self._graph: Span = index["graph"]
        self.regions = index["regions"]
        self.streams = index["streams"]
        self.projects_by_code = index["projects"]
        self.units_by_code = index["units"]
        self.documents = index["documents"]
        self._keep = keep
        self._read: OrderedDict[str, tuple[dict[str, Any], list[Edge], list[Edge]]] = OrderedDict()

    def __contains__(self, node: object) -> bool:
        return node in self._spans

    def _load(self, spans: list[Span]) -> list[Any]:
        try:
            return [pickle.loads(raw) for raw in read_items(self.path, spans)]
        except Exception as e:  # a missing, truncated or foreign file raises many unrelated types
            raise LineageNotBuiltError(f"{self.path}: 资金血缘文件已损坏（{type(e).__name__}）；"
                                       "请重新运行 `python -m kg build`") from e

    def graph(self) -> nx.DiGraph:
        """The whole view, read from every item (the nodes in the order the build wrote them)."""
        names = list(self._spans)
        *records, attrs = self._load([*(self._spans[n] for n in names), self._graph])
        g: nx.DiGraph[str] = nx.DiGraph(**attrs)
        for n, (node_attrs, _, _) in zip(names, records, strict=True):
            g.add_node(n, **node_attrs)
        for n, (_, _, into) in zip(names, records, strict=True):  # the units' edges, as the build adds them
            for u, d in into:
                if d.get("kind") == "runs":
                    g.add_edge(u, n, **d)
        for n, (_, out, _) in zip(names, records, strict=True):
            for v, d in out:
                g.add_edge(n, v, **d)
        return g

    def preload(self, nodes: Iterable[str]) -> None:
        wanted = [n for n in dict.fromkeys(nodes) if n not in self._read and n in self._spans]
        if not wanted:
            return
        records = self._load([self._spans[n] for n in wanted])
        for n, record in zip(wanted, records, strict=True):
            self._read[n] = record
        while len(self._read) > max(self._keep, len(wanted)):
            self._read.popitem(last=False)

    def _record(self, node: str) -> tuple[dict[str, Any], list[Edge], list[Edge]]:
        record = self._read.get(node)
        if record is None:
            if node not in self._spans:
                raise KeyError(node)
            self.preload([node])
            record = self._read[node]
        else:
            self._read.move_to_end(node)
        return record

    def node(self, node: str) -> dict[str, Any]:
        return self._record(node)[0]

    def out_edges(self, node: str) -> list[Edge]:
        return self._record(node)[1]

    def in_edges(self, node: str) -> list[Edge]:
        return self._record(node)[2]


def read_nodes(build_dir: Path) -> NodeFile:
    """The node file of a build; LineageNotBuiltError when the build has none or it is unreadable."""
    path = build_dir / LINEAGE_INDEX
    if not path.exists() or not (build_dir / LINEAGE_NODES).exists():
        raise LineageNotBuiltError(f"{build_dir}: 此构建没有资金血缘数据；请运行 `python -m kg build`")
    try:
        index = pickle.loads(path.read_bytes())
    except Exception as e:  # a truncated or foreign pickle raises many unrelated types
        raise LineageNotBuiltError(f"{path}: 资金血缘文件已损坏（{type(e).__name__}）；"
                                   "请重新运行 `python -m kg build`") from e
    if not isinstance(index, dict) or index.get("format") != _FORMAT:
        raise LineageNotBuiltError(f"{path}: 资金血缘缓存格式已过期；请重新运行 `python -m kg build`")
    return NodeFile(build_dir, index)


def read_graph(build_dir: Path) -> nx.DiGraph:
    """The whole stored view of a build; LineageNotBuiltError when the build has none or it is unreadable."""
    return read_nodes(build_dir).graph()


class LineageNotBuiltError(HrssError):
    """The build holds no lineage, or a lineage this version cannot read."""


def read_view(build_dir: Path) -> nx.DiGraph:
    """The stored view of a build; LineageNotBuiltError when the build has none or it is unreadable."""
    view = read_graph(build_dir)
    if view.graph.get("format") != VIEW_FORMAT:
        raise LineageNotBuiltError(f"{build_dir / LINEAGE_FILE}: 资金血缘缓存格式已过期；请重新运行 `python -m kg build`")
    return view
