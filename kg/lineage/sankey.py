"""A traced document as Sankey nodes and links (level → document → region → unit → project) for plotly.

Where the trace carries a notice's declared allocations (trace schema 2), the document feeds its
regions by the amounts allocated, and what a region was allocated beyond what its sub-regions and
units show flows into one "未见预算" node; regions without an allocation are fed by their budgets.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kg.lineage.model import RegionFlow, TraceDown, UnitFlow

__all__ = ["sankey", "UNBUDGETED"]

UNBUDGETED = "未见预算"  # allocated to a region, in no budget of it the build holds


def _field(item: Any, name: str) -> Any:
    """A field of an unplaced allocation, a record or its JSON dict."""
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def sankey(trace: TraceDown) -> dict[str, Any]:
    """Nodes and links of a TraceDown for a plotly Sankey.

    ``{"nodes": [{"id", "label", "kind"}], "links": [{"source", "target", "value", "label"}]}``;
    source and target index into nodes; values are Decimal 万元. The fund levels feed the traced
    document; each document feeds its child documents and its regions (city → county), regions their
    units, units their projects. A region with an allocation is fed that amount and passes the part its
    sub-regions (their allocation, else their budget) and units do not show to the node "未见预算"
    (kind ``unbudgeted``); an allocation to no known region feeds a node of its own (kind ``unplaced``).
    Only the traced document's allocations are drawn: a child document (a notice forwarding it) is fed
    and drawn by the budgets of the projects citing it, and left out when none does.
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

    def allocated_under(r: RegionFlow) -> bool:
        return r.allocated_wan is not None or any(allocated_under(sub) for sub in r.regions)

    def shown(r: RegionFlow, declared: bool) -> Decimal:
        """What flows out of a region to the regions and units under it."""
        return sum((inflow(sub, declared) for sub in r.regions), Decimal(0)) + \
            sum((u.total_wan for u in r.units), Decimal(0))

    def inflow(r: RegionFlow, declared: bool) -> Decimal:
        # a city the notice does not allocate to itself, over counties it does: what they get
        if declared and r.allocated_wan is not None:
            return r.allocated_wan
        return shown(r, declared) if declared and allocated_under(r) else r.budgeted_wan

    def region(at: int, r: RegionFlow, declared: bool, within: str) -> None:
        if not r.all_units() and not (declared and allocated_under(r)):
            return  # nothing budgeted or allocated there: no flow to draw
        here = node(f"region:{within}{r.region_code}", r.region_name or r.region_code, "region")
        link(at, here, inflow(r, declared))
        for sub in r.regions:
            region(here, sub, declared, within)
        units(here, r.units)
        if declared and r.allocated_wan is not None and r.allocated_wan > (below := shown(r, declared)):
            link(here, node("unbudgeted", UNBUDGETED, "unbudgeted"), r.allocated_wan - below)

    def walk(t: TraceDown, at: int, declared: bool) -> None:
        # a child document's regions are its own nodes: its flows never add to the traced document's
        within = "" if t is trace else f"{t.document.canonical}/"
        if t.regions:
            for r in t.regions:
                region(at, r, declared, within)
        else:
            units(at, t.units)
        for a in t.unplaced if declared else ():
            recipient = str(_field(a, "recipient") or "")
            link(at, node(f"unplaced:{t.document.canonical}:{recipient}", f"{recipient}（未定位）", "unplaced"),
                 _field(a, "amount_wan"))
        # a forwarding notice declares again money its parent declared: only the traced document's
        # allocations are drawn, the children's budgets below it (their own trace shows their allocations)
        for child in t.children:
            if not child.projects:
                continue
            c = node(f"doc:{child.document.canonical}", child.document.canonical, "doc")
            link(at, c, child.total_wan)
            walk(child, c, False)

    walk(trace, top, True)
    return {"nodes": nodes,
            "links": [{"source": a, "target": b, "value": v,
                       "label": f"{nodes[a]['label']} → {nodes[b]['label']}: {v} 万元"}
                      for (a, b), v in links.items()]}
