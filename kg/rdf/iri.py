"""Every instance IRI hrss-kg mints, one typed function per kind, in N-Triples form (`<…>`).

IRIs are derived from the data, never counted: a project from region + year + 项目编码, a document from its
canonical 文号 (a notice printing none, from a digest of its title), a unit from region + code, a narrative
item from its file and line. A child (indicator, mention, plan entry, allocation, a notice's allocation
row and its source columns) is built from its parent's key, never by cutting the parent's text.
Every path segment goes through `segment`, the one encoder.

Units and projects are named by a key object (`UnitKey`, `ProjectKey`) that carries the region
(ingest.placing): budget codes are local to a county, so two counties' same codes never merge.
A key without a region (records never placed) keeps the region segment out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import NewType
from urllib.parse import quote

from ingest.docnumber import DocNumber
from ingest.records import Project, SourceSpan
from kg.docmatch import is_title_key
from kg.namespace import HK_DATA, HK_REGION

__all__ = [
    "Iri", "ProjectKey", "UnitKey", "segment", "project_key", "unit_key", "project", "region", "unit", "document", "issuer",
    "narrative", "indicator", "mention", "plan_entry", "allocation", "link",
    "finding", "rule", "plain", "notice_allocation", "allocation_part", "fund_stream",
]

Iri = NewType("Iri", str)  # an IRI in N-Triples form: "<https://w3id.org/hrss-kg/data/…>"

_BASE = str(HK_DATA)


@lru_cache(maxsize=1 << 16)
def segment(text: str) -> str:
    """One IRI path segment, percent-encoded (UTF-8) so every store and serialiser accepts it.

    Cached: the same region codes, unit codes and 文号 are encoded for every triple that names them.
    """
    return quote(text, safe="-_.~")


def _file_segment(file: str) -> str:
    # a file name keeps no slash: spans and narrative items of nested paths stay one segment
    return quote(file, safe="")


def _iri(path: str) -> Iri:
    return Iri(f"<{_BASE}{path}>")


def plain(iri: Iri) -> str:
    """The IRI without its N-Triples brackets."""
    return iri[1:-1]


def _region_path(region: str) -> str:
    return f"{segment(region)}/" if region else ""


@dataclass(frozen=True, order=True)
class UnitKey:
    """What names a budget unit: its region and code."""

    region: str
    code: str

    @property
    def path(self) -> str:
        return f"{_region_path(self.region)}{segment(self.code)}"


@dataclass(frozen=True, order=True)
class ProjectKey:
    """What names a project: region, year and 项目编码; a table without a code, by its file and line."""

    region: str
    year: int | None
    code: str | None
    file: str = ""
    line: int = 0

    @property
    def path(self) -> str:
        year = str(self.year) if self.year is not None else "na"
        if self.code:
            return f"{_region_path(self.region)}{year}/{segment(self.code)}"
        return f"{_region_path(self.region)}{year}/_{segment(self.file)}-{self.line}"


def project_key(p: Project) -> ProjectKey:
    """The key of a project record."""
    if p.project_code:
        return ProjectKey(p.region_code or "", p.year, p.project_code)
    return ProjectKey(p.region_code or "", p.year, None, p.span.file, p.span.first_line)


def unit_key(p: Project) -> UnitKey | None:
    """The key of a project's unit; None when the table names no unit code."""
    return UnitKey(p.region_code or "", p.unit_code) if p.unit_code else None


def project(key: ProjectKey) -> Iri:
    """hkd:project/<region>/<year>/<项目编码>."""
    return _iri(f"project/{key.path}")


def region(code: str) -> Iri:
    """hkr:<GB/T 2260 code, sub-region id or unknown:<file>> (the concepts of ontology/regions.ttl)."""
    return Iri(f"<{HK_REGION}{segment(code)}>")


def indicator(key: ProjectKey, n: int) -> Iri:
    return _iri(f"project/{key.path}/indicator/{n}")


def mention(key: ProjectKey, n: int) -> Iri:
    return _iri(f"project/{key.path}/mention/{n}")


def plan_entry(key: ProjectKey, n: int) -> Iri:
    return _iri(f"project/{key.path}/plan/{n}")


def allocation(key: ProjectKey, canonical: str) -> Iri:
    """The money document `canonical` gives the project."""
    return _iri(f"project/{key.path}/allocation/{segment(canonical)}")


def unit(key: UnitKey) -> Iri:
    """hkd:unit/<region>/<code>."""
    return _iri(f"unit/{key.path}")


@lru_cache(maxsize=1 << 16)  # a document is cited by many projects: its 文号 is parsed once
def _document_path(key: str) -> str:
    if is_title_key(key):
        # a title is long and may hold a 文号 of another document: a digest of it, never the text
        return f"doc/_title/{hashlib.sha256(key.encode('utf-8')).hexdigest()[:16]}"
    doc = DocNumber.parse(key)
    return f"doc/{segment(doc.issuer)}/{doc.year}/{doc.seq}"


def document(key: str) -> Iri:
    """hkd:doc/<issuer>/<year>/<seq> from a canonical 文号; hkd:doc/_title/<digest> from the title key
    of a notice without a 文号 of its own (kg.docmatch.TITLE_KEY)."""
    return _iri(_document_path(key))


def notice_allocation(canonical: str, n: int) -> Iri:
    """Row `n` (1-based, in the order printed) of the allocation table of the notice `canonical`."""
    return _iri(f"{_document_path(canonical)}/allocation/{n}")


def allocation_part(canonical: str, n: int, part: int) -> Iri:
    """Source column `part` (1-based: 中央资金, 省级资金 …) of row `n` of a notice's allocation table."""
    return _iri(f"{_document_path(canonical)}/allocation/{n}/part/{part}")


def fund_stream(key: str) -> Iri:
    """hkd:stream/<level|issuer|fund words> (kg.lineage.notices.notice_stream_key)."""
    return _iri(f"stream/{segment(key)}")


def issuer(prefix: str) -> Iri:
    return _iri(f"issuer/{segment(prefix)}")


def narrative(s: SourceSpan) -> Iri:
    return _iri(f"narrative/{_file_segment(s.file)}/{s.first_line}")


def _link_path(before: ProjectKey, after: ProjectKey) -> str:
    # a link never crosses regions: one region segment
    return (f"link/{_region_path(before.region)}{before.year}/{segment(before.code or '')}/{after.year}/"
            f"{segment(after.code or '')}")


def link(before: ProjectKey, after: ProjectKey) -> Iri:
    """A cross-year link from the project of one year to its successor (in the same region)."""
    return _iri(_link_path(before, after))


def rule(rule_id: str) -> Iri:
    return _iri(f"rule/{segment(rule_id)}")


def finding(rule_id: str, year: int | None, about: str, first: int, last: int, digest: str) -> Iri:
    """hkd:finding/<rule>/<year>/<project code or _file>/L<first>-<last>-<digest>."""
    return _iri(f"finding/{segment(rule_id)}/{year if year is not None else 'na'}/{about}/"
                f"L{first}-{last}-{digest}")
