"""单位: one budget unit's projects and amounts by year, and what changed between years."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from kg import ui_data
from pages import _ui

st.title("单位")
_ui.require_build()
corpus = _ui.corpus()
names = ui_data.unit_names(corpus.projects)
if not names:
    st.info("已载入的数据中没有单位。")
    st.stop()

codes = list(names)
wanted = _ui.param("unit")
unit = st.selectbox("选择单位", codes, index=codes.index(wanted) if wanted in names else 0,
                    format_func=lambda c: f"{c} {names[c]}", key="unit-pick")
_ui.set_params(unit=unit)
projects = [p for p in corpus.projects if p.unit_code == unit]

totals = ui_data.unit_year_totals(projects)
cols = st.columns(max(1, len(totals)))
for col, row in zip(cols, totals, strict=False):
    col.metric(f"{row['年度']} 年预算（万元）", _ui.fmt_wan(row["预算数(万元)"]), f"{row['项目数']} 个项目",
               delta_color="off")

df = _ui.frame(ui_data.theme_year_totals(projects))
if not df.empty:
    df["年度"] = df["年度"].astype(str)
    fig = px.bar(df, x="年度", y="预算数(万元)", color="分组", barmode="group", text_auto=".2f",
                 labels={"分组": "主题"}, height=320)
    fig.update_layout(margin=dict(l=10, r=10, t=30, b=10))
    st.plotly_chart(fig, key="unit-chart")

st.markdown("#### 项目")
_ui.project_table(ui_data.project_rows(sorted(projects, key=lambda p: (p.year or 0, p.project_code or ""))),
                  key="unit-projects")

years = sorted({p.year for p in projects if p.year})
if len(years) >= 2:
    st.markdown(f"#### 变化：{years[-2]} → {years[-1]}")
    changes = ui_data.year_changes(projects, years[-2], years[-1], links=ui_data.cross_year_links(_ui.lineage()))
    _ui.table(ui_data.change_rows(changes), key="unit-changes")
