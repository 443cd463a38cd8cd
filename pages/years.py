"""年度对比: amounts by year per unit and per theme, and the projects new, gone, grown and shrunk."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from kg import ui_data
from pages import _ui

st.title("年度对比")
_ui.require_build()
corpus = _ui.corpus()
years = sorted({p.year for p in corpus.projects if p.year})
if not years:
    st.info("已载入的数据中没有带年度的项目。")
    st.stop()

by_unit = _ui.frame(ui_data.unit_year_totals(corpus.projects))
by_unit["年度"] = by_unit["年度"].astype(str)
st.markdown("#### 各单位预算数（万元）")
fig = px.bar(by_unit, x="单位", y="预算数(万元)", color="年度", barmode="group", text_auto=".2f", height=360)
fig.update_layout(margin=dict(l=10, r=10, t=30, b=10))
st.plotly_chart(fig, key="years-units")

by_theme = _ui.frame(ui_data.theme_year_totals(corpus.projects))
by_theme["年度"] = by_theme["年度"].astype(str)
st.markdown("#### 各主题预算数（万元）")
fig = px.bar(by_theme, x="分组", y="预算数(万元)", color="年度", barmode="group", height=360,
             labels={"分组": "主题"})
fig.update_layout(margin=dict(l=10, r=10, t=30, b=10))
st.plotly_chart(fig, key="years-themes")

if len(years) < 2:
    st.info(f"只有 {years[0]} 年的数据，无法对比。")
    st.stop()

a, b = st.columns(2)
y_to_wanted = _ui.int_param("to")
y_to = b.selectbox("对比年度", years, index=years.index(y_to_wanted) if y_to_wanted in years else len(years) - 1,
                   key="years-to")
earlier = [y for y in years if y < y_to] or years
y_from_wanted = _ui.int_param("from")
y_from = a.selectbox("基准年度", earlier, index=earlier.index(y_from_wanted) if y_from_wanted in earlier
                     else len(earlier) - 1, key="years-from")
_ui.set_params(**{"from": y_from, "to": y_to})

changes = ui_data.year_changes(corpus.projects, y_from, y_to,
                               links=ui_data.cross_year_links(_ui.lineage()))
counts = {k: sum(1 for c in changes if c.kind == k) for k in ("新增", "取消", "增加", "减少", "持平")}
for col, (k, n) in zip(st.columns(5), counts.items(), strict=True):
    col.metric(k, n)
st.caption("上下年的项目按资金追溯的跨年关联对应；没有关联时按同一单位、去掉文号后的同名项目对应。")
rows = ui_data.change_rows(changes)
_ui.table(rows, key="years-changes")
_ui.downloads(rows, f"年度对比_{y_from}_{y_to}", key="years-dl")
