"""A traced document as Sankey nodes and links (level → document → region → unit → project) for plotly."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kg.lineage.model import RegionFlow, TraceDown, UnitFlow

__all__ = ["sankey"]


def sankey(trace: TraceDown) -> dict[str, Any]:
    """Nodes and links of a TraceDown for a plotly Sankey.

    ``{"nodes": [{"id", "label", "kind"}], "links": [{"source", "target", "value", "label"}]}``;
    source and target index into nodes; values are Decimal 万元. The fund levels feed the traced
    document; each document feeds its child documents and its regions (city → county), regions their
units, units their projects.
    """
    nodes: list[dict[str, str]] = []
    index: dict[str, int] = {}
    links: dict[tuple[int, int], Decimal] = {}

    def node(key: str, label: str, kind: str) -> int:
        if key not in index:
            index[key] = len(nodes)
            nodes.append({"id": key, "label": label, "kind": kind})
        return index[key]

    def link(a: int, b: int, value: Decimal | None) -> None:
        links[(a, b)] = links.get((a, b), Decimal(0)) + (value or Decimal(0))

    top = node(f"doc:{trace.document.canonical}", trace.document.canonical, "doc")
    by_level: dict[tuple[str, str], Decimal] = {}
    seen: set[str] = set()
    for pf in trace.projects:
        if pf.node in seen:
            continue
        seen.add(pf.node)
        key = (pf.fund_level or "未知", pf.fund_source or "未知")
        by_level[key] = by_level.get(key, Decimal(0)) + (pf.budget_wan or Decimal(0))
    for (level, source), amount in sorted(by_level.items()):
        link(node(f"level:{level}:{source}", f"{level}级 · {source}", "level"), top, amount)

    def units(at: int, flows: tuple[UnitFlow, ...]) -> None:
        for u in flows:
            unit = node(f"unit:{u.region_code or ''}/{u.unit_code}", u.unit_name or u.unit_code, "unit")
            link(at, unit, u.total_wan)
            for pf in u.projects:
                label = f"{pf.project_name or pf.project_code}（{pf.year}）"
                link(unit, node(pf.node, label, "project"), pf.budget_wan)

    def region(at: int, r: RegionFlow) -> None:
        if not r.has_projects:
            return  # a region the notice allocates to but where no project cites it: no budget flows
        here = node(f"region:{r.region_code}", r.region_name or r.region_code, "region")
        link(at, here, r.budgeted_wan)
        for sub in r.regions:
            region(here, sub)
        units(here, r.units)

    def walk(t: TraceDown, at: int) -> None:
        if t.regions:
            for r in t.regions:
                region(at, r)
        else:
            units(at, t.units)
        for child in t.children:
            c = node(f"doc:{child.document.canonical}", child.document.canonical, "doc")
            link(at, c, child.total_wan)
            walk(child, c)

    walk(trace, top)
    return {"nodes": nodes,
            "links": [{"source": a, "target": b, "value": v,
                       "label": f"{nodes[a]['label']} → {nodes[b]['label']}: {v} 万元"}
                      for (a, b), v in links.items()]}
