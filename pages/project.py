"""项目: everything about one project, its documents, its history and its source lines."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from kg import ui_data
from pages import _ui

st.title("项目")
s, _ = _ui.require_build()
corpus = _ui.corpus()
projects = [p for p in corpus.projects if p.project_code]
if not projects:
    st.info("已载入的数据中没有项目。")
    st.stop()

code, year = _ui.param("project"), _ui.int_param("year")
chosen = corpus.project(code, year) if code else None
if code and chosen is None:
    st.warning(f"没有找到项目编码 {code}" + (f"（{year} 年）" if year else ""))
options = sorted(projects, key=lambda p: (-(p.year or 0), p.unit_code or "", p.project_code or ""))
index = next((i for i, p in enumerate(options) if p is chosen), 0)
p = st.selectbox("选择项目", options, index=index, format_func=ui_data.project_label, key="project-pick")
_ui.set_params(project=p.project_code, year=p.year)

st.markdown(f"### {_ui.md_text(p.title or p.project_name)}")
c = st.columns(5)
c[0].metric("预算数（万元）", _ui.fmt_wan(p.budget_wan))
c[1].metric("财政资金（万元）", _ui.fmt_wan(p.fiscal_wan))
c[2].metric("其他资金（万元）", _ui.fmt_wan(p.other_wan))
c[3].metric("年度", p.year or "—")
c[4].metric("项目编码", p.project_code or "—")

left, right = st.columns([3, 2])
with left:
    st.markdown("**项目名称**")
    st.text(p.project_name or "—")
    st.markdown("**单位**")
    st.page_link(_ui.PAGES["unit"][0], label=f"{p.unit_code or ''} {p.unit_name or ''}".strip() or "—",
                 query_params={"unit": p.unit_code or ""}, icon=":material/apartment:")
    st.markdown("**资金用途**")
    st.text(p.purpose or "—")
    st.markdown("**绩效目标**")
    st.text("\n".join(p.goals) or "—")
with right:
    st.markdown("**文号**（资金来源文件）")
    for doc in p.doc_numbers:
        a, b = st.columns(2)
        with a:
            _ui.doc_link(doc)
        with b:
            _ui.doc_link(doc, page="trace", label="追溯资金去向")
    if not p.doc_numbers:
        st.caption("（标题、名称和用途中未引用文号）")
    basis = list(dict.fromkeys(r.canonical for r in p.basis_refs))
    if basis:
        st.markdown("**政策依据中的文号**")
        for doc in basis:
            _ui.doc_link(doc)
    st.markdown("**主题**")
    themes = ui_data.theme_labels(p)
    if themes is None:
        st.caption("（主题模块尚未就绪）")
    elif themes:
        _ui.chips(themes)
    else:
        st.caption("（无）")
    plan = ui_data.spending_plan_rows(p)
    st.markdown("**资金支出计划（累计 %）**")
    if plan:
        fig = go.Figure(go.Bar(x=[r["时间"] for r in plan], y=[r["累计支出(%)"] for r in plan],
                               text=[r["原文"] or "" for r in plan], textposition="outside"))
        fig.update_layout(height=220, margin=dict(l=10, r=10, t=10, b=10), yaxis_range=[0, 115])
        st.plotly_chart(fig, key="plan-chart", config={"displayModeBar": False})
    else:
        st.caption("（资金支出计划为空）")

st.markdown("#### 绩效指标")
_ui.table(ui_data.indicator_rows(p), key="indicators")

st.markdown("#### 历年情况")
lineage = _ui.lineage()
if lineage is None:
    _ui.missing("跨年度追溯")
else:
    _ui.table(ui_data.history_rows(lineage, p), key="history")

st.markdown("#### 原文")
st.caption(f"{p.span.file} 第 {p.span.first_line}–{p.span.last_line} 行")
try:
    st.code(ui_data.source_excerpt(s, corpus, p.span), language=None, line_numbers=False)
except Exception as e:  # noqa: BLE001 - a missing source file must not hide the rest of the page
    _ui.show_error(e)
