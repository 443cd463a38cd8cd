"""Run the rules over a corpus; summarise, filter, store, export and graph the findings."""

from __future__ import annotations

import hashlib
import json
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ingest.records import Project
from kg.audit.model import SEVERITIES, AuditConfig, AuditError, Finding, Rule, load_config
from kg.audit.rules import RULES
from kg.corpus import Corpus
from kg.jsonout import dumps

__all__ = [
    "FINDINGS_FILE",
    "run_audit",
    "filter_findings",
    "summarize",
    "export_findings_xlsx",
    "audit_step",
    "load_findings",
    "audit_triples",
    "finding_iri",
]

FINDINGS_FILE = "findings.json"
XLSX_HEADERS = ("严重程度", "规则", "规则名称", "年度", "单位编码", "项目编码", "项目名称", "字段", "填报值",
                "问题说明", "来源文件", "起始行", "结束行", "依据")


def _projects(corpus: Corpus | Iterable[Project]) -> list[Project]:
    projects = corpus.projects if isinstance(corpus, Corpus) else list(corpus)
    return sorted(projects, key=lambda p: (p.span.file, p.span.first_line))


def run_audit(corpus: Corpus | Iterable[Project], config: AuditConfig | None = None,
              rules: Sequence[Rule] = RULES) -> list[Finding]:
    """Every finding of every enabled rule, in source order (file, line, severity)."""
    cfg = config or load_config()
    projects = _projects(corpus)
    out: list[Finding] = []
    for rule in rules:
        if not cfg.enabled(rule):
            continue
        severity = cfg.severity(rule)
        for hit in rule.check(projects, cfg):
            p = hit.project
            out.append(Finding(rule.id, rule.title, severity, p.year, p.project_code,
                               (p.project_name or "").strip() or None, p.unit_code, hit.field, hit.value,
                               hit.message, hit.span))
    return sorted(dict.fromkeys(out), key=Finding.sort_key)


_LAST: list[Any] = []  # [weakref to the corpus, its config, its findings]: one build, audited once


def _findings(corpus: Corpus, settings: Any) -> list[Finding]:
    """run_audit for a build's corpus, computed once for the graph and the audit steps."""
    config = load_config(settings=settings)
    if _LAST and _LAST[0]() is corpus and _LAST[1] == config:
        return _LAST[2]
    findings = run_audit(corpus, config)
    _LAST[:] = [weakref.ref(corpus), config, findings]
    return findings


def _rule_matches(rule_id: str, wanted: str) -> bool:
    # "R7" selects R7.1, R7.2 …; "R7.1" only itself
    return rule_id == wanted or rule_id.startswith(wanted + ".")


def filter_findings(findings: Iterable[Finding], *, year: int | None = None, unit: str | None = None,
                    severity: str | None = None, rule: str | None = None,
                    project: str | None = None) -> list[Finding]:
    """Findings matching every given criterion (rule "R7" matches R7.1, R7.2 …)."""
    if severity is not None and severity not in SEVERITIES:
        raise AuditError(f"severity must be one of {'/'.join(SEVERITIES)}: {severity!r}")
    return [f for f in findings
            if (year is None or f.year == year)
            and (unit is None or f.unit_code == unit)
            and (severity is None or f.severity == severity)
            and (rule is None or _rule_matches(f.rule_id, rule))
            and (project is None or f.project_code == project)]


def summarize(findings: Iterable[Finding]) -> list[tuple[str, str, str, int]]:
    """(rule id, title, severity, count) per rule that fired, in registry order."""
    counts: Counter[tuple[str, str, str]] = Counter((f.rule_id, f.rule_title, f.severity) for f in findings)
    order = {r.id: n for n, r in enumerate(RULES)}
    rows = [(rid, title, sev, n) for (rid, title, sev), n in counts.items()]
    return sorted(rows, key=lambda r: (order.get(r[0], len(order)), r[0], SEVERITIES.index(r[2])))


def export_findings_xlsx(findings: Iterable[Finding], path: Path | str) -> Path:
    """Write the findings as an Excel workbook with Chinese headers (sheets 问题清单, 汇总)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    findings = list(findings)
    bases = {r.id: r.basis for r in RULES}
    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单"
    ws.append(XLSX_HEADERS)
    for f in findings:
        ws.append((f.severity, f.rule_id, f.rule_title, f.year, f.unit_code, f.project_code,
                   f.project_name, f.field, f.value, f.message, f.span.file, f.span.first_line,
                   f.span.last_line, bases.get(f.rule_id, "")))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for col, width in zip("ABCDEFGHIJKLMN", (8, 7, 26, 6, 9, 24, 36, 14, 24, 60, 26, 7, 7, 40), strict=True):
        ws.column_dimensions[col].width = width
    if findings:
        ws.auto_filter.ref = ws.dimensions
    summary = wb.create_sheet("汇总")
    summary.append(("规则", "规则名称", "严重程度", "数量"))
    for row in summarize(findings):
        summary.append(row)
    for cell in summary[1]:
        cell.font = Font(bold=True)
    out = Path(path)
    try:
        wb.save(out)
    except OSError as e:
        raise AuditError(f"{out}: cannot write the workbook: {e}") from e
    return out


def audit_step(corpus: Corpus, build_dir: Path, settings: Any) -> dict[str, Any]:
    """Build step: write findings.json into the build directory; counts per severity."""
    findings = _findings(corpus, settings)
    payload = {"rules": [r.to_json() for r in RULES], "findings": [f.to_json() for f in findings]}
    (Path(build_dir) / FINDINGS_FILE).write_text(dumps(payload, indent=1), encoding="utf-8")
    counts = Counter(f.severity for f in findings)
    return {"findings": len(findings), **{s: counts.get(s, 0) for s in SEVERITIES}}


def load_findings(settings: Any, build_dir: Path | None = None) -> list[Finding]:
    """The findings of the published build (or of `build_dir`).

    Raises NotBuiltError when nothing is built, AuditError when the build has no audit.
    """
    if build_dir is None:
        from kg.workspace import Workspace

        build_dir = Workspace(settings.index_dir).current
    path = Path(build_dir) / FINDINGS_FILE
    if not path.exists():
        raise AuditError(f"{path}: the build has no audit findings; rebuild with `python -m kg build`")
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise AuditError(f"{path}: unreadable findings: {e}") from e
    return [Finding.from_json(obj) for obj in payload.get("findings", [])]


# ---------------------------------------------------------------- RDF


def _seg(text: str) -> str:
    return quote(text, safe="-_.~")


def finding_iri(f: Finding) -> Any:
    """A deterministic IRI from rule + year + project code + field + lines (+ the printed value)."""
    from kg.namespace import HK_DATA

    key = "\x1f".join((f.field, f.value, f.message)).encode("utf-8")
    digest = hashlib.sha1(key).hexdigest()[:8]
    project = _seg(f.project_code) if f.project_code else f"_{_seg(f.span.file)}"
    return HK_DATA[f"finding/{_seg(f.rule_id)}/{f.year if f.year is not None else 'na'}/{project}/"
                   f"L{f.span.first_line}-{f.span.last_line}-{digest}"]


def audit_triples(corpus: Corpus, settings: Any) -> Iterator[tuple[Any, Any, Any]]:
    """The findings as RDF (hk:Finding, linked to the project, its indicator row and source span)."""
    from rdflib import RDF, RDFS, Literal, URIRef
    from rdflib.namespace import DCTERMS, PROV

    from kg.graph import project_iri, span_iri
    from kg.namespace import HK, HK_DATA

    findings = _findings(corpus, settings)
    by_key = {(p.year, p.project_code): p for p in corpus.projects if p.project_code}
    uncoded = [p for p in corpus.projects if not p.project_code]
    rows: dict[tuple[Any, ...], URIRef] = {}
    for p in corpus.projects:
        piri = project_iri(p)
        for n, ind in enumerate(p.indicators, start=1):
            rows[(p.year, p.project_code, ind.span)] = URIRef(f"{piri}/indicator/{n}")
    for rule in RULES:
        r = HK_DATA[f"rule/{rule.id}"]
        yield r, RDF.type, HK.AuditRule
        yield r, DCTERMS.identifier, Literal(rule.id)
        yield r, RDFS.label, Literal(rule.title, lang="zh")
        yield r, HK.severity, Literal(rule.severity)
        yield r, DCTERMS.source, Literal(rule.basis, lang="zh")
    seen_spans: set[Any] = set()
    for f in findings:
        iri = finding_iri(f)
        p = by_key.get((f.year, f.project_code)) if f.project_code else next(
            (q for q in uncoded if q.span.file == f.span.file
             and q.span.first_line <= f.span.first_line <= q.span.last_line), None)
        yield iri, RDF.type, HK.Finding
        yield iri, HK.rule, HK_DATA[f"rule/{f.rule_id}"]
        yield iri, HK.severity, Literal(f.severity)
        yield iri, RDFS.label, Literal(f"{f.rule_id} {f.rule_title}", lang="zh")
        yield iri, HK.message, Literal(f.message, lang="zh")
        yield iri, HK.field, Literal(f.field)
        if f.value:
            yield iri, HK.printedValue, Literal(f.value)
        if f.year is not None:
            yield iri, HK.year, Literal(f.year)
        if p is not None:
            yield iri, HK.aboutProject, project_iri(p)
        row = rows.get((f.year, f.project_code, f.span))
        if row is not None:
            yield iri, HK.aboutIndicator, row
        span = span_iri(f.span)
        yield iri, PROV.wasDerivedFrom, span
        if span not in seen_spans:
            seen_spans.add(span)
            yield span, RDF.type, HK.SourceSpan
            yield span, HK.sourceFile, Literal(f.span.file)
            yield span, HK.firstLine, Literal(f.span.first_line)
            yield span, HK.lastLine, Literal(f.span.last_line)
