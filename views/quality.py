"""数据质量: the 绩效目标审核 findings (kg.audit) and the ingest warnings with their source lines."""

from __future__ import annotations

import streamlit as st

from kg.audit import SEVERITIES, filter_findings, summarize
from views.model.rows import diagnostic_rows, finding_rows
from views import _ui

ALL = "全部"

st.title("数据质量")
_ui.require_build()

st.markdown("#### 绩效目标审核")
findings = _ui.findings(required=False)
if findings is not None:
    f1, f2, f3, f4 = st.columns(4)
    severity = f1.selectbox("级别", [ALL, *SEVERITIES], key="q-sev")
    years = sorted({f.year for f in findings if f.year})
    year = f2.selectbox("年度", [ALL, *years], key="q-year")
    rule = f3.selectbox("规则", [ALL, *sorted({f.rule_id for f in findings})], key="q-rule")
    units = sorted({f.unit_code for f in findings if f.unit_code})
    unit = f4.selectbox("单位编码", [ALL, *units], key="q-unit")
    shown = filter_findings(findings, severity=None if severity == ALL else severity,
                            year=None if year == ALL else year, rule=None if rule == ALL else rule,
                            unit=None if unit == ALL else unit)
    if not findings:
        st.success("审核没有发现问题。", icon=":material/check_circle:")
    elif not shown:
        st.info("没有符合筛选条件的审核意见，请放宽筛选。", icon=":material/search_off:")
    else:
        st.caption(f"共 {len(findings)} 条审核意见，显示 {len(shown)} 条")
        _ui.table([{"规则": rid, "名称": title, "级别": sev, "条数": n}
                   for rid, title, sev, n in summarize(shown)], key="q-summary")
        rows = finding_rows(shown)
        _ui.project_table(rows, key="q-findings")
        _ui.downloads(rows, "审核意见", key="q-dl")

st.markdown("#### 导入提示")
diags = diagnostic_rows(_ui.diagnostics())
st.caption(f"解析源文件时的 {len(diags)} 条提示（文件:行: 说明）")
_ui.table(diags, key="q-diags", empty="（解析时没有提示）")
