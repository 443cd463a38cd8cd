"""Records of the core as table rows: dicts keyed by the Chinese column headers the UI shows.

Amounts stay Decimal (the page formats them exactly); text stays as printed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ingest.records import Diagnostic, Project, SourceSpan
from kg.audit import SEVERITIES

__all__ = [
    "line_range",
    "project_label",
    "project_rows",
    "indicator_rows",
    "spending_plan_rows",
    "mention_rows",
    "document_rows",
    "history_rows",
    "by_severity",
    "severity_counts",
    "finding_rows",
    "diagnostic_rows",
]

_RELATION = {"funding": "资金来源", "basis": "政策依据"}
_SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}


def line_range(span: SourceSpan | None) -> str | None:
    """The lines of a span as "1664–1669" (one number for a single line); for a Word, Excel, PDF
    or web file its place without the file name ("p.2 table 1 row 5", "绩效目标!A12:F12")."""
    if span is None:
        return None
    if not span.is_text:
        return span.locator.removeprefix(span.file).lstrip(" !")
    if span.first_line == span.last_line:
        return str(span.first_line)
    return f"{span.first_line}–{span.last_line}"


def project_label(p: Any) -> str:
    """One line naming a project (a Project or a kg.totals ProjectLine): year, name, code."""
    name = p.project_name or getattr(p, "title", None) or "（无名称）"
    return f"{p.year or '—'} · {name} · {p.project_code or '（无编码）'}"


def project_rows(items: Iterable[Any]) -> list[dict[str, Any]]:
    """One row per project-like record (Project, DocProject, ProjectFlow, search Hit).

    Columns a record does not have are left out: 文号 (cited documents), 引用方式 (how a document
    card's project cites it), 资金层级 (a traced project's fund level and source).
    """
    rows = []
    for p in items:
        row: dict[str, Any] = {
            "年度": p.year, "项目编码": p.project_code, "项目名称": p.project_name,
            "单位": p.unit_name, "单位编码": p.unit_code, "预算数(万元)": p.budget_wan,
        }
        if getattr(p, "region_code", None):
            row["地区编码"] = p.region_code
        docs = getattr(p, "doc_numbers", None) or getattr(p, "doc_refs", None)
        if docs is not None and not isinstance(docs, str):
            row["文号"] = "、".join(getattr(d, "canonical", d) for d in docs)
        if getattr(p, "document", None):
            row["文号"] = p.document
        if hasattr(p, "relation"):
            row["引用方式"] = _RELATION.get(p.relation, p.relation)
        if hasattr(p, "fund_level"):
            row["资金层级"] = " · ".join(x for x in (p.fund_level and f"{p.fund_level}级", p.fund_source) if x)
        rows.append(row)
    return rows


def indicator_rows(p: Project) -> list[dict[str, Any]]:
    """The three-level indicator table, as printed, with its source lines."""
    return [
        {"一级指标": i.level1, "二级指标": i.level2, "三级指标": i.level3, "绩效指标描述": i.description,
         "指标值": i.value, "指标值确定依据": i.basis, "行": line_range(i.span)}
        for i in p.indicators
    ]


def spending_plan_rows(p: Project) -> list[dict[str, Any]]:
    """The 资金支出计划 as (时间, 累计支出%, 原文) rows; empty when the plan is blank."""
    plan = p.spending_plan
    if plan is None or plan.is_blank:
        return []
    return [{"时间": label, "累计支出(%)": pct, "原文": printed}
            for label, printed, pct in zip(plan.labels, plan.printed, plan.percents, strict=True)]


def mention_rows(mentions: Iterable[Any]) -> list[dict[str, Any]]:
    """Where a 文号 is printed (kg.doccard Mention): file, line, field, the raw spelling."""
    fields = {"title": "标题", "project_name": "项目名称", "purpose": "资金用途", "basis": "指标值确定依据"}
    return [{"文件": m.file, "行": m.line, "字段": fields.get(m.field, m.field), "原文写法": m.raw}
            for m in mentions]


def _level(level: str | None, source: str | None) -> str:
    return " · ".join(x for x in (f"{level}级" if level else None, source) if x) or "未知"


def document_rows(trace: Any) -> list[dict[str, Any]]:
    """The documents funding a project (kg.lineage TraceUp), with level, amount and parent chain."""
    return [{"文号": d.canonical, "发文机关": d.organisation, "发文层级": d.level and f"{d.level}级",
             "资金层级": _level(d.fund_level, d.fund_source), "金额(万元)": d.amount_wan,
             "上级文件": " ← ".join(d.chain) or None}
            for d in trace.documents]


def history_rows(entries: Iterable[Any]) -> list[dict[str, Any]]:
    """A project's line across years (kg.lineage History entries), oldest first, with each year's change."""
    return [{"年度": e.year, "项目编码": e.project_code, "项目名称": e.project_name,
             "预算数(万元)": e.budget_wan, "增减(万元)": e.change_wan, "增减(%)": e.change_pct,
             "资金层级": _level(e.fund_level, e.fund_source), "文号": "、".join(e.documents),
             "地区编码": e.region_code}  # the link of each year keeps the project's region
            for e in entries]


def by_severity(findings: Iterable[Any]) -> list[Any]:
    """Audit findings most severe first (错误, 警告, 提示), then by their source lines."""
    return sorted(findings, key=lambda f: (SEVERITIES.index(f.severity), f.sort_key()))


def severity_counts(findings: Iterable[Any]) -> str:
    """How many findings of each severity, most severe first: "错误 4，提示 2"."""
    counts = Counter(f.severity for f in findings)
    return "，".join(f"{sev} {counts[sev]}" for sev in SEVERITIES if counts[sev])


def finding_rows(findings: Iterable[Any]) -> list[dict[str, Any]]:
    """Audit findings (kg.audit Finding) with the project columns and their source lines."""
    return [{"级别": f.severity, "规则": f"{f.rule_id} {f.rule_title}", "年度": f.year,
             "项目编码": f.project_code, "项目名称": f.project_name, "单位编码": f.unit_code,
             "字段": f.field, "原文值": f.value, "说明": f.message, "行": line_range(f.span),
             "位置": f.location}
            for f in findings]


def diagnostic_rows(diagnostics: Iterable[Diagnostic]) -> list[dict[str, Any]]:
    """Ingest diagnostics as rows; 位置 reads FILE:LINE: message with the file by its name."""
    rows = []
    for d in diagnostics:
        name = Path(d.file).name
        where = f"{name}:{d.line}" if d.line else name
        rows.append({"级别": _SEVERITY.get(d.severity, d.severity), "文件": name, "行": d.line,
                     "说明": d.message, "位置": f"{where}: {d.message}"})
    return rows

