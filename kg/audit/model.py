"""The audit's records: `Rule`, `Finding`, and `AuditConfig` (thresholds and severities as data)."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ingest.errors import HrssError
from ingest.records import Project, SourceSpan, pickled_by_fields
from kg.settings import Settings

__all__ = [
    "SEVERITIES",
    "AuditError",
    "AuditConfig",
    "Hit",
    "Check",
    "Rule",
    "Finding",
    "load_config",
    "DEFAULT_CONFIG",
]

# Most severe first; the order is used for sorting and summaries.
SEVERITIES: tuple[str, ...] = ("错误", "警告", "提示")
DEFAULT_CONFIG = Path(__file__).resolve().parent / "config.toml"
CONFIG_ENV = "HRSS_AUDIT_CONFIG"


class AuditError(HrssError):
    """A bad audit configuration or findings file."""


@dataclass(frozen=True, eq=False)
class AuditConfig:
    """Thresholds, word lists and severity overrides, read from a TOML file.

    `data` holds the merged tables of the default file and any override file.
    """

    data: dict[str, Any]
    source: tuple[str, ...] = ()
    # Word lists checked once: the rules ask for them per indicator row (≈ 36 per project).
    _words: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict, repr=False)

    def get(self, section: str, key: str, default: Any = None) -> Any:
        """One setting, e.g. `cfg.get("satisfaction", "floor")`."""
        return self.data.get(section, {}).get(key, default)

    def words(self, section: str, key: str) -> tuple[str, ...]:
        """A word list setting as a tuple of strings."""
        checked = self._words.get((section, key))
        if checked is not None:
            return checked
        value = self.get(section, key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise AuditError(f"{'/'.join(self.source)}: [{section}] {key} must be a list of strings")
        checked = self._words[(section, key)] = tuple(value)
        return checked

    def severity(self, rule: Rule) -> str:
        """The rule's severity: the configured one if given, else the rule's default."""
        value = self.data.get("severity", {}).get(rule.id, rule.severity)
        if value not in SEVERITIES:
            raise AuditError(f"severity of {rule.id} must be one of {'/'.join(SEVERITIES)}: {value!r}")
        return value

    def enabled(self, rule: Rule) -> bool:
        """False for a rule listed in `[rules] disabled`."""
        return rule.id not in self.data.get("rules", {}).get("disabled", [])


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError as e:
        raise AuditError(f"{path}: audit configuration not found") from e
    except tomllib.TOMLDecodeError as e:
        raise AuditError(f"{path}: not valid TOML: {e}") from e


@cache
def _load_cached(path: Path | None) -> AuditConfig:
    data = _read_toml(DEFAULT_CONFIG)
    sources = [str(DEFAULT_CONFIG)]
    if path is not None:
        data = _merge(data, _read_toml(path))
        sources.append(str(path))
    return AuditConfig(data, tuple(sources))


def load_config(path: Path | str | None = None, settings: Settings | None = None) -> AuditConfig:
    """The audit configuration: kg/audit/config.toml, overridden by a file (loaded once per path).

    The override is `path` if given, else `settings.audit_config` if set, else $HRSS_AUDIT_CONFIG.
    Tables in the override are merged into the defaults key by key.
    """
    chosen = path or (settings.audit_config if settings is not None else None) or os.environ.get(CONFIG_ENV) or None
    return _load_cached(Path(chosen).resolve() if chosen else None)


@dataclass(frozen=True, slots=True)
class Hit:
    """What a check returns: the project, the field and printed value, a message and the lines."""

    project: Project
    field: str
    value: str
    message: str
    span: SourceSpan


# A check sees every project at once (so cross-project rules stay linear) and yields hits.
Check = Callable[[Sequence[Project], AuditConfig], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """One review rule: id, Chinese title, default severity, its published basis and its check."""

    id: str
    title: str
    severity: str
    basis: str
    check: Check = field(repr=False, compare=False)
    configurable: bool = False  # threshold or severity comes from config.toml (wording unverified)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise AuditError(f"rule {self.id}: severity must be one of {'/'.join(SEVERITIES)}")

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "severity": self.severity, "basis": self.basis,
                "configurable": self.configurable}


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Finding:
    """One audit finding, located at the source lines it is about."""

    rule_id: str
    rule_title: str
    severity: str
    year: int | None
    project_code: str | None
    project_name: str | None
    unit_code: str | None
    field: str
    value: str
    message: str
    span: SourceSpan
    region_code: str | None = None  # the project's region (ingest.placing)
    related: tuple[SourceSpan, ...] = ()  # the other side's sources (a notice's row, the projects)

    @property
    def location(self) -> str:
        """FILE:FIRST-LAST, the way diagnostics print (the span's locator for a non-text file)."""
        s = self.span
        if not s.is_text:
            return s.locator
        lines = f"{s.first_line}" if s.first_line == s.last_line else f"{s.first_line}-{s.last_line}"
        return f"{s.file}:{lines}"

    def sort_key(self) -> tuple[Any, ...]:
        return (self.span.file, self.span.first_line, SEVERITIES.index(self.severity), self.rule_id,
                self.field, self.span.last_line, self.message)

    def to_json(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "rule_title": self.rule_title,
            "severity": self.severity,
            "year": self.year,
            "project_code": self.project_code,
            "project_name": self.project_name,
            "unit_code": self.unit_code,
            "field": self.field,
            "value": self.value,
            "message": self.message,
            "source": self.span.to_json(),
            "region_code": self.region_code,
            "related_sources": [r.to_json() for r in self.related],
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Finding:
        """The inverse of `to_json`."""
        try:
            src = obj["source"]
            span = SourceSpan.from_json(src)
            return cls(obj["rule_id"], obj["rule_title"], obj["severity"], obj["year"],
                       obj["project_code"], obj["project_name"], obj["unit_code"], obj["field"],
                       obj["value"], obj["message"], span, obj.get("region_code"),
                       tuple(SourceSpan.from_json(r) for r in obj.get("related_sources") or ()))
        except (KeyError, IndexError, TypeError, ValueError) as e:
            raise AuditError(f"not a finding: {obj!r:.200}") from e

