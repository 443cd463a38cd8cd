"""数据质量: the 绩效目标审核 findings (kg.audit) and the ingest warnings with their source lines.

The findings table shows one page of PAGE_ROWS at a time and the download files are made only when
asked for: a province has hundreds of thousands of findings. The ingest warnings come from the
build's diagnostics.json, never from the records.
"""

from __future__ import annotations

import streamlit as st

from kg.audit import SEVERITIES, filter_findings, summarize
from views.model.rows import diagnostic_rows, finding_rows
from views import _ui

ALL = "全部"
PAGE_ROWS = 1000

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
        pages = (len(shown) + PAGE_ROWS - 1) // PAGE_ROWS
        st.caption(f"共 {len(findings)} 条审核意见，符合筛选的 {len(shown)} 条"
                   + (f"，每页 {PAGE_ROWS} 条，共 {pages} 页" if pages > 1 else ""))
        _ui.table([{"规则": rid, "名称": title, "级别": sev, "条数": n}
                   for rid, title, sev, n in summarize(shown)], key="q-summary")
        page = st.number_input("页码", 1, pages, 1, key="q-page") if pages > 1 else 1
        _ui.project_table(finding_rows(shown[(page - 1) * PAGE_ROWS:page * PAGE_ROWS]), key="q-findings")
        if st.button(f"生成下载文件（符合筛选的 {len(shown)} 条）", key="q-dl-make", icon=":material/download:"):
            _ui.downloads(finding_rows(shown), "审核意见", key="q-dl")

st.markdown("#### 导入提示")
diags = diagnostic_rows(_ui.diagnostics())
st.caption(f"解析源文件时的 {len(diags)} 条提示（文件:行: 说明）")
_ui.table(diags, key="q-diags", empty="（解析时没有提示）")
