"""绩效目标审核: performance goals checked against the published review rules.

Rules are data (`RULES`: id, Chinese title, severity, basis, check); thresholds and word lists live
in config.toml. `run_audit(corpus)` returns `Finding`s located at their source lines.
"""

from kg.audit.engine import (
    FINDING_COUNTS_FILE,
    FINDINGS_FILE,
    FindingCount,
    iter_findings,
    matching,
    read_finding_counts,
    export_findings_xlsx,
    filter_findings,
    load_findings,
    run_audit,
    summarize,
    write_findings,
)
from kg.audit.model import SEVERITIES, AuditConfig, AuditError, Finding, Rule, load_config
from kg.audit.rules import ALL_RULES, LINEAGE_RULES, RULES, indicator_rows_hash, rule, rules_by_id
from kg.audit.triples import finding_iri, write_findings_triples

__all__ = [
    "FINDINGS_FILE",
    "FINDING_COUNTS_FILE",
    "FindingCount",
    "iter_findings",
    "matching",
    "read_finding_counts",
    "RULES",
    "LINEAGE_RULES",
    "ALL_RULES",
    "SEVERITIES",
    "AuditConfig",
    "AuditError",
    "Finding",
    "Rule",
    "write_findings",
    "write_findings_triples",
    "export_findings_xlsx",
    "filter_findings",
    "finding_iri",
    "indicator_rows_hash",
    "load_config",
    "load_findings",
    "rule",
    "rules_by_id",
    "run_audit",
    "summarize",
]
