"""The findings as triples, added to the build's one writer.

A finding points at its rule (hk:rule → hk:AuditRule); the rule, not each finding, carries the
title (rdfs:label), the severity, the basis (dcterms:source) and the field it checks (hk:field).
A finding writes its own hk:severity or hk:field only where it differs from its rule's. It is about
its indicator row (hk:aboutIndicator: the row's lines are the finding's) or else its project
(hk:aboutProject, with its own lines: hk:firstLine, hk:lastLine when longer than one line, the file
only when it is not the project's). A finding is an hk:Finding by the domain of hk:rule. A
reconciliation finding (L2) names the other side's sources as hk:relatedSource literals, each the
span's locator (`province_2022.txt:15`, `zhuolu_2022.txt:6-18`, `t.xlsx!分配表!A4:B4`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from ingest.records import Project
from kg.audit.model import Finding, Rule
from kg.rdf import iri
from kg.rdf import ntriples as N
from kg.rdf.writer import A, DCT, LABEL, HKT, Writer

__all__ = ["finding_iri", "write_findings_triples"]


def finding_iri(f: Finding) -> iri.Iri:
    """A deterministic IRI from rule + year + project code + field + lines (+ the printed value)."""
    digest = hashlib.sha1("\x1f".join((f.field, f.value, f.message)).encode("utf-8")).hexdigest()[:8]
    about = iri.segment(f.project_code) if f.project_code else f"_{iri.segment(f.span.file)}"
    if f.region_code and f.project_code:
        about = f"{iri.segment(f.region_code)}/{about}"  # one code in two regions: two projects
    return iri.finding(f.rule_id, f.year, about, f.span.first_line, f.span.last_line, digest)


def _most_common(values: Counter[str], default: str | None) -> str | None:
    # ties go to the first value seen, so the rule's fields never depend on the set order
    return values.most_common(1)[0][0] if values else default


def _rules(w: Writer, rules: Iterable[Rule], findings: Sequence[Finding]) -> dict[str, tuple[str | None, str | None]]:
    """Write every rule (the registry's, and any a finding names that the registry lacks); returns
    rule id → (severity, field) as written on the rule."""
    severities: dict[str, Counter[str]] = {}
    fields: dict[str, Counter[str]] = {}
    titles: dict[str, str] = {}
    for f in findings:
        severities.setdefault(f.rule_id, Counter())[f.severity] += 1
        fields.setdefault(f.rule_id, Counter())[f.field] += 1
        titles.setdefault(f.rule_id, f.rule_title)
    known = {r.id: (r.title, r.severity, r.basis) for r in rules}
    for rule_id, title in titles.items():
        known.setdefault(rule_id, (title, "", ""))
    written: dict[str, tuple[str | None, str | None]] = {}
    for rule_id, (title, default, basis) in known.items():
        r = iri.rule(rule_id)
        # the severity the build applied (kg/audit/config.toml may override the rule's default)
        severity = _most_common(severities.get(rule_id, Counter()), default or None)
        field = _most_common(fields.get(rule_id, Counter()), None)
        w.add(r, A, HKT.AuditRule)
        w.add(r, DCT.identifier, N.lit(rule_id))
        w.add(r, LABEL, N.lang(title, "zh"))
        if severity:
            w.add(r, HKT.severity, N.lit(severity))
        if basis:
            w.add(r, DCT.source, N.lang(basis, "zh"))
        if field is not None:
            w.add(r, HKT.field, N.lit(field))
        written[rule_id] = (severity, field)
    return written


def write_findings_triples(w: Writer, findings: Sequence[Finding], projects: Sequence[Project],
                           rules: Iterable[Rule]) -> Iterator[None]:
    """Write the rules and the findings; yields whenever the writer is full."""
    on_rule = _rules(w, rules, findings)
    by_key = {(q.region_code, q.year, q.project_code): q for q in projects if q.project_code}
    uncoded: dict[str, list[Project]] = {}
    rows: dict[tuple[object, ...], tuple[Project, int]] = {}  # an indicator row → project, position
    for q in projects:
        if not q.project_code:
            uncoded.setdefault(q.span.file, []).append(q)
        for n, ind in enumerate(q.indicators, start=1):
            rows[(q.region_code, q.year, q.project_code, ind.span)] = (q, n)
    for f in findings:
        s = finding_iri(f)
        p: Project | None
        if f.project_code:
            p = by_key.get((f.region_code, f.year, f.project_code))
        else:
            first = f.span.first_line
            p = next((q for q in uncoded.get(f.span.file, ())
                      if q.span.first_line <= first <= q.span.last_line), None)
        severity, field = on_rule[f.rule_id]
        w.add(s, HKT.rule, iri.rule(f.rule_id))
        if f.severity != severity:
            w.add(s, HKT.severity, N.lit(f.severity))
        if f.field != field:
            w.add(s, HKT.field, N.lit(f.field))
        w.add(s, HKT.message, N.lang(f.message, "zh"))
        if f.value:
            w.add(s, HKT.printedValue, N.lit(f.value))
        row = rows.get((f.region_code, f.year, f.project_code, f.span))
        if row is not None:
            # the row's project and lines are the finding's (hk:hasIndicator, the row's hk:firstLine)
            w.add(s, HKT.aboutIndicator, iri.indicator(iri.project_key(row[0]), row[1]))
        elif p is not None:
            w.add(s, HKT.aboutProject, iri.project(iri.project_key(p)))
            w.source(s, f.span, in_file=p.span.file)
        else:
            if f.year is not None:
                w.add(s, HKT.year, N.integer(f.year))
            w.source(s, f.span)
        # the other side's sources (a notice's row, the projects), each once, as its locator
        for where in dict.fromkeys(other.locator for other in f.related):
            w.add(s, HKT.relatedSource, N.lit(where))
        if w.full():
            yield None
