"""Fund flows drawn as a plotly Sankey: short node labels, full names and exact amounts in the hover.

`down_flow` shapes kg.lineage.sankey (level → document → unit → project); `up_flow` draws a
project's funding documents (level → parent documents → document → project); `up_chains` reads the
same as text, project first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kg.lineage import TraceDown, TraceUp, sankey
from kg.lineage.rules import stream_key, strip_name
from views.model.amounts import format_wan
from views.model.text import plot_lines, plot_text, shorten

__all__ = ["Flow", "down_flow", "up_flow", "up_chains", "figure_data", "short_name", "LABEL_CHARS"]

LABEL_CHARS = 14  # a project label longer than this is cut, the full name goes in the hover
_KIND = {"level": "资金层级", "doc": "文件", "region": "地区", "unit": "单位", "project": "项目",
         "unbudgeted": "未见预算", "unplaced": "未定位的分配对象"}
# Node colours by kind; money allocated but in no budget (and allocations to no known region) stand out.
_COLOUR = {"level": "#8c6bb1", "doc": "#2b6cb0", "region": "#2f855a", "unit": "#dd8452", "project": "#4c9f9f",
           "unbudgeted": "#c53030", "unplaced": "#718096"}
_LINK_COLOUR, _SHORTFALL_COLOUR = "rgba(160, 174, 192, 0.35)", "rgba(197, 48, 48, 0.30)"
_ROW_PX, _MIN_PX, _MARGIN_PX = 40, 260, 60


@dataclass
class Flow:
    """Sankey nodes (label, hover, kind) and links (source, target, exact amount, hover).

    Labels and hovers are held as plotly shows them: source text with its HTML made inert.
    """

    labels: list[str] = field(default_factory=list)
    hovers: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    source: list[int] = field(default_factory=list)
    target: list[int] = field(default_factory=list)
    amounts: list[Decimal] = field(default_factory=list)
    link_hovers: list[str] = field(default_factory=list)

    @property
    def values(self) -> list[float]:
        """Link widths for plotly (drawing only; the amounts shown are `amounts`, exact)."""
        return [float(a) for a in self.amounts]

    @property
    def height(self) -> int:
        """Pixels for the chart: enough rows for the fullest column (projects, usually)."""
        widest = max(Counter(self.kinds).values(), default=0)
        return max(_MIN_PX, widest * _ROW_PX + _MARGIN_PX)

    def node(self, label: str, hover: tuple[str, ...], kind: str) -> int:
        """Add a node: its label and its hover lines as plain text."""
        self.labels.append(plot_text(label))
        self.hovers.append(plot_lines(*hover))
        self.kinds.append(kind)
        return len(self.labels) - 1

    def link(self, a: int, b: int, amount: Decimal | None) -> None:
        amount = amount or Decimal(0)
        self.source.append(a)
        self.target.append(b)
        self.amounts.append(amount)
        self.link_hovers.append(f"{self.labels[a]} → {self.labels[b]}<br>{format_wan(amount)} 万元")


def short_name(name: str | None, code: str | None = None) -> str:
    """A project's name reduced to its fund-stream words and cut to LABEL_CHARS characters.

    ("冀财社﹝2021﹞176号 河北省财政厅关于提前下达2022年省级城乡居民养老保险补助资金预算指标的通知"
    → "省级城乡居民养老保险补助资金")
    """
    short = stream_key(name) or strip_name(name) or (name or "") or (code or "")
    return shorten(short, LABEL_CHARS)


def _project_labels(projects: list[tuple[str, str | None, str | None]]) -> dict[str, str]:
    """node id → short label; projects whose short names collide get their code's last 4 characters."""
    short = {nid: short_name(name, code) for nid, name, code in projects}
    seen = Counter(short.values())
    return {nid: f"{s} ·{(code or '')[-4:]}" if seen[s] > 1 else s
            for (nid, _, code), s in zip(projects, short.values(), strict=True)}


def down_flow(trace: TraceDown) -> Flow:
    """The Sankey of a document traced down (kg.lineage.sankey), with readable labels."""
    data = sankey(trace)
    flows = {pf.node: pf for pf in trace.projects}
    labels = _project_labels([(n["id"], flows[n["id"]].project_name, flows[n["id"]].project_code)
                              for n in data["nodes"] if n["kind"] == "project" and n["id"] in flows])
    out = Flow()
    for n in data["nodes"]:
        pf = flows.get(n["id"])
        if pf is not None:
            hover = (pf.project_name or "", f"{pf.year} 年 · {pf.project_code}",
                     f"{pf.unit_name or ''} · {format_wan(pf.budget_wan)} 万元")
            out.node(labels[n["id"]], hover, "project")
        else:
            # a long unit name is cut like a project's; the hover has it whole
            label = shorten(n["label"], LABEL_CHARS) if n["kind"] == "unit" else n["label"]
            what = "已分配、但没有县级预算引用的资金" if n["kind"] == "unbudgeted" else \
                f"{_KIND.get(n['kind'], '')}：{n['label']}"
            out.node(label, (what,), n["kind"])
    for k in data["links"]:
        out.link(k["source"], k["target"], k["value"])
    return out


def _level(level: str | None, source: str | None) -> str:
    return " · ".join(x for x in (f"{level}级" if level else None, source) if x) or "未知层级"


def up_flow(trace: TraceUp) -> Flow:
    """A project's funding drawn from its fund level through each document's parents to the project."""
    p = trace.project
    out = Flow()
    nodes: dict[str, int] = {}

    def node(key: str, label: str, hover: tuple[str, ...], kind: str) -> int:
        if key not in nodes:
            nodes[key] = out.node(label, hover, kind)
        return nodes[key]

    target = node("project", short_name(p.project_name, p.project_code),
                  (p.project_name or "", f"{p.year} 年 · {p.project_code}",
                   f"{p.unit_name or ''} · {format_wan(p.budget_wan)} 万元"), "project")
    if not trace.documents:
        level = _level(trace.fund_level, trace.fund_source)
        out.link(node("level", level, (f"资金层级：{level}（未引用文号，按资金规则判定）",), "level"), target,
                 p.budget_wan)
        return out
    for d in trace.documents:
        amount = d.amount_wan if d.amount_wan is not None else p.budget_wan
        chain = [*reversed(d.chain), d.canonical]  # farthest parent first
        level = _level(d.fund_level, d.fund_source)
        at = node(f"level:{level}", level, (f"资金层级：{level}",), "level")
        for doc in chain:
            hover = (doc, d.organisation or "") if doc == d.canonical else (doc,)
            nxt = node(f"doc:{doc}", doc, hover, "doc")
            out.link(at, nxt, amount)
            at = nxt
        out.link(at, target, amount)
    return out


def up_chains(trace: TraceUp) -> list[str]:
    """Each funding document as one line read from the project up:
    "项目 ← 文号（省级 · 河北省财政厅 · 省级补助资金，1,384.00 万元） ← 上级文件"."""
    p = trace.project
    head = f"{short_name(p.project_name, p.project_code)}（{p.year} · {p.project_code}）"
    if not trace.documents:
        return [f"{head} ← {_level(trace.fund_level, trace.fund_source)}（未引用文号，按资金规则判定）"]
    lines = []
    for d in trace.documents:
        amount = d.amount_wan if d.amount_wan is not None else p.budget_wan
        who = " · ".join(x for x in (d.level and f"{d.level}级", d.organisation, d.fund_source) if x)
        doc = f"{d.canonical}（{who}，{format_wan(amount)} 万元）"
        lines.append(" ← ".join([head, doc, *d.chain]))
    return lines


def figure_data(flow: Flow) -> dict[str, Any]:
    """The flow as keyword arguments of plotly's go.Sankey (node and link dicts)."""
    shortfall = {"unbudgeted", "unplaced"}
    return {
        "node": {"label": flow.labels, "customdata": flow.hovers, "pad": 20, "thickness": 14,
                 "color": [_COLOUR.get(k, "#a0aec0") for k in flow.kinds],
                 "hovertemplate": "%{customdata}<extra></extra>"},
        "link": {"source": flow.source, "target": flow.target, "value": flow.values,
                 "color": [_SHORTFALL_COLOUR if flow.kinds[t] in shortfall else _LINK_COLOUR for t in flow.target],
                 "customdata": flow.link_hovers, "hovertemplate": "%{customdata}<extra></extra>"},
    }
