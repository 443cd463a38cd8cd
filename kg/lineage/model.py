"""Results of lineage queries: small frozen records, each with `.to_json()` (shapes in README.md)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from ingest.records import SourceSpan
from kg.lineage.links import CrossYearLink

__all__ = [
    "DocumentCard",
    "ProjectCard",
    "ProjectFlow",
    "UnitFlow",
    "TraceDown",
    "DocLink",
    "TraceUp",
    "HistoryEntry",
    "History",
]


def _plain(value: Any) -> Any:
    if hasattr(value, "to_json"):
        return value.to_json()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class _Json:
    def to_json(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]


@dataclass(frozen=True)
class DocumentCard(_Json):
    """A funding document: canonical 文号, what documents.csv says, issuer and fund class."""

    canonical: str
    title: str | None
    issuer: str | None  # the prefix (冀财社)
    organisation: str | None  # 河北省财政厅
    level: str | None  # the issuer's administrative level
    fund_level: str | None
    fund_source: str | None
    date: str | None = None
    declared_total_wan: Decimal | None = None


@dataclass(frozen=True)
class ProjectCard(_Json):
    """A project as the lineage sees it."""

    year: int
    project_code: str
    project_name: str | None
    unit_code: str | None
    unit_name: str | None
    budget_wan: Decimal | None
    fund_level: str | None
    fund_source: str | None
    fund_rule: str | None
    documents: tuple[str, ...]
    source: SourceSpan | None


@dataclass(frozen=True)
class ProjectFlow(_Json):
    """A project reached from a document, with the amount it states."""

    year: int
    project_code: str
    project_name: str | None
    budget_wan: Decimal | None
    fund_level: str | None
    fund_source: str | None
    source: SourceSpan | None
    document: str | None = None  # the 文号 the project cites (the traced one or a descendant)
    unit_code: str | None = None
    unit_name: str | None = None


@dataclass(frozen=True)
class UnitFlow(_Json):
    """One unit's share of a document: its projects and their total."""

    unit_code: str
    unit_name: str | None
    total_wan: Decimal
    projects: tuple[ProjectFlow, ...]


@dataclass(frozen=True)
class TraceDown(_Json):
    """Where a document's money went: units and projects citing it, then its child documents.

    `total_wan` sums every distinct project under the document and its descendants (a project citing
    both a parent and a child counts once); `own_total_wan` only those citing this document.
    """

    document: DocumentCard
    parents: tuple[DocumentCard, ...]  # nearest first
    units: tuple[UnitFlow, ...]
    own_total_wan: Decimal
    total_wan: Decimal
    children: tuple[TraceDown, ...]

    @property
    def projects(self) -> list[ProjectFlow]:
        """Every project flow under the document, its own first, then its children's."""
        out = [pf for u in self.units for pf in u.projects]
        for child in self.children:
            out.extend(child.projects)
        return out


@dataclass(frozen=True)
class DocLink(_Json):
    """A document funding a project: its levels, the amount, and its ancestors (nearest first)."""

    canonical: str
    title: str | None
    organisation: str | None
    level: str | None
    fund_level: str | None
    fund_source: str | None
    amount_wan: Decimal | None
    chain: tuple[str, ...]
    chain_levels: tuple[str | None, ...] = ()


@dataclass(frozen=True)
class TraceUp(_Json):
    """Which documents fund a project and at which level.

    `derived` is True when the project cites no document: its level comes from the fund rules alone
    (its own wording, else the default row: 县 本级财政).
    """

    project: ProjectCard
    documents: tuple[DocLink, ...]
    fund_level: str | None
    fund_source: str | None
    fund_rule: str | None
    derived: bool


@dataclass(frozen=True)
class HistoryEntry(_Json):
    """One year of a project's line, with the change against the year before."""

    year: int
    project_code: str
    project_name: str | None
    unit_code: str | None
    budget_wan: Decimal | None
    change_wan: Decimal | None
    change_pct: Decimal | None
    fund_level: str | None
    fund_source: str | None
    documents: tuple[str, ...]
    source: SourceSpan | None


@dataclass(frozen=True)
class History(_Json):
    """A project's line across years (oldest first) and the links that join it."""

    project: ProjectCard
    entries: tuple[HistoryEntry, ...]
    links: tuple[CrossYearLink, ...]
