"""单位: one budget unit's projects and amounts by year, and what changed between years."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from views.model.changes import change_rows, year_changes
from views.model.rows import project_rows
from views.model.totals import theme_year_totals, unit_names, unit_year_totals
from views import _ui

st.title("单位")
_ui.require_build()
corpus = _ui.corpus()
names = unit_names(corpus.projects)
if not names:
    _ui.nothing("已载入的数据中没有单位。")

codes = list(names)
wanted = _ui.param("unit")
if wanted and wanted not in names:
    st.warning(_ui.md_text(f"没有找到单位编码 {wanted}，请从下面选择一个单位。"), icon=":material/search_off:")
unit = st.selectbox("选择单位", codes, index=codes.index(wanted) if wanted in names else None,
                    format_func=lambda c: f"{c} {names[c]}", key="unit-pick", placeholder="选择单位")
if unit is None:
    st.stop()
_ui.set_params(unit=unit)
projects = [p for p in corpus.projects if p.unit_code == unit]

totals = unit_year_totals(projects)
for col, row in zip(st.columns(max(1, len(totals))), totals, strict=False):
    col.metric(f"{row['年度']} 年预算（万元）", _ui.fmt_wan(row["预算数(万元)"]), f"{row['项目数']} 个项目",
               delta_color="off", delta_arrow="off")

df = _ui.chart_frame(theme_year_totals(projects))
if not df.empty:
    df["年度"] = df["年度"].astype(str)
    fig = px.bar(df, x="年度", y="预算数(万元)", color="主题", barmode="group", text="金额", height=320)
    fig.update_layout(margin=dict(l=10, r=10, t=30, b=10))
    fig.update_xaxes(type="category")  # years are labels, not a number line ("2,021.5")
    st.plotly_chart(fig, key="unit-chart")

st.markdown("#### 项目")
_ui.project_table(project_rows(sorted(projects, key=lambda p: (p.year or 0, p.project_code or ""))),
                  key="unit-projects")

years = sorted({p.year for p in projects if p.year})
if len(years) >= 2:
    st.markdown(f"#### 变化：{years[-2]} → {years[-1]}")
    links = _ui.lineage().cross_year_links()
    _ui.table(change_rows(year_changes(projects, years[-2], years[-1], links)), key="unit-changes")
