"""数据质量: the 绩效目标审核 findings (kg.audit) and the ingest warnings with their source lines."""

from __future__ import annotations

import streamlit as st

from kg import ui_data
from pages import _ui

st.title("数据质量")
_ui.require_build()
corpus = _ui.corpus()

st.markdown("#### 绩效目标审核")
findings = _ui.findings()
if findings is None:
    _ui.missing("绩效目标审核")
else:
    rows = ui_data.finding_rows(findings)
    f1, f2, f3 = st.columns(3)
    sev = f1.multiselect("级别", sorted({r["级别"] for r in rows}), key="q-sev")
    yrs = f2.multiselect("年度", sorted({r["年度"] for r in rows if r["年度"]}), key="q-year")
    rules = f3.multiselect("规则", sorted({r["规则"] for r in rows}), key="q-rule")
    shown = [r for r in rows if (not sev or r["级别"] in sev) and (not yrs or r["年度"] in yrs)
             and (not rules or r["规则"] in rules)]
    st.caption(f"共 {len(rows)} 条审核意见，显示 {len(shown)} 条")
    _ui.table(ui_data.count_rows(shown, ("规则", "级别")), key="q-summary")
    _ui.project_table(shown, key="q-findings")
    _ui.downloads(shown, "审核意见", key="q-dl")

st.markdown("#### 导入提示")
diags = ui_data.diagnostic_rows(corpus)
st.caption(f"解析源文件时的 {len(diags)} 条提示（文件:行: 说明）")
_ui.table(diags, key="q-diags")
