"""Run the rules over a corpus; summarise, filter, store, export and graph the findings."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from sys import intern
from typing import Any

from ingest.memo import interned
from ingest.records import Project
from kg.atomic import replaced, write_text
from kg.audit.model import SEVERITIES, AuditConfig, AuditError, Finding, Rule, load_config
from kg.audit.rules import ALL_RULES, RULES
from kg.corpus import Corpus
from kg.jsonout import dumps
from kg.settings import Settings
from kg.workspace import Workspace

__all__ = [
    "FINDINGS_FILE",
    "FINDING_COUNTS_FILE",
    "FindingCount",
    "run_audit",
    "matching",
    "filter_findings",
    "summarize",
    "export_findings_xlsx",
    "write_findings",
    "load_findings",
    "iter_findings",
    "read_finding_counts",
]

FINDINGS_FILE = "findings.json"
# How many findings per (rule, severity, year, unit, region): a page lists its filters and summary
# from these and reads findings.json only as far as the rows it shows.
FINDING_COUNTS_FILE = "finding_counts.json"
XLSX_HEADERS = ("严重程度", "规则", "规则名称", "年度", "单位编码", "项目编码", "项目名称", "字段", "填报值",
                "问题说明", "来源文件", "起始行", "结束行", "依据", "关联来源")


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
                               (p.project_name or "").strip() or None, p.unit_code, hit.field,
                               # a province has findings by the hundred thousand, many alike
                               interned(hit.value) or "", intern(hit.message), hit.span, p.region_code))
    return sorted(dict.fromkeys(out), key=Finding.sort_key)


def _rule_matches(rule_id: str, wanted: str) -> bool:
    # "R7" selects R7.1, R7.2 …; "R7.1" only itself
    return rule_id == wanted or rule_id.startswith(wanted + ".")


def matching(findings: Iterable[Any], *, year: int | None = None, unit: str | None = None,
             severity: str | None = None, rule: str | None = None, project: str | None = None,
             regions: Collection[str] | None = None) -> Iterator[Any]:
    """The findings (or FindingCounts) matching every given criterion, as they come (rule "R7"
    matches R7.1, R7.2 …; `regions`: the region codes a finding's project may be in)."""
    if severity is not None and severity not in SEVERITIES:
        raise AuditError(f"severity must be one of {'/'.join(SEVERITIES)}: {severity!r}")
    return (f for f in findings
            if (year is None or f.year == year)
            and (unit is None or f.unit_code == unit)
            and (severity is None or f.severity == severity)
            and (rule is None or _rule_matches(f.rule_id, rule))
            and (project is None or f.project_code == project)
            and (regions is None or f.region_code in regions))


def filter_findings(findings: Iterable[Finding], *, year: int | None = None, unit: str | None = None,
                    severity: str | None = None, rule: str | None = None,
                    project: str | None = None, regions: Collection[str] | None = None) -> list[Finding]:
    """Findings matching every given criterion (rule "R7" matches R7.1, R7.2 …; `regions`: the
    region codes a finding's project may be in)."""
    return list(matching(findings, year=year, unit=unit, severity=severity, rule=rule, project=project,
                         regions=regions))


def summarize(findings: Iterable[Finding | FindingCount]) -> list[tuple[str, str, str, int]]:
    """(rule id, title, severity, count) per rule that fired, in registry order (from findings or
    from their counts)."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for f in findings:
        counts[(f.rule_id, f.rule_title, f.severity)] += f.count if isinstance(f, FindingCount) else 1
    order = {r.id: n for n, r in enumerate(ALL_RULES)}
    rows = [(rid, title, sev, n) for (rid, title, sev), n in counts.items()]
    return sorted(rows, key=lambda r: (order.get(r[0], len(order)), r[0], SEVERITIES.index(r[2])))


def export_findings_xlsx(findings: Iterable[Finding], path: Path | str) -> Path:
    """Write the findings as an Excel workbook with Chinese headers (sheets 问题清单, 汇总)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    findings = list(findings)
    bases = {r.id: r.basis for r in ALL_RULES}
    wb = Workbook()
    ws = wb.create_sheet("问题清单", 0)
    del wb[wb.sheetnames[1]]  # the default empty sheet
    ws.title = "问题清单"
    ws.append(XLSX_HEADERS)
    for f in findings:
        ws.append((f.severity, f.rule_id, f.rule_title, f.year, f.unit_code, f.project_code,
                   f.project_name, f.field, f.value, f.message, f.span.file, f.span.first_line,
                   f.span.last_line, bases.get(f.rule_id, ""), "；".join(r.locator for r in f.related)))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for col, width in zip("ABCDEFGHIJKLMNO", (8, 7, 26, 6, 9, 24, 36, 14, 24, 60, 26, 7, 7, 40, 40), strict=True):
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


@dataclass(frozen=True, slots=True)
class FindingCount:
    """How many findings one rule gave at one severity in one year, unit and region."""

    rule_id: str
    rule_title: str
    severity: str
    year: int | None
    unit_code: str | None
    region_code: str | None
    count: int


def write_findings(findings: Sequence[Finding], build_dir: Path) -> dict[str, Any]:
    """Write findings.json (a finding a line) and finding_counts.json into the build directory;
    counts per severity."""
    # Written finding by finding: a province has millions, and one JSON string of them all would
    # hold the whole file in memory several times over.
    with replaced(Path(build_dir) / FINDINGS_FILE, "w") as f:
        f.write('{"rules": ' + dumps([r.to_json() for r in ALL_RULES]) + ',\n"findings": [')
        encode = json.JSONEncoder(ensure_ascii=False).encode  # a finding's JSON holds no Decimal
        for n, finding in enumerate(findings):
            f.write(("\n" if n == 0 else ",\n") + encode(finding.to_json()))
        f.write("\n]}\n")
    per = Counter((f.rule_id, f.rule_title, f.severity, f.year, f.unit_code, f.region_code) for f in findings)
    write_text(Path(build_dir) / FINDING_COUNTS_FILE,
               dumps({"schema": 1, "counts": [[*k, n] for k, n in per.items()]}))
    counts = Counter(f.severity for f in findings)
    return {"findings": len(findings), **{s: counts.get(s, 0) for s in SEVERITIES}}


def load_findings(settings: Settings, build_dir: Path | None = None) -> list[Finding]:
    """The findings of the published build (or of `build_dir`).

    Raises NotBuiltError when nothing is built, AuditError when the build has no audit.
    """
    if build_dir is None:
        build_dir = Workspace(settings.index_dir).current
    path = Path(build_dir) / FINDINGS_FILE
    if not path.exists():
        raise AuditError(f"{path}: the build has no audit findings; rebuild with `python -m kg build`")
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        return [Finding.from_json(obj) for obj in payload.get("findings", [])]
    except (OSError, ValueError, AttributeError) as e:
        raise AuditError(f"{path}: unreadable findings ({e}); rebuild with `python -m kg build`") from e


def iter_findings(build_dir: Path) -> Iterator[Finding]:
    """The findings of a build one at a time, in their stored order, reading findings.json a line at
    a time (write_findings puts each finding on a line of its own).

    Raises AuditError naming the file when it is missing or a line cannot be read.
    """
    path = Path(build_dir) / FINDINGS_FILE
    try:
        with path.open(encoding="utf-8") as f:
            next(f)  # {"rules": [...],
            for n, line in enumerate(f, start=2):
                line = line.strip().removesuffix(",")
                if line.startswith("{"):
                    try:
                        yield Finding.from_json(json.loads(line))
                    except ValueError as e:
                        raise AuditError(f"{path}:{n}: unreadable finding ({e}); rebuild with "
                                         "`python -m kg build`") from e
    except (OSError, StopIteration) as e:
        raise AuditError(f"{path}: the build has no readable audit findings; rebuild with "
                         "`python -m kg build`") from e


def read_finding_counts(build_dir: Path) -> list[FindingCount]:
    """The counts write_findings stored; AuditError naming the file when it is missing or unreadable."""
    path = Path(build_dir) / FINDING_COUNTS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        # rule, title, severity, unit and region recur on every row: one string each (serving memory)
        return [FindingCount(intern(r), intern(t), intern(sev), None if y is None else int(y),
                             interned(u), interned(g), int(n))
                for r, t, sev, y, u, g, n in data["counts"]]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise AuditError(f"{path}: unreadable finding counts ({type(e).__name__}); rebuild with "
                         "`python -m kg build`") from e
