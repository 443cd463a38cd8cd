"""项目: everything about one project: amounts, plan, goals, indicators, documents, themes, its audit
findings, its line across years, and the exact source lines.

The page reads the build's project index and the one project it shows (kg.projectpages: record,
themes, findings and history written together by the build), never the records of the build; the
picker lists regions and units from the totals and one unit's projects from its own line.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from ingest.errors import HrssError
from kg.projectpages import ProjectPage, ProjectPages
from kg.rdf.iri import UnitKey
from kg.totals import ProjectLine, Totals
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
from views.model.totals import level_label, unit_label
from views import _ui


def pick(totals: Totals, pages: ProjectPages, shown: ProjectPage | None) -> ProjectPage | None:
    """Region → unit → project selectboxes, starting at the project shown; the project picked."""
    p = shown.project if shown else None
    ident = f"{p.region_code}-{p.year}-{p.project_code}" if p else "none"  # a new project resets them
    scope = _ui.region_picker(totals, p.region_code if p else None, f"project-region-{ident}",
                              lambda _, kids: level_label(totals, kids))
    units = {u.key: u for u in totals.within(scope)}
    keys = list(units)
    current = UnitKey(p.region_code or "", p.unit_code or "") if p else None
    key = st.selectbox("单位", keys, index=keys.index(current) if current in units else None,
                       format_func=lambda k: unit_label(totals, units[k]),
                       key=f"project-unit-{scope}-{ident}", placeholder="选择或输入单位名称、编码")
    if key is None:
        return shown
    lines = sorted((x for x in _ui.safe(totals.lines, [units[key]])[0] if x.project_code),
                   key=lambda x: (-(x.year or 0), x.project_code or ""))
    here = next((x for x in lines if p and (x.region_code, x.year, x.project_code)
                 == (p.region_code or "", p.year, p.project_code)), None)
    line: ProjectLine | None = st.selectbox(
        "项目", lines, index=lines.index(here) if here else None, format_func=project_label,
        key=f"project-pick-{key.region}-{key.code}-{ident}", placeholder="选择或输入项目名称、编码")
    if line is None or line == here:
        return shown
    entry = pages.find(line.project_code or "", line.year, line.region_code)
    return _ui.safe(pages.read, entry) if entry else shown


st.title("项目")
s, _ = _ui.require_build()
pages = _ui.project_pages()
totals = _ui.totals()
if not len(pages):
    _ui.nothing("已载入的数据中没有项目。")

code, year = _ui.param("project"), _ui.int_param("year", lo=1900, hi=2100, fallback="最近的年度")
region = _ui.param("region")
entry = pages.find(code, year, region) if code else None
regions = pages.regions(code, year) if code and not region else []
if code and len(regions) > 1:  # one 项目编码 printed by several regions' tables: they are different projects
    st.info(_ui.md_text(f"项目编码 {code} 在 {len(regions)} 个地区使用，它们是不同的项目。请选择："),
            icon=":material/alt_route:")
    found = [pages.find(code, year, r) for r in regions]
    named = _ui.safe(pages.read_many, [e for e in found if e is not None])
    for r, other in zip(regions, named, strict=True):
        params = {"project": code, "region": r} | ({"year": str(year)} if year else {})
        label = f"{totals.path(r)} · {code} {other.project.project_name or ''}"
        st.page_link(_ui.PAGES["project"][0], label=_ui.md_text(label), query_params=params,
                     icon=":material/folder_open:")
    st.stop()
if code and entry is None:
    st.warning(_ui.md_text(f"没有找到项目编码 {code}" + (f"（{year} 年）" if year else "") + "，请从下面选择一个项目。"),
               icon=":material/search_off:")
shown = _ui.safe(pages.read, entry) if entry else None
with st.expander("选择项目（地区 → 单位 → 项目）", expanded=shown is None):
    page = pick(totals, pages, shown)
if page is None:
    st.caption("选择地区、单位和项目；或用网址 ?project=项目编码 打开一个项目。")
    st.stop()
p = page.project
_ui.set_params(project=p.project_code, year=p.year, region=p.region_code)

st.markdown(f"### {_ui.md_text(p.title or p.project_name)}")
place = totals.path(p.region_code or "")
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
    if page.themes:
        _ui.chips(list(page.themes))
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
mine = by_severity(page.findings)  # this project's own: its region, year and 项目编码
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
                st.code(source_excerpt(s, f.span, [page.file]), language=None)
            except HrssError as e:
                _ui.show_error(e)

st.markdown("#### 历年情况")
history = page.history
if history is None:
    st.caption("（资金血缘中没有这个项目）")
elif len(history) < 2:
    st.caption("（只有这一年的记录：没有找到上一年或下一年的对应项目）")
else:
    last = history[-1]
    first = history[0]
    change = (f"{format_change(last.change_wan)} 万元（{format_pct(last.change_pct)}）较上年"
              if last.change_wan else None)  # no arrow when the amount did not change
    st.metric(f"{last.year} 年预算（万元）", _ui.fmt_wan(last.budget_wan), change)
    if not last.change_wan:
        st.caption(f"与 {history[-2].year} 年持平")
    fig = go.Figure(go.Scatter(
        x=[str(e.year) for e in history], y=[float(e.budget_wan or 0) for e in history],
        mode="lines+markers+text", text=[_ui.fmt_wan(e.budget_wan) for e in history],
        textposition="top center", hovertext=[_ui.plot_text(e.project_code) for e in history],
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
    st.code(source_excerpt(s, p.span, [page.file]), language=None, line_numbers=False)
    picture = source_image(s, p.span, [page.file])
    if picture is not None:
        st.image(picture, caption=f"PDF 第 {p.span.page} 页中这些表格行的原样（图像）")
except HrssError as e:  # a missing source file must not hide the rest of the page
    _ui.show_error(e)
