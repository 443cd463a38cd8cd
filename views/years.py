"""年度对比: amounts by year per unit and per theme, and the projects new, gone, grown and shrunk."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from views import _ui
from views.model.changes import KINDS, change_rows, kind_counts, year_changes
from views.model.text import shorten
from views.model.totals import theme_year_totals, unit_year_totals

st.title("年度对比")
_ui.require_build()
corpus = _ui.corpus()
years = sorted({p.year for p in corpus.projects if p.year})
if not years:
    _ui.nothing("已载入的数据中没有带年度的项目。")


TICK_CHARS = 12  # a longer unit or theme name is cut on the axis; the hover has it whole


def bars(rows: list[dict], x: str, key: str) -> None:
    df = _ui.chart_frame(rows)
    df["年度"] = df["年度"].astype(str)
    fig = px.bar(df, x=x, y="预算数(万元)", color="年度", barmode="group", height=360,
                 hover_data={"金额": True, "项目数": True, "预算数(万元)": False})
    ticks = {_ui.plot_text(r[x]): _ui.plot_text(shorten(r[x], TICK_CHARS)) for r in rows}
    fig.update_xaxes(tickmode="array", tickvals=list(ticks), ticktext=list(ticks.values()))
    fig.update_layout(margin=dict(l=10, r=10, t=30, b=10))
    st.plotly_chart(fig, key=key)


st.markdown("#### 各单位预算数（万元）")
bars(unit_year_totals(corpus.projects), "单位", "years-units")
st.markdown("#### 各主题预算数（万元）")
bars(theme_year_totals(corpus.projects), "主题", "years-themes")

if len(years) < 2:
    _ui.nothing(f"只有 {years[0]} 年的数据，无法对比。")

a, b = st.columns(2)
y_to_wanted = _ui.int_param("to", choices=years, fallback=f"{years[-1]} 年")
y_to = b.selectbox("对比年度", years, index=years.index(y_to_wanted) if y_to_wanted in years else len(years) - 1,
                   key="years-to")
earlier = [y for y in years if y < y_to] or years
y_from_wanted = _ui.int_param("from", choices=earlier, fallback=f"{earlier[-1]} 年")
y_from = a.selectbox("基准年度", earlier, index=earlier.index(y_from_wanted) if y_from_wanted in earlier
                     else len(earlier) - 1, key="years-from")
_ui.set_params(**{"from": y_from, "to": y_to})

changes = year_changes(corpus.projects, y_from, y_to, _ui.lineage().cross_year_links())
for col, (kind, n) in zip(st.columns(len(KINDS)), kind_counts(changes).items(), strict=True):
    col.metric(kind, n)
st.caption("上下年的项目按资金追溯的跨年关联对应（同一单位、同名或同一资金来源）；没有关联的记为新增或取消。")
rows = change_rows(changes)
_ui.table(rows, key="years-changes", empty="（两年都没有项目）")
_ui.downloads(rows, f"年度对比_{y_from}_{y_to}", key="years-dl")
