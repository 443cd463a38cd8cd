"""绩效目标审核: performance goals checked against the published review rules.

Rules are data (`RULES`: id, Chinese title, severity, basis, check); thresholds and word lists live
in config.toml. `run_audit(corpus)` returns `Finding`s located at their source lines.
"""

from kg.audit.engine import (
    FINDINGS_FILE,
    audit_ntriples,
    audit_step,
    audit_triples,
    export_findings_xlsx,
    filter_findings,
    finding_iri,
    load_findings,
    run_audit,
    summarize,
)
from kg.audit.model import SEVERITIES, AuditConfig, AuditError, Finding, Rule, load_config
from kg.audit.rules import RULES, indicator_rows_hash, rule, rules_by_id

__all__ = [
    "FINDINGS_FILE",
    "RULES",
    "SEVERITIES",
    "AuditConfig",
    "AuditError",
    "Finding",
    "Rule",
    "audit_ntriples",
    "audit_step",
    "audit_triples",
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
