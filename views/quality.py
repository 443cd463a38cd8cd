"""数据质量: the 绩效目标审核 findings (kg.audit) and the ingest warnings with their source lines.

A province has hundreds of thousands of findings: the filters and the summary come from their counts
(finding_counts.json), the table shows one page of PAGE_ROWS read from findings.json only as far as
that page, and the download files are made only when asked for. The ingest warnings come from the
build's diagnostics.json, never from the records.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from kg.audit import SEVERITIES, FindingCount, matching, summarize
from views.model.rows import diagnostic_rows, finding_rows
from views import _ui

ALL = "全部"
PAGE_ROWS = 1000

st.title("数据质量")
_ui.require_build()

st.markdown("#### 绩效目标审核")
counts = _ui.finding_counts(required=False)  # per rule, severity, year, unit, region: small
if counts is not None:
    f1, f2, f3, f4 = st.columns(4)
    severity = f1.selectbox("级别", [ALL, *SEVERITIES], key="q-sev")
    years = sorted({c.year for c in counts if c.year})
    year = f2.selectbox("年度", [ALL, *years], key="q-year")
    rule = f3.selectbox("规则", [ALL, *sorted({c.rule_id for c in counts})], key="q-rule")
    units = sorted({c.unit_code for c in counts if c.unit_code})
    unit = f4.selectbox("单位编码", [ALL, *units], key="q-unit")
    criteria: dict[str, Any] = {"severity": None if severity == ALL else severity,
                                "year": None if year == ALL else year,
                                "rule": None if rule == ALL else rule, "unit": None if unit == ALL else unit}
    shown: list[FindingCount] = list(matching(counts, **criteria))
    total, matched = sum(c.count for c in counts), sum(c.count for c in shown)
    if not total:
        st.success("审核没有发现问题。", icon=":material/check_circle:")
    elif not matched:
        st.info("没有符合筛选条件的审核意见，请放宽筛选。", icon=":material/search_off:")
    else:
        pages = (matched + PAGE_ROWS - 1) // PAGE_ROWS
        st.caption(f"共 {total} 条审核意见，符合筛选的 {matched} 条"
                   + (f"，每页 {PAGE_ROWS} 条，共 {pages} 页" if pages > 1 else ""))
        _ui.table([{"规则": rid, "名称": title, "级别": sev, "条数": n}
                   for rid, title, sev, n in summarize(shown)], key="q-summary")
        page = int(st.number_input("页码", 1, pages, 1, key="q-page")) if pages > 1 else 1
        rows = finding_rows(_ui.finding_page((page - 1) * PAGE_ROWS, PAGE_ROWS, **criteria))
        _ui.project_table(rows, key="q-findings")
        if st.button(f"生成下载文件（符合筛选的 {matched} 条）", key="q-dl-make", icon=":material/download:"):
            _ui.downloads(finding_rows(_ui.finding_page(0, None, **criteria)), "审核意见", key="q-dl")

st.markdown("#### 导入提示")
diags = diagnostic_rows(_ui.diagnostics())
st.caption(f"解析源文件时的 {len(diags)} 条提示（文件:行: 说明）")
_ui.table(diags, key="q-diags", empty="（解析时没有提示）")
