"""The findings as triples, added to the build's one writer: hk:Finding, linked to the project, its
indicator row and source span; the rules as hk:AuditRule."""

from __future__ import annotations

import hashlib
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


def _rules(w: Writer, rules: Iterable[Rule]) -> None:
    for rule in rules:
        r = iri.rule(rule.id)
        w.add(r, A, HKT.AuditRule)
        w.add(r, DCT.identifier, N.lit(rule.id))
        w.add(r, LABEL, N.lang(rule.title, "zh"))
        w.add(r, HKT.severity, N.lit(rule.severity))
        w.add(r, DCT.source, N.lang(rule.basis, "zh"))


def write_findings_triples(w: Writer, findings: Sequence[Finding], projects: Sequence[Project],
                           rules: Iterable[Rule]) -> Iterator[None]:
    """Write the rules and the findings; yields whenever the writer is full."""
    _rules(w, rules)
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
        w.add(s, A, HKT.Finding)
        w.add(s, HKT.rule, iri.rule(f.rule_id))
        w.add(s, HKT.severity, N.lit(f.severity))
        w.add(s, LABEL, N.lang(f"{f.rule_id} {f.rule_title}", "zh"))
        w.add(s, HKT.message, N.lang(f.message, "zh"))
        w.add(s, HKT.field, N.lit(f.field))
        if f.value:
            w.add(s, HKT.printedValue, N.lit(f.value))
        if f.year is not None:
            w.add(s, HKT.year, N.integer(f.year))
        if p is not None:
            w.add(s, HKT.aboutProject, iri.project(iri.project_key(p)))
        row = rows.get((f.region_code, f.year, f.project_code, f.span))
        if row is not None:
            w.add(s, HKT.aboutIndicator, iri.indicator(iri.project_key(row[0]), row[1]))
        w.derived(s, f.span)
        for other in f.related:
            w.derived(s, other)
        if w.full():
            yield None
