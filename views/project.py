"""项目: everything about one project: amounts, plan, goals, indicators, documents, themes, its audit
findings, its line across years, and the exact source lines."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from ingest.errors import HrssError
from kg.audit import filter_findings
from kg.lineage import LineageQueryError
from kg.themes import tag_project
from views.model.amounts import format_change, format_pct
from views.model.rows import (
    by_severity,
    finding_rows,
    history_rows,
    indicator_rows,
    project_label,
    severity_counts,
    spending_plan_rows,
)
from views.model.source import source_excerpt, source_image
from views import _ui

st.title("项目")
s, _ = _ui.require_build()
corpus = _ui.corpus()
options = sorted((p for p in corpus.projects if p.project_code),
                 key=lambda p: (-(p.year or 0), p.unit_code or "", p.project_code or ""))
if not options:
    _ui.nothing("已载入的数据中没有项目。")

code, year = _ui.param("project"), _ui.int_param("year", lo=1900, hi=2100, fallback="最近的年度")
region = _ui.param("region")
chosen = corpus.project(code, year, region) if code else None
regions = sorted({p.region_code or "" for p in corpus.with_code(code, year)}) if code and not region else []
if len(regions) > 1:  # one 项目编码 printed by several regions' tables: they are different projects
    totals = _ui.totals()
    st.info(_ui.md_text(f"项目编码 {code} 在 {len(regions)} 个地区使用，它们是不同的项目。请选择："),
            icon=":material/alt_route:")
    for r in regions:
        p = corpus.project(code, year, r)
        params = {"project": code, "region": r} | ({"year": str(year)} if year else {})
        label = f"{totals.path(r)} · {code} {p.project_name or ''}" if p else totals.path(r)
        st.page_link(_ui.PAGES["project"][0], label=_ui.md_text(label), query_params=params,
                     icon=":material/folder_open:")
    st.stop()
if code and chosen is None:
    st.warning(_ui.md_text(f"没有找到项目编码 {code}" + (f"（{year} 年）" if year else "") + "，请从下面选择一个项目。"),
               icon=":material/search_off:")
index = next((i for i, p in enumerate(options) if p is chosen), None if code else 0)
p = st.selectbox("选择项目", options, index=index, format_func=project_label, key="project-pick",
                 placeholder="选择或输入项目名称、编码")
if p is None:
    st.stop()
_ui.set_params(project=p.project_code, year=p.year, region=p.region_code)

st.markdown(f"### {_ui.md_text(p.title or p.project_name)}")
place = _ui.totals().path(p.region_code or "")
st.caption(_ui.md_text(f"项目编码 {p.project_code} · {p.year or '—'} 年 · {place} · {p.unit_name or ''}"))
c = st.columns(4)
c[0].metric("预算数（万元）", _ui.fmt_wan(p.budget_wan))
c[1].metric("财政资金（万元）", _ui.fmt_wan(p.fiscal_wan))
c[2].metric("其他资金（万元）", _ui.fmt_wan(p.other_wan))
c[3].metric("年度", p.year or "—")

left, right = st.columns([3, 2])
with left:
    st.markdown("**项目名称**")
    st.text(p.project_name or "—")
    st.markdown("**单位**")
    st.page_link(_ui.PAGES["unit"][0], label=_ui.md_text(f"{p.unit_code or ''} {p.unit_name or ''}".strip() or "—"),
                 query_params={"unit": p.unit_code or ""}
                 | ({"region": p.region_code} if p.region_code else {}),
                 icon=":material/apartment:")
    st.markdown("**资金用途**")
    st.text(p.purpose or "—")
    st.markdown("**绩效目标**")
    st.text("\n".join(p.goals) or "—")
    if p.long_term_goals:
        st.markdown("**中长期目标**")
        st.text("\n".join(p.long_term_goals))
with right:
    st.markdown("**文号**（资金来源文件）")
    for doc in p.doc_numbers:
        a, b = st.columns([3, 2])
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
    themes = [t.label for t in tag_project(p)]
    if themes:
        _ui.chips(themes)
    else:
        st.caption("（无）")
    plan = spending_plan_rows(p)
    st.markdown("**资金支出计划（累计 %）**")
    if plan:
        fig = go.Figure(go.Bar(x=[_ui.plot_text(r["时间"]) for r in plan],
                               y=[float(r["累计支出(%)"] or 0) for r in plan],
                               text=[_ui.plot_text(r["原文"]) for r in plan], textposition="outside"))
        fig.update_layout(height=220, margin=dict(l=10, r=10, t=10, b=10), yaxis_range=[0, 115])
        st.plotly_chart(fig, key="plan-chart", config={"displayModeBar": False})
    else:
        st.caption("（资金支出计划为空）")

st.markdown("#### 绩效指标")
_ui.table(indicator_rows(p), key="indicators", empty="（没有绩效指标）")

st.markdown("#### 审核意见")
findings = _ui.findings(required=False)
if findings is not None:
    mine = by_severity(filter_findings(findings, year=p.year, project=p.project_code))
    if not mine:
        st.success("这个项目没有审核意见。", icon=":material/check_circle:")
    else:
        st.caption(f"共 {len(mine)} 条（{severity_counts(mine)}）；「行」是原文件中的行号，展开可看原文。")
        _ui.table(finding_rows(mine), key="project-findings",
                  columns=("级别", "规则", "行", "字段", "原文值", "说明"))
        with st.expander("审核意见对应的原文"):
            for f in mine:
                st.markdown(f"**{_ui.md_text(f'{f.severity} · {f.rule_id} {f.rule_title}')}** — "
                            f"{_ui.md_text(f.location)}")
                try:
                    st.code(source_excerpt(s, corpus, f.span), language=None)
                except HrssError as e:
                    _ui.show_error(e)

st.markdown("#### 历年情况")
lineage = _ui.lineage(required=False)
try:
    history = lineage.history(p.project_code, p.year, p.region_code) if lineage is not None else None
except LineageQueryError as e:
    st.caption(_ui.md_text(f"（{e}）"))
    history = None
if history is not None and len(history.entries) < 2:
    st.caption("（只有这一年的记录：没有找到上一年或下一年的对应项目）")
elif history is not None:
    last = history.entries[-1]
    first = history.entries[0]
    change = (f"{format_change(last.change_wan)} 万元（{format_pct(last.change_pct)}）较上年"
              if last.change_wan else None)  # no arrow when the amount did not change
    st.metric(f"{last.year} 年预算（万元）", _ui.fmt_wan(last.budget_wan), change)
    if not last.change_wan:
        st.caption(f"与 {history.entries[-2].year} 年持平")
    fig = go.Figure(go.Scatter(
        x=[str(e.year) for e in history.entries], y=[float(e.budget_wan or 0) for e in history.entries],
        mode="lines+markers+text", text=[_ui.fmt_wan(e.budget_wan) for e in history.entries],
        textposition="top center", hovertext=[_ui.plot_text(e.project_code) for e in history.entries],
        cliponaxis=False))
    fig.update_layout(height=240, margin=dict(l=10, r=10, t=30, b=10), yaxis_title="预算数（万元）",
                      xaxis_type="category", yaxis_rangemode="tozero")
    st.plotly_chart(fig, key="history-chart", config={"displayModeBar": False})
    st.caption(f"{first.year}–{last.year} 年的同一项目（按资金追溯的跨年关联对应）")
    _ui.project_table(history_rows(history), key="history")

st.markdown("#### 原文")
st.caption(_ui.md_text(f"{p.span.file} 第 {p.span.first_line}–{p.span.last_line} 行" if p.span.is_text
                       else f"{p.span.locator}（表格按行列出，单元格以 | 分隔）"))
try:
    st.code(source_excerpt(s, corpus, p.span), language=None, line_numbers=False)
    picture = source_image(s, corpus, p.span)
    if picture is not None:
        st.image(picture, caption=f"PDF 第 {p.span.page} 页中这些表格行的原样（图像）")
except HrssError as e:  # a missing source file must not hide the rest of the page
    _ui.show_error(e)
