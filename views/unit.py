"""单位: every unit grouped by region with its totals per year; one unit's projects and changes.

A unit is (region, code): `?unit=CODE&region=REGION`. A code that several regions use, given without
its region, lists them to choose from. Everything comes from the build's totals (kg.totals): the list
from totals.json, one unit's projects from its own line of unit_projects.jsonl, never the records.
"""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from views import _ui
from views.model.changes import change_rows, year_changes
from views.model.rows import project_rows
from views.model.totals import level_label, project_theme_rows, unit_label, unit_rows

st.title("单位")
_ui.require_build()
totals = _ui.totals()
if not totals.units:
    _ui.nothing("已载入的数据中没有单位。")

code, region = _ui.param("unit"), _ui.param("region")
if region and region not in totals.regions:
    _ui.notice("region", region, "没有这个地区", "全部地区")
    region = None
chosen = None
if code:
    matches = [u for u in totals.with_code(code) if region is None or region in totals.chain(u.region)]
    if not matches:
        where = f"（{totals.label(region)}）" if region else ""
        st.warning(_ui.md_text(f"没有找到单位编码 {code}{where}，请从下面选择一个单位。"), icon=":material/search_off:")
    elif len(matches) > 1:
        st.info(_ui.md_text(f"单位编码 {code} 在 {len(matches)} 个地区使用，它们是不同的单位。请选择："),
                icon=":material/alt_route:")
        for u in matches:
            label = f"{totals.path(u.region)} · {u.code} {u.label}"
            st.page_link(_ui.PAGES["unit"][0], label=_ui.md_text(label),
                         query_params={"unit": u.code, "region": u.region}, icon=":material/apartment:")
        st.stop()
    else:
        chosen = matches[0]

if chosen is None:
    st.caption("按地区（省 → 市 → 县）列出全部单位及各年度预算；选择地区缩小范围，再选择一个单位查看项目。")
    scope = _ui.region_picker(totals, region, "unit-region", lambda _, kids: level_label(totals, kids))
    _ui.set_params(unit=None, region=scope)
    units = {u.key: u for u in totals.within(scope)}
    key = st.selectbox("选择单位", list(units), index=None, format_func=lambda k: unit_label(totals, units[k]),
                       key=f"unit-pick-{scope or 'all'}", placeholder="选择或输入单位名称、编码")
    pick = units[key] if key is not None else None
    if pick is None:
        st.markdown(f"#### {_ui.md_text(totals.path(scope) if scope else '全部地区')}：{len(units)} 个单位")
        _ui.table(unit_rows(totals, scope), key="unit-list")
        st.stop()
    chosen = pick

_ui.set_params(unit=chosen.code, region=chosen.region)
st.markdown(f"### {_ui.md_text(f'{chosen.code} {chosen.label}')}")
st.caption(_ui.md_text(f"{totals.path(chosen.region)}（地区编码 {chosen.region}）"))
st.page_link(_ui.PAGES["unit"][0], label="返回单位列表", query_params={"region": chosen.region},
             icon=":material/arrow_back:")
years = sorted(chosen.years)
for col, y in zip(st.columns(max(1, len(years))), years, strict=False):
    a = chosen.years[y]
    col.metric(f"{y} 年预算（万元）", _ui.fmt_wan(a.budget_wan), f"{a.projects} 个项目",
               delta_color="off", delta_arrow="off")

projects, links = _ui.safe(totals.lines, [chosen])

df = _ui.chart_frame(project_theme_rows(projects))
if not df.empty:
    df["年度"] = df["年度"].astype(str)
    fig = px.bar(df, x="年度", y="预算数(万元)", color="主题", barmode="group", text="金额", height=320)
    fig.update_layout(margin=dict(l=10, r=10, t=30, b=10))
    fig.update_xaxes(type="category")  # years are labels, not a number line ("2,021.5")
    st.plotly_chart(fig, key="unit-chart")

st.markdown("#### 项目")
_ui.project_table(project_rows(sorted(projects, key=lambda p: (p.year or 0, p.project_code or ""))),
                  key="unit-projects")

if len(years) >= 2:
    st.markdown(f"#### 变化：{years[-2]} → {years[-1]}")
    _ui.table(change_rows(year_changes(projects, years[-2], years[-1], links)), key="unit-changes")
