"""资金追溯: from a 文号 down to units and projects (Sankey), or from a project up to its documents.

`?doc=…&region=…` keeps one region (and the regions inside it). A notice whose allocations the trace
carries gets its reconciliation: 分配数 / 预算数 / 差额 per region and the working paper as XLSX.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from kg.lineage import AmbiguousDocumentError, Lineage, LineageQueryError, TraceDown
from views.model.flows import Flow, down_flow, figure_data, up_chains, up_flow
from views.model.notice import (XLSX_MIME, allocation_rows, allocation_table, has_allocations, paper_name,
                                reconciliation_xlsx)
from views.model.rows import document_rows, project_rows
from views import _ui


def sankey(flow: Flow) -> None:
    fig = go.Figure(go.Sankey(arrangement="snap", **figure_data(flow)))
    fig.update_layout(height=flow.height, margin=dict(l=10, r=10, t=10, b=10), font_size=13)
    st.plotly_chart(fig, key="trace-sankey", config={"displayModeBar": False})


def region_param(lineage: Lineage) -> str | None:
    """The region of the URL (a code or a name) as a code; an unknown one gets a notice and None."""
    value = _ui.param("region")
    if value is None:
        return None
    try:
        return lineage.resolve_region(value)
    except LineageQueryError as e:
        _ui.notice("region", value, str(e), "全部地区")
        return None


def reconciliation(trace: TraceDown) -> None:
    """The notice's allocations beside the budgets of the trace, and the working paper to download."""
    canonical = trace.document.canonical
    st.markdown("#### 分配与预算对账")
    st.caption("分配数为通知下达数，预算数为各地项目引用本文号的预算数之和；差额 = 预算数 − 分配数（万元）。")
    _ui.link_table(allocation_table(allocation_rows(trace), canonical), key="trace-allocations", link="项目",
                   text="查看项目")
    st.download_button("下载对账底稿 XLSX", reconciliation_xlsx(trace), paper_name(canonical), XLSX_MIME,
                       key="trace-reconcile-xlsx", icon=":material/download:",
                       help="审计工作底稿：各地区分配数、预算数、差额，各项目及两方出处")
    st.markdown("#### 引用本文号的项目")


st.title("资金追溯")
_ui.require_build()
DOWN, UP = "从文号向下", "从项目向上"


def _mode_changed() -> None:
    # the URL follows the direction picked, so the line below does not flip it back
    if st.session_state["trace-mode"] == UP:
        _ui.set_params(doc=None, region=None)
    else:
        _ui.set_params(project=None, year=None)


# A link (?doc= or ?project=) picks the direction, also when this page was open already.
if _ui.param("doc"):
    st.session_state["trace-mode"] = DOWN
elif _ui.param("project"):
    st.session_state["trace-mode"] = UP
mode = st.radio("方向", [DOWN, UP], horizontal=True, key="trace-mode", on_change=_mode_changed)
lineage = _ui.lineage()

if mode == DOWN:
    doc = st.text_input("文号", value=_ui.param("doc", ""), key="trace-doc",
                        placeholder="例如：冀财社〔2021〕176号").strip()
    region = region_param(lineage)
    _ui.set_params(doc=doc, project=None, year=None, region=region)
    if not doc:
        st.caption("输入文号，查看资金从发文机关到单位、项目的去向。")
        st.stop()
    try:
        trace = lineage.trace_down(doc, region=region)
    except AmbiguousDocumentError as e:
        st.markdown(f"**「{_ui.md_text(doc)}」对应 {len(e.candidates)} 个文件，请选择：**")
        for c in e.candidates:
            _ui.doc_link(c, page="trace")
        st.stop()
    except LineageQueryError as e:
        _ui.nothing(f"没有找到可追溯的资金：{e}。")
    declared: TraceDown | None = trace if has_allocations(trace) else None
    if not trace.projects and declared is None:
        _ui.nothing(f"{trace.document.canonical} 没有拨款到任何项目（它可能只在指标的政策依据中被引用）。")
    who = trace.document.organisation or trace.document.issuer or ""
    where = f" · {_ui.md_text(lineage.region_name(region) or region)}" if region else ""
    st.caption(f"{_ui.md_text(trace.document.canonical)} · {_ui.md_text(who)}{where} · "
               f"{len(trace.units)} 个单位 · {len(trace.projects)} 个项目；悬停可看全称和金额")
    if region:
        _ui.doc_link(trace.document.canonical, page="trace", label="查看全部地区")
    flow, rows = down_flow(trace), project_rows(trace.projects)
    total = trace.total_wan
else:
    code = st.text_input("项目编码", value=_ui.param("project", ""), key="trace-project").strip()
    year = _ui.int_param("year", lo=1900, hi=2100, fallback="最近的年度")
    _ui.set_params(project=code, year=year, doc=None, region=None)
    if not code:
        st.caption("输入项目编码，查看为它拨款的文件及其层级。")
        st.stop()
    try:
        trace = lineage.trace_up(code, year)
    except LineageQueryError as e:
        _ui.nothing(f"没有找到可追溯的资金：{e}。")
    st.markdown("**资金链**（项目 ← 文件 ← 上级文件）")
    st.text("\n".join(up_chains(trace)))
    for d in trace.documents:
        _ui.doc_link(d.canonical, page="trace", label=f"{d.canonical}：向下追溯它拨付的全部项目")
    flow, rows = up_flow(trace), document_rows(trace)
    total, declared = trace.project.budget_wan, None

if declared is not None:
    c = st.columns(3)
    c[0].metric("分配数（万元）", _ui.fmt_wan(declared.allocated_wan))
    c[1].metric("预算数（万元）", _ui.fmt_wan(total))
    c[2].metric("差额（万元）", _ui.fmt_wan(declared.difference_wan), help="预算数 − 分配数；没有项目引用时不计")
else:
    st.metric("合计（万元）", _ui.fmt_wan(total))
sankey(flow)
if declared is not None:
    reconciliation(declared)
if mode == DOWN:
    _ui.project_table(rows, key="trace-table")
else:
    _ui.table(rows, key="trace-table", empty="（未引用文号：资金层级按资金规则判定）")
_ui.downloads(rows, "资金追溯", key="trace-dl")
