"""Consistency checks along the lineage, each finding located at FILE:LINE."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from ingest.docnumber import DocNumber
from kg.corpus import Corpus
from kg.lineage.model import LineageFinding
from kg.lineage.rules import level_of_organisation
from kg.lineage.view import doc_node
from kg.settings import Settings

if TYPE_CHECKING:
    from kg.lineage.trace import Lineage

__all__ = ["consistency_findings"]


def consistency_findings(source: Corpus | Lineage, settings: Settings | None = None
                         ) -> list[LineageFinding]:
    """Problems along the lineage of a corpus (its graph built in memory) or of a loaded lineage.

    - total_mismatch: the projects under a document do not add up to its total in documents.csv;
    - code_in_two_units: one 项目编码 under two budget units;
    - issuer_spellings: one document cited under two issuer prefixes of the same body
      (冀财社〔2021〕176号 and 冀财资〔2021〕176号), or documents.csv naming another issuer than
      ontology/issuers.csv;
    - shared_amount: a project citing several funding documents (its 预算数 counts under each).
    """
    from kg.lineage.trace import Lineage

    if isinstance(source, Corpus):
        from kg.lineage.view import view_from_corpus
        from kg.settings import load_settings

        source = Lineage(view_from_corpus(source, settings or load_settings()))
    lineage = source
    g = lineage.graph
    out: list[LineageFinding] = []

    def where(node: str) -> tuple[str | None, int | None]:
        span = g.nodes[node].get("span")
        return (span[0], span[1]) if span else (None, None)

    for canonical in lineage.documents():
        d = g.nodes[doc_node(canonical)]
        file, line = d.get("source") or (None, None)
        declared = d.get("declared_total")
        if declared is not None:
            trace = lineage.trace_down(canonical)
            if trace.total_wan != declared:
                lines = "、".join(f"{pf.project_code} {pf.budget_wan}（{pf.source.file}:"
                                 f"{pf.source.first_line}）" if pf.source else pf.project_code
                                 for pf in trace.projects)
                out.append(LineageFinding(
                    "total_mismatch",
                    f"{canonical} 文件总额 {declared} 万元，引用它的项目合计 {trace.total_wan} 万元"
                    f"（差 {trace.total_wan - declared}）: {lines or '无项目'}",
                    file, line, "warning", (canonical,)))
        registered = d.get("issuer_name")
        known = d.get("organisation")
        info = DocNumber.parse(canonical).info
        if registered and info is not None and registered != info.organisation:
            level = level_of_organisation(registered)
            out.append(LineageFinding(
                "issuer_spellings",
                f"{canonical} 在 documents.csv 中的发文机关为 {registered}"
                f"{f'（{level}级）' if level else ''}，而 {info.prefix} 属于 {known or info.organisation}",
                file, line, "warning", (canonical,)))

    # One body's document under two prefixes: same year and serial, same organisation or one prefix
    # the tail of the other (财社 / 冀财社).
    by_number: dict[tuple[int, int], list[str]] = defaultdict(list)
    for canonical in lineage.documents():
        doc = DocNumber.parse(canonical)
        by_number[(doc.year, doc.seq)].append(canonical)
    first_seen: dict[str, tuple[str | None, int | None]] = {}
    for m in g.graph.get("mentions", []):
        first_seen.setdefault(m["canonical"], (m["file"], m["line"]))
    for group in by_number.values():
        docs = [DocNumber.parse(c) for c in group]
        for i, a in enumerate(docs):
            for b in docs[i + 1:]:
                same_body = a.organisation is not None and a.organisation == b.organisation
                if same_body or a.issuer.endswith(b.issuer) or b.issuer.endswith(a.issuer):
                    file, line = first_seen.get(b.canonical, (None, None))
                    fa, la = first_seen.get(a.canonical, (None, None))
                    out.append(LineageFinding(
                        "issuer_spellings",
                        f"{a.canonical}（{fa}:{la}）与 {b.canonical} 年份和序号相同、发文机关写法不同"
                        f"{f'（同为 {a.organisation}）' if same_body else ''}，可能是同一文件",
                        file, line, "warning", (a.canonical, b.canonical)))

    units_of: dict[str, dict[str, str]] = defaultdict(dict)
    for n, d in g.nodes(data=True):
        if d.get("kind") == "project" and d.get("unit"):
            units_of[d["code"]].setdefault(d["unit"], n)
    for code, units in sorted(units_of.items()):
        if len(units) > 1:
            nodes = sorted(units.values())
            file, line = where(nodes[-1])
            places = "、".join(f"{u}（{where(n)[0]}:{where(n)[1]}）" for u, n in sorted(units.items()))
            out.append(LineageFinding("code_in_two_units", f"项目编码 {code} 属于多个单位: {places}",
                                      file, line, "error", (code,)))

    for n, d in sorted(g.nodes(data=True)):
        if d.get("kind") != "project":
            continue
        docs = [u for u, _, k in g.in_edges(n, data="kind") if k == "allocates"]
        if len(docs) > 1:
            file, line = where(n)
            names = "、".join(sorted(g.nodes[u]["canonical"] for u in docs))
            out.append(LineageFinding(
                "shared_amount",
                f"项目 {d['code']} 引用多个资金文件（{names}），预算数 {d.get('budget') or Decimal(0)} "
                f"万元在每个文件下各计一次", file, line, "info", (d["code"],)))
    return out
