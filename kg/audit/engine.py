"""Run the rules over a corpus; summarise, filter, store, export and graph the findings."""

from __future__ import annotations

import hashlib
import json
import os
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
    "FINDINGS_ADDED_DIR",
    "append_findings",
    "run_audit",
    "filter_findings",
    "summarize",
    "export_findings_xlsx",
    "audit_step",
    "load_findings",
    "audit_ntriples",
    "audit_triples",
    "finding_iri",
]

FINDINGS_FILE = "findings.json"
FINDINGS_ADDED_DIR = "findings-added"  # <n>.json: the findings of each `kg add`, read after the base
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


def _forget(ref: Any) -> None:
    if _LAST and _LAST[0] is ref:
        _LAST.clear()


def _findings(corpus: Corpus, settings: Any) -> list[Finding]:
    """run_audit for a build's corpus, computed once for the graph and the audit steps."""
    config = load_config(settings=settings)
    if _LAST and _LAST[0]() is corpus and _LAST[1] == config:
        return _LAST[2]
    findings = run_audit(corpus, config)
    # dropped with the corpus, so a long-lived process does not keep the last build's findings
    _LAST[:] = [weakref.ref(corpus, _forget), config, findings]
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
    path = Path(build_dir) / FINDINGS_FILE
    tmp = path.with_name(f".{path.name}.tmp")
    # Written finding by finding: a province has millions, and one JSON string of them all would
    # hold the whole file in memory several times over.
    with tmp.open("w", encoding="utf-8") as f:
        f.write('{"rules": ' + dumps([r.to_json() for r in RULES]) + ',\n"findings": [')
        for n, finding in enumerate(findings):
            f.write(("\n" if n == 0 else ",\n") + dumps(finding.to_json()))
        f.write("\n]}\n")
    os.replace(tmp, path)
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
    added = Path(build_dir) / FINDINGS_ADDED_DIR
    out: list[Finding] = []
    for part in [path, *(sorted(added.glob("*.json")) if added.is_dir() else [])]:
        try:
            payload = json.loads(part.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise AuditError(f"{part}: unreadable findings: {e}") from e
        out.extend(Finding.from_json(obj) for obj in payload.get("findings", []))
    return out


def append_findings(build_dir: Path, findings: Sequence[Finding], n: int) -> Path:
    """Store the findings of one addition as part `n` (findings-added/<n>.json), atomically, without
    rewriting findings.json; load_findings returns the base findings, then each part in order."""
    import os

    folder = Path(build_dir) / FINDINGS_ADDED_DIR
    folder.mkdir(exist_ok=True)
    path = folder / f"{n:04d}.json"
    tmp = folder / f".{path.name}.{os.getpid()}.tmp"
    tmp.write_text(dumps({"findings": [f.to_json() for f in findings]}, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    return path


# ---------------------------------------------------------------- RDF


def _seg(text: str) -> str:
    return quote(text, safe="-_.~")


def _finding_path(f: Finding, seg: Any = _seg) -> str:
    """The part of a finding's IRI after hkd: (see finding_iri)."""
    key = "\x1f".join((f.field, f.value, f.message)).encode("utf-8")
    digest = hashlib.sha1(key).hexdigest()[:8]
    project = seg(f.project_code) if f.project_code else f"_{seg(f.span.file)}"
    return (f"finding/{seg(f.rule_id)}/{f.year if f.year is not None else 'na'}/{project}/"
            f"L{f.span.first_line}-{f.span.last_line}-{digest}")


def finding_iri(f: Finding) -> Any:
    """A deterministic IRI from rule + year + project code + field + lines (+ the printed value)."""
    from kg.namespace import HK_DATA

    return HK_DATA[_finding_path(f)]


def audit_ntriples(corpus: Corpus, settings: Any) -> Iterator[str]:
    """The findings as N-Triples lines (kg.ntriples): hk:Finding, linked to the project, its
    indicator row and source span; the rules as hk:AuditRule. Uses the build's one audit run."""
    from rdflib import RDF, RDFS
    from rdflib.namespace import DCTERMS, PROV

    from kg import ntriples as N
    from kg.graph import project_iri, span_ntriples
    from kg.namespace import HK, HK_DATA

    hk, dct = N.Terms(HK), N.Terms(DCTERMS)
    a_, label, derived = N.Terms(RDF).type, N.Terms(RDFS).label, N.Terms(PROV).wasDerivedFrom
    lit, lang, integer = N.lit, N.lang, N.integer
    base = str(HK_DATA)
    findings = _findings(corpus, settings)
    projects = corpus.projects
    by_key = {(p.year, p.project_code): p for p in projects if p.project_code}
    uncoded: dict[str, list[Project]] = {}
    for p in projects:
        if not p.project_code:
            uncoded.setdefault(p.span.file, []).append(p)
    # an indicator row's key → its project and position (hkd:project/…/indicator/<n>)
    rows: dict[tuple[Any, ...], tuple[Project, int]] = {}
    for p in projects:
        for n, ind in enumerate(p.indicators, start=1):
            rows[(p.year, p.project_code, ind.span)] = (p, n)
    piris: dict[int, str] = {}

    def piri(p: Project) -> str:
        iri = piris.get(id(p))
        if iri is None:
            iri = piris[id(p)] = f"<{project_iri(p)}>"
        return iri

    segs: dict[str, str] = {}

    def seg(text: str) -> str:
        out = segs.get(text)
        if out is None:
            out = segs[text] = _seg(text)
        return out

    out: list[str] = []
    add = out.append
    rule_lines: dict[tuple[str, str], tuple[str, str]] = {}
    for rule in RULES:
        r = f"<{base}rule/{rule.id}>"
        add(f"{r} {a_} {hk.AuditRule} .\n")
        add(f"{r} {dct.identifier} {lit(rule.id)} .\n")
        add(f"{r} {label} {lang(rule.title, 'zh')} .\n")
        add(f"{r} {hk.severity} {lit(rule.severity)} .\n")
        add(f"{r} {dct.source} {lang(rule.basis, 'zh')} .\n")
    spans: dict[Any, str] = {}
    for f in findings:
        iri = f"<{base}{_finding_path(f, seg)}>"
        if f.project_code:
            p = by_key.get((f.year, f.project_code))
        else:
            first = f.span.first_line
            p = next((q for q in uncoded.get(f.span.file, ())
                      if q.span.first_line <= first <= q.span.last_line), None)
        rule_terms = rule_lines.get((f.rule_id, f.rule_title))
        if rule_terms is None:
            rule_terms = rule_lines[(f.rule_id, f.rule_title)] = (
                f"<{base}rule/{f.rule_id}>", lang(f"{f.rule_id} {f.rule_title}", "zh"))
        add(f"{iri} {a_} {hk.Finding} .\n")
        add(f"{iri} {hk.rule} {rule_terms[0]} .\n")
        add(f"{iri} {hk.severity} {lit(f.severity)} .\n")
        add(f"{iri} {label} {rule_terms[1]} .\n")
        add(f"{iri} {hk.message} {lang(f.message, 'zh')} .\n")
        add(f"{iri} {hk.field} {lit(f.field)} .\n")
        if f.value:
            add(f"{iri} {hk.printedValue} {lit(f.value)} .\n")
        if f.year is not None:
            add(f"{iri} {hk.year} {integer(f.year)} .\n")
        if p is not None:
            add(f"{iri} {hk.aboutProject} {piri(p)} .\n")
        row = rows.get((f.year, f.project_code, f.span))
        if row is not None:
            add(f"{iri} {hk.aboutIndicator} {piri(row[0])[:-1]}/indicator/{row[1]}> .\n")
        span = spans.get(f.span)
        if span is None:
            span, span_lines = span_ntriples(f.span)
            spans[f.span] = span
            out.extend(span_lines)
        add(f"{iri} {derived} {span} .\n")
        if len(out) >= 10_000:
            yield from out
            out.clear()
    yield from out


def audit_triples(corpus: Corpus, settings: Any) -> Iterator[tuple[Any, Any, Any]]:
    """The findings as rdflib triples: `audit_ntriples` read back as terms."""
    from kg import ntriples as N

    return N.to_triples(audit_ntriples(corpus, settings))
