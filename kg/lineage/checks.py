"""Consistency checks along the lineage, as audit findings (rules L1.* of kg.audit.rules).

    L1.1 a document's projects do not add up to its total in documents.csv;
    L1.2 one document cited under two issuer prefixes of the same body (冀财社〔2021〕176号 and
         冀财资〔2021〕176号), or documents.csv naming another issuer than ontology/issuers.csv;
    L1.3 one 项目编码 under two budget units;
    L1.4 a project citing several funding documents (its 预算数 counts under each);
    L2.*  ingested notices reconciled against the projects citing them (kg.lineage.notice_checks).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from ingest.docnumber import DocNumber
from ingest.records import SourceSpan
from kg.docmatch import number_of
from kg.audit.model import AuditConfig, Finding
from kg.audit.rules import rules_by_id
from kg.lineage.rules import level_of_organisation
from kg.lineage.notice_checks import notice_problems
from kg.lineage.trace import Lineage
from kg.lineage.view import doc_node

__all__ = ["consistency_findings"]


@dataclass(frozen=True)
class _Problem:
    rule_id: str
    message: str
    file: str | None
    line: int | None
    year: int | None = None
    project_code: str | None = None
    project_name: str | None = None
    unit_code: str | None = None
    field: str = "资金文件"
    value: str = ""


def _total_mismatches(lineage: Lineage) -> Iterator[_Problem]:
    g = lineage.graph
    for canonical in lineage.documents():
        d = g.nodes[doc_node(canonical)]
        declared = d.get("declared_total")
        if declared is None or d.get("allocations"):
            continue  # a notice's allocations are reconciled region by region (L2.1)
        trace = lineage.trace_down(canonical)
        if trace.total_wan == declared:
            continue
        file, line = d.get("source") or (None, None)
        lines = "、".join(f"{pf.project_code} {pf.budget_wan}（{pf.source.file}:{pf.source.first_line}）"
                         if pf.source else pf.project_code for pf in trace.projects)
        yield _Problem("L1.1", f"{canonical} 文件总额 {declared} 万元，引用它的项目合计 {trace.total_wan} 万元"
                               f"（差 {trace.total_wan - declared}）: {lines or '无项目'}",
                       file, line, value=canonical)


def _registered_issuers(lineage: Lineage) -> Iterator[_Problem]:
    g = lineage.graph
    for canonical in lineage.documents():
        d = g.nodes[doc_node(canonical)]
        registered = d.get("issuer_name")
        doc = number_of(canonical)
        info = doc.info if doc else None  # a notice without a 文号 has no prefix to check
        if not registered or info is None or registered == info.organisation:
            continue
        file, line = d.get("source") or (None, None)
        level = level_of_organisation(registered)
        yield _Problem("L1.2", f"{canonical} 在 documents.csv 中的发文机关为 {registered}"
                               f"{f'（{level}级）' if level else ''}，而 {info.prefix} 属于 "
                               f"{d.get('organisation') or info.organisation}", file, line, value=canonical)


def _two_prefixes(lineage: Lineage) -> Iterator[_Problem]:
    """One body's document under two prefixes: same year and serial, same organisation or one prefix
    the tail of the other (财社 / 冀财社)."""
    by_number: dict[tuple[int, int], list[DocNumber]] = defaultdict(list)
    for canonical in lineage.documents():
        if (doc := number_of(canonical)) is not None:
            by_number[(doc.year, doc.seq)].append(doc)
    first_seen: dict[str, tuple[str | None, int | None]] = {}
    for m in lineage.graph.graph.get("mentions", []):
        first_seen.setdefault(m["canonical"], (m["file"], m["line"]))
    for docs in by_number.values():
        for i, a in enumerate(docs):
            for b in docs[i + 1:]:
                same_body = a.organisation is not None and a.organisation == b.organisation
                if not (same_body or a.issuer.endswith(b.issuer) or b.issuer.endswith(a.issuer)):
                    continue
                file, line = first_seen.get(b.canonical, (None, None))
                fa, la = first_seen.get(a.canonical, (None, None))
                yield _Problem("L1.2", f"{a.canonical}（{fa}:{la}）与 {b.canonical} 年份和序号相同、发文机关写法不同"
                                       f"{f'（同为 {a.organisation}）' if same_body else ''}，可能是同一文件",
                               file, line, value=b.canonical)


def _codes_in_two_units(lineage: Lineage) -> Iterator[_Problem]:
    g = lineage.graph

    def where(node: str) -> tuple[str | None, int | None]:
        span = g.nodes[node].get("span")
        return (span[0], span[1]) if span else (None, None)

    units_of: dict[str, dict[str, str]] = defaultdict(dict)
    for n, d in g.nodes(data=True):
        if d.get("kind") == "project" and d.get("unit"):
            units_of[d["code"]].setdefault(d["unit"], n)
    for code, units in sorted(units_of.items()):
        if len(units) < 2:
            continue
        last = g.nodes[sorted(units.values())[-1]]
        file, line = where(sorted(units.values())[-1])
        places = "、".join(f"{u}（{where(n)[0]}:{where(n)[1]}）" for u, n in sorted(units.items()))
        yield _Problem("L1.3", f"项目编码 {code} 属于多个单位: {places}", file, line, last["year"], code,
                       last.get("name"), last.get("unit"), "项目编码", code)


def _shared_amounts(lineage: Lineage) -> Iterator[_Problem]:
    g = lineage.graph
    for n, d in sorted(g.nodes(data=True)):
        if d.get("kind") != "project":
            continue
        docs = [u for u, _, d in g.in_edges(n, data=True) if d.get("kind") == "allocates"]
        if len(docs) < 2:
            continue
        span = d.get("span")
        names = "、".join(sorted(g.nodes[u]["canonical"] for u in docs))
        yield _Problem("L1.4", f"项目 {d['code']} 引用多个资金文件（{names}），预算数 {d.get('budget') or Decimal(0)} "
                               f"万元在每个文件下各计一次", span[0] if span else None, span[1] if span else None,
                       d["year"], d["code"], d.get("name"), d.get("unit"), value=names)


_STEPS = (_total_mismatches, _registered_issuers, _two_prefixes, _codes_in_two_units, _shared_amounts)


def consistency_findings(lineage: Lineage, config: AuditConfig, documents_file: str) -> list[Finding]:
    """Problems along a lineage as audit findings, with the configured Chinese severities.

    A problem without a source line (a document no table prints) is located at `documents_file`.
    """
    rules = rules_by_id()
    out: list[Finding] = []
    for step in _STEPS:
        for p in step(lineage):
            rule = rules[p.rule_id]
            if not config.enabled(rule):
                continue
            span = SourceSpan(p.file or documents_file, p.line or 1, p.line or 1)
            out.append(Finding(rule.id, rule.title, config.severity(rule), p.year, p.project_code,
                               p.project_name, p.unit_code, p.field, p.value, p.message, span))
    for q in notice_problems(lineage):
        rule = rules[q.rule_id]
        if not config.enabled(rule):
            continue
        pf = q.project
        out.append(Finding(rule.id, rule.title, config.severity(rule), q.year, pf.project_code if pf else None,
                           pf.project_name if pf else None, pf.unit_code if pf else None, q.field, q.value,
                           q.message, q.span, q.region_code, q.related))
    return out
