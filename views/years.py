"""年度对比: budget by year per region with drill-down (province → city → county → unit), per theme,
and the projects new, gone, grown and shrunk.

The totals come from the build (kg.totals), never from the records, so the page opens as fast at
100,000 projects as at 100; the list of changed projects reads the chosen units' lines of
unit_projects.jsonl only when asked for.
`?region=CODE` keeps the drill-down, `?unit=CODE` (with its region) one unit, `from`/`to` the years.
"""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from views import _ui
from views.model.changes import KINDS, change_rows, year_changes
from views.model.text import shorten
from views.model.totals import TOP_N, drill_items, item_rows, level_label, theme_rows, top_rows, year_rows

st.title("年度对比")
_ui.require_build()
totals = _ui.totals()
years = totals.years
if not years:
    _ui.nothing("已载入的数据中没有带年度的项目。")

TICK_CHARS = 12  # a longer unit or theme name is cut on the axis; the hover has it whole


def bars(rows: list[dict], x: str, key: str) -> None:
    df = _ui.chart_frame(rows)
    df["年度"] = df["年度"].astype(str)
    fig = px.bar(df, x=x, y="预算数(万元)", color="年度", barmode="group", height=360,
                 category_orders={"年度": sorted(set(df["年度"]))},  # years in order, whatever comes first
                 hover_data={"金额": True, "项目数": True, "预算数(万元)": False})
    ticks = {_ui.plot_text(r[x]): _ui.plot_text(shorten(r[x], TICK_CHARS)) for r in rows}
    fig.update_xaxes(tickmode="array", tickvals=list(ticks), ticktext=list(ticks.values()))
    fig.update_layout(margin=dict(l=10, r=10, t=30, b=10))
    st.plotly_chart(fig, key=key)


wanted = _ui.param("region")
if wanted and wanted not in totals.regions:
    _ui.notice("region", wanted, "没有这个地区", "全部地区")
    wanted = None
scope = _ui.region_picker(totals, wanted, "years-region", lambda _, kids: level_label(totals, kids))
own = {u.code: u for u in totals.own_units(scope)} if scope else {}
unit_code = _ui.param("unit")
if unit_code and unit_code not in own:
    _ui.notice("unit", unit_code, "这个地区没有这个单位", "整个地区")
    unit_code = None
if own:
    opts = [None, *own]
    unit_code = st.selectbox("单位", opts, index=opts.index(unit_code), key=f"years-unit-{scope}",
                             format_func=lambda c: "全部" if c is None else f"{c} {own[c].label}")
_ui.set_params(region=scope, unit=unit_code)
unit = own.get(unit_code) if unit_code else None
where = totals.path(scope) if scope else "全部地区"

if unit is not None:
    st.markdown(f"#### {_ui.md_text(f'{where} · {unit.code} {unit.label}')}：各年度预算数（万元）")
    _ui.table(year_rows(unit.years), key="years-unit-totals")
else:
    shown = scope
    items = drill_items(totals, shown)
    while len(items) == 1 and items[0].kind == "region":  # one region alone (one province): show inside it
        shown = items[0].code
        items = drill_items(totals, shown)
    where = totals.path(shown) if shown else where
    st.markdown(f"#### {_ui.md_text(where)}：各{'下级地区和单位' if shown else '地区'}预算数（万元）")
    if len(items) > TOP_N + 1:
        st.caption(f"图中是最近一年预算最多的 {TOP_N} 项，其余合为「其他」；下表列出全部。")
    bars(top_rows(items, years), "名称", "years-items")
    rows = item_rows(totals, items, shown)
    _ui.table(rows, key="years-subtotals")
    _ui.downloads(rows, f"年度对比_{scope or '全部'}", key="years-subtotals-dl")

if unit is None:
    st.markdown("#### 各主题预算数（万元）")
    bars(theme_rows(totals, scope), "主题", "years-themes")

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

counts = totals.change_counts(y_from, y_to, scope, unit_code)
for col, kind in zip(st.columns(len(KINDS)), KINDS, strict=True):
    col.metric(kind, counts[kind])
st.caption("上下年的项目按资金追溯的跨年关联对应（同一地区、同一单位、同名或同一资金来源）；没有关联的记为新增或取消。")
if st.toggle("列出这些项目", key="years-list", value=False):
    projects, links = _ui.safe(totals.lines, [unit] if unit is not None else totals.within(scope))
    changes = year_changes(projects, y_from, y_to, links)
    rows = change_rows(changes)
    _ui.table(rows, key="years-changes", empty="（两年都没有项目）")
    _ui.downloads(rows, f"年度对比_{y_from}_{y_to}", key="years-dl")
