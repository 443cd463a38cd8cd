"""资金追溯: from a 文号 down to units and projects (Sankey), or from a project up to its documents."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from kg import ui_data
from pages import _ui

st.title("资金追溯")
_ui.require_build()
mode = st.radio("方向", ["从文号向下", "从项目向上"], horizontal=True, key="trace-mode",
                index=1 if _ui.param("project") and not _ui.param("doc") else 0)
lineage = _ui.lineage()

if mode == "从文号向下":
    doc = st.text_input("文号", value=_ui.param("doc", ""), key="trace-doc", placeholder="例如：冀财社〔2021〕176号")
    _ui.set_params(doc=doc.strip(), project=None, year=None)
    if not doc.strip():
        st.caption("输入文号，查看资金从发文机关到单位、项目的去向。")
        st.stop()
    if lineage is None:
        _ui.missing("资金追溯")
        lookup = ui_data.corpus_doc_lookup(_ui.corpus().projects, doc)
        trace = ui_data.corpus_trace_down(lookup)
    else:
        trace = _ui.safe(lineage.trace_down, doc.strip())
else:
    code = st.text_input("项目编码", value=_ui.param("project", ""), key="trace-project")
    year = _ui.int_param("year")
    _ui.set_params(project=code.strip(), year=year, doc=None)
    if not code.strip():
        st.caption("输入项目编码，查看为它拨款的文件及其层级。")
        st.stop()
    if lineage is None:
        _ui.missing("资金追溯")
        st.stop()
    trace = _ui.safe(lineage.trace_up, code.strip(), year)

if trace is None:
    st.warning("没有找到可追溯的资金。")
    st.stop()

chart, side = st.columns([3, 2])
with chart:
    sankey = ui_data.sankey_data(trace)
    if sankey["value"]:
        fig = go.Figure(go.Sankey(
            node=dict(label=sankey["labels"], pad=18, thickness=14),
            link=dict(source=sankey["source"], target=sankey["target"], value=sankey["value"],
                      label=sankey["link_labels"]),
        ))
        fig.update_layout(height=max(320, 40 * len(sankey["labels"])), margin=dict(l=10, r=10, t=10, b=10))
        st.plotly_chart(fig, key="trace-sankey")
    else:
        st.caption("（没有可画的资金流）")
with side:
    rows = ui_data.trace_rows(trace)
    total = ui_data.trace_total(trace)
    if total is not None:
        st.metric("合计（万元）", _ui.fmt_wan(total))
    if rows and "项目编码" in rows[0]:
        _ui.project_table(rows, key="trace-table")
    else:
        _ui.table(rows, key="trace-table")
    _ui.downloads(rows, "资金追溯", key="trace-dl")
