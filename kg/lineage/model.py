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
    "RegionFlow",
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
    region_code: str | None = None
    region_name: str | None = None


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
    region_code: str | None = None
    region_name: str | None = None
    shared: bool = False  # the project cites several funding documents; its 预算数 counts under each

    @property
    def node(self) -> str:
        """The project's node id in the lineage view and the Sankey."""
        return f"project:{self.region_code or ''}:{self.year}:{self.project_code}"


@dataclass(frozen=True)
class UnitFlow(_Json):
    """One unit's share of a document: its projects and their total."""

    unit_code: str
    unit_name: str | None
    total_wan: Decimal
    projects: tuple[ProjectFlow, ...]
    region_code: str | None = None
    region_name: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"region_code": self.region_code, "region_name": self.region_name, "unit_code": self.unit_code,
                "unit_name": self.unit_name, "total_wan": self.total_wan,
                "projects": [p.to_json() for p in self.projects]}


@dataclass(frozen=True)
class RegionFlow:
    """One region's share of a document (trace schema 2): its sub-regions, its units and subtotals.

    `budgeted_wan` sums the 预算数 of the projects under it; `allocated_wan` is what the document
    itself allocates to the region (None until the notice is ingested); `allocation_source` is the
    notice's row.
    """

    region_code: str
    region_name: str | None
    level: str
    budgeted_wan: Decimal
    regions: tuple[RegionFlow, ...]
    units: tuple[UnitFlow, ...]
    allocated_wan: Decimal | None = None
    allocated_printed: str | None = None
    allocation_source: Any = None

    @property
    def has_projects(self) -> bool:
        """Whether a project under the region cites the document (else nothing was budgeted to compare)."""
        return bool(self.units) or any(r.has_projects for r in self.regions)

    @property
    def difference_wan(self) -> Decimal | None:
        """预算数 − 分配数, where the notice allocates to the region and a project there cites it."""
        if self.allocated_wan is None or not self.has_projects:
            return None
        return self.budgeted_wan - self.allocated_wan

    def all_units(self) -> list[UnitFlow]:
        """The units of this region and of every region under it."""
        return [*self.units, *(u for r in self.regions for u in r.all_units())]

    def to_json(self) -> dict[str, Any]:
        return {"region_code": self.region_code, "region_name": self.region_name, "level": self.level,
                "allocated_wan": self.allocated_wan, "allocated_printed": self.allocated_printed,
                "allocation_source": _plain(self.allocation_source), "budgeted_wan": self.budgeted_wan,
                "difference_wan": self.difference_wan, "regions": [r.to_json() for r in self.regions],
                "units": [u.to_json() for u in self.units]}


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
    regions: tuple[RegionFlow, ...] = ()  # the units above, by region: city → county
    allocated_wan: Decimal | None = None  # what the document allocates, once notices are ingested
    unplaced: tuple[Any, ...] = ()  # allocations to recipients that name no known region
    notice_source: SourceSpan | None = None  # the ingested notice
    attachments: tuple[SourceSpan, ...] = ()  # files joined to it as its attachments
    stream: dict[str, Any] | None = None  # {key, documents: [{year, canonical}]}: its fund stream

    @property
    def difference_wan(self) -> Decimal | None:
        """预算数 − 分配数, where the notice allocates and a project under it cites it."""
        if self.allocated_wan is None or not (self.units or any(c.projects for c in self.children)):
            return None
        return self.total_wan - self.allocated_wan

    def to_json(self) -> dict[str, Any]:
        """Trace schema 2 (README: "Trace, schema 2")."""
        return {"schema": 2, "document": self.document.to_json(),
                "parents": [p.to_json() for p in self.parents],
                "declared_total_wan": self.document.declared_total_wan, "allocated_wan": self.allocated_wan,
                "budgeted_wan": self.total_wan, "difference_wan": self.difference_wan,
                "regions": [r.to_json() for r in self.regions], "unplaced": [_plain(a) for a in self.unplaced],
                "children": [c.to_json() for c in self.children],
                "notice_source": _plain(self.notice_source),
                "attachments": [a.to_json() for a in self.attachments], "stream": self.stream}

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
    region_code: str | None = None


@dataclass(frozen=True)
class History(_Json):
    """A project's line across years (oldest first) and the links that join it."""

    project: ProjectCard
    entries: tuple[HistoryEntry, ...]
    links: tuple[CrossYearLink, ...]
