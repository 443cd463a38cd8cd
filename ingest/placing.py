"""Which region each project, unit and document is in, and the evidence for it.

The rules, first that applies wins (`Project.region_evidence` names it):

1. `override` — ontology/units.csv gives the unit (code and name) a `region_code`.
2. `code_prefix` — the 项目编码 starts with a division code the document itself names
   (a code beginning 130730 in a document naming 怀来县 → 130730). A withdrawn code resolves to its
   successor (130733… → 130709 崇礼区).
3. `unit_name` — one region named in the unit's name (涿鹿县民政局); a county name found in several
   cities (桥西区) is narrowed by the places the document names.
4. `unit` — another project of the same unit in the same file was placed by rule 1–3.
5. `document` — every project of the file that rules 1–3 place is in one region (a department's
   document covers one county), so its other units are too.
6. `title` — one region named in the project's title or name (怀安县养老服务补贴).
7. `narrative` — one region named in the document's narrative (总体绩效目标 …).
   A province or city named in a title or the narrative does not count where the document names a
   place inside it: 河北省 there is the funding province, not where the project is.
8. `override` — a units.csv row without a name: the unit code's region where rules 1–7 give none.
9. `sources.csv` — the `region_code` of the file's row in data/sources.csv.
10. `unknown` — `unknown:<file>`, reported once per file; never shared with another file.

A project placed by rule 1–2 whose unit name names an unrelated region gets a diagnostic with both.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from sys import intern

from ingest.records import Diagnostic, ParseResult, Project
from ingest.regions import ONTOLOGY, RegionIndex, RegionMatch, is_unknown, unknown_region

__all__ = [
    "UNITS_CSV",
    "EVIDENCE",
    "UnitOverride",
    "assign_regions",
    "load_unit_overrides",
    "source_regions",
]

UNITS_CSV = ONTOLOGY / "units.csv"
EVIDENCE = ("override", "code_prefix", "unit_name", "unit", "document", "title", "narrative", "sources.csv",
            "unknown")


@dataclass(frozen=True)
class UnitOverride:
    """A row of ontology/units.csv with a region_code: the unit with this code (and name) is there."""

    unit_code: str
    unit_name: str | None  # None: applies only where no other rule places the unit
    region_code: str
    line: int


def load_unit_overrides(index: RegionIndex, path: Path = UNITS_CSV
                        ) -> tuple[list[UnitOverride], list[Diagnostic]]:
    """The region overrides in ontology/units.csv (`code,name,parent_code,region_code`); a region code
    that is not a known division is a diagnostic, and the row is ignored."""
    if not path.exists():
        return [], []
    out, diagnostics = [], []
    with path.open(encoding="utf-8", newline="") as f:
        for line, row in enumerate(csv.DictReader(f), 2):
            code, region = (row.get("code") or "").strip(), (row.get("region_code") or "").strip()
            if not code or not region:
                continue
            if region not in index:
                diagnostics.append(Diagnostic(str(path), line, f"region_code {region} of unit {code} is not a "
                                              "known division code (ontology/regions.csv); ignored", "error"))
                continue
            out.append(UnitOverride(code, (row.get("name") or "").strip() or None, index.current(region), line))
    return out, diagnostics


def source_regions(rows: Iterable[Mapping[str, str]], index: RegionIndex,
                   file: str = "data/sources.csv") -> tuple[dict[str, str], list[Diagnostic]]:
    """path → region code from the parsed rows of data/sources.csv; an unknown code is a diagnostic.

    Rows are dicts with `path` and `region_code` (and the row's `line` when the reader keeps it).
    """
    out: dict[str, str] = {}
    diagnostics: list[Diagnostic] = []
    for n, row in enumerate(rows, 2):
        path, code = (row.get("path") or "").strip(), (row.get("region_code") or "").strip()
        if not path or not code:
            continue
        if code not in index:
            line = int(row["line"]) if str(row.get("line", "")).isdigit() else n
            diagnostics.append(Diagnostic(file, line, f"region_code {code} of {path} is not a known "
                                          "division code (ontology/regions.csv); ignored", "error"))
            continue
        out[path] = index.current(code)  # a withdrawn code (130733) means its successor
    return out, diagnostics


def _source_key(file: str, settings: Mapping[str, str]) -> str | None:
    norm = file.replace("\\", "/")
    for key in settings:
        if norm == key or norm.endswith("/" + key.lstrip("/")):
            return key
    return None


class _Document:
    """What one file says about places: every region named, once."""

    def __init__(self, result: ParseResult, index: RegionIndex):
        self.index = index
        self._found: dict[str, list[RegionMatch]] = {}
        texts: list[str] = []
        for p in result.projects:
            texts += [t for t in (p.unit_name, p.title, p.project_name, p.purpose) if t]
        narrative = [n.text for n in result.narrative] + [n.heading for n in result.narrative if n.heading]
        self.matches = [m for t in texts + narrative for m in self.find(t)]
        self.narrative = [m for t in narrative for m in self.find(t)]
        # every region the document names, with their parents: the context that narrows 桥西区
        self.named: set[str] = set()
        for m in self.matches:
            for c in m.codes:
                self.named.add(index.current(c))
        self.context: set[str] = set()
        for m in self.matches:
            if m.code:
                c = index.current(m.code)
                self.context |= {c, *index.parents(c)}

    def find(self, text: str | None) -> list[RegionMatch]:
        """Region names in one text of this document (each distinct text scanned once)."""
        if not text:
            return []
        if text not in self._found:
            self._found[text] = self.index.find_in_text(text)
        return self._found[text]

    def specific(self, code: str | None) -> str | None:
        """`code` unless the document names a place inside it: a title or narrative naming 河北省 (the
        funding province) does not place a county's project when the document names 怀来县."""
        region = self.index.get(code)
        if code is None or region is None or region.level in ("county", "sub"):
            return code
        inside = any(c != code and self.index.is_within(c, code) for c in self.named)
        return None if inside else code

    def names(self, code: str) -> bool:
        return self.index.current(code) in self.named


def _one_region(matches: Sequence[RegionMatch], index: RegionIndex, context: set[str]) -> str | None:
    """The one most specific region the matches name, None when none or several."""
    codes: set[str] = set()
    for m in matches:
        cands = {index.current(c) for c in m.codes}
        if len(cands) > 1:
            # the candidate whose nearest named parent is nearest (张家口市 beats 河北省, shared by all)
            near = {c: next((i for i, a in enumerate(index.parents(c)) if a in context), None) for c in cands}
            ranked = sorted(d for d in near.values() if d is not None)
            narrowed = {c for c, d in near.items() if ranked and d == ranked[0]}
            if len(narrowed) != 1:
                continue
            cands = narrowed
        codes |= cands
    # 张家口市怀来县: the county, not the city as well
    specific = {c for c in codes if not any(c != o and c in index.parents(o) for o in codes)}
    return specific.pop() if len(specific) == 1 else None


def _describe(index: RegionIndex, code: str) -> str:
    name = index.name(code)
    return f"{name} ({code})" if name else code


def assign_regions(result: ParseResult, index: RegionIndex, settings: Mapping[str, str] | None = None,
                   *, source: str | None = None, overrides: Sequence[UnitOverride] = ()) -> ParseResult:
    """Give every project of `result` (and the document) its region and evidence, in place.

    Args:
        settings: path (relative to data/) → region code, from `source_regions`.
        source: the file's key in `settings` and its unknown id (default: matched by path suffix).
        overrides: from `load_unit_overrides`.
    """
    settings = settings or {}
    key = source or _source_key(result.file, settings)
    setting = settings.get(key) if key else None
    file_id = key or result.file
    doc = _Document(result, index)
    narrative = doc.specific(_one_region(doc.narrative, index, doc.context))
    by_name: dict[tuple[str, str | None], UnitOverride] = {(o.unit_code, o.unit_name): o for o in overrides
                                                          if o.unit_name}
    blank = {o.unit_code: o for o in overrides if not o.unit_name}

    warned: set[tuple[object, ...]] = set()

    def warn(p: Project, once: tuple[object, ...], message: str) -> None:
        """One warning per unit and pair of regions, at the unit row of its first project."""
        if once not in warned:
            warned.add(once)
            result.diagnostics.append(Diagnostic(result.file, p.field_span("unit").first_line, message))

    # rules 1–3 on the project's own code and unit
    decided: list[tuple[str, str] | None] = []
    for p in result.projects:
        unit_region = _one_region(doc.find(p.unit_name), index, doc.context)
        found: tuple[str, str] | None = None
        o = by_name.get((p.unit_code or "", p.unit_name))
        if o is not None:
            found = (o.region_code, "override")
        elif (prefix := (p.project_code or "")[:6]).isdigit() and len(prefix) == 6 and prefix in index \
                and doc.names(prefix):
            found = (index.current(prefix), "code_prefix")
            if unit_region and not index.related(found[0], unit_region):
                warn(p, (p.unit_code, p.unit_name, prefix, unit_region),
                     f"region conflict: 项目编码 {p.project_code} says {_describe(index, prefix)}, "
                        f"unit name {p.unit_name} says {_describe(index, unit_region)}; "
                     f"kept {_describe(index, found[0])}")
        elif unit_region:
            found = (unit_region, "unit_name")
        decided.append(found)

    by_unit: dict[tuple[str, str | None], set[str]] = {}
    for p, found in zip(result.projects, decided):
        if found is not None:
            by_unit.setdefault((p.unit_code or "", p.unit_name), set()).add(found[0])
    placed = {found[0] for found in decided if found is not None}
    document = placed.pop() if len(placed) == 1 else None
    unknown = unknown_region(file_id)
    unplaced = 0
    projects = []
    for p, found in zip(result.projects, decided):
        if found is None:
            votes = by_unit.get((p.unit_code or "", p.unit_name), set())
            title = doc.specific(_one_region(doc.find(p.title) + doc.find(p.project_name), index, doc.context))
            if len(votes) == 1:
                found = (next(iter(votes)), "unit")
            elif document:
                found = (document, "document")
            elif title:
                found = (title, "title")
            elif narrative:
                found = (narrative, "narrative")
            elif (o := blank.get(p.unit_code or "")) is not None:
                found = (o.region_code, "override")
            elif setting:
                found = (setting, "sources.csv")
            else:
                found = (unknown, "unknown")
                unplaced += 1
        if setting and found[1] not in ("override", "sources.csv", "unknown") \
                and not index.related(found[0], setting):
            warn(p, (setting, found[0]), f"region conflict: data/sources.csv says {_describe(index, setting)}, "
                 f"the document says {_describe(index, found[0])} ({found[1]}); kept the document's")
        projects.append(replace(p, region_code=intern(found[0]), region_evidence=intern(found[1])))
    result.projects = projects
    if unplaced:
        named = {m.text: sorted({index.current(c) for c in m.codes}) for m in doc.narrative}
        why = ("the narrative names " + "; ".join(
            f"{text} ({', '.join(codes[:5])})" for text, codes in list(named.items())[:4])
            if named else "no place named in unit names, titles or narrative")
        result.diagnostics.append(Diagnostic(
            result.file, None,
            f"region unknown ({why}; no division code in 项目编码 that the document confirms; no "
            f"region_code in data/sources.csv): {unplaced} projects kept as {unknown}", "warning"))
    result.region_code, result.region_evidence = _document_region(result, index, narrative, setting, unknown)
    return result


def _document_region(result: ParseResult, index: RegionIndex, narrative: str | None, setting: str | None,
                     unknown: str) -> tuple[str, str]:
    codes = {p.region_code for p in result.projects if p.region_code}
    if len(codes) == 1:
        return codes.pop(), "projects"
    if codes and not any(is_unknown(c) for c in codes):
        # several regions (a city's document): their nearest common parent
        chains = [(c, *index.parents(c)) for c in sorted(codes)]
        common = [c for c in chains[0] if all(c in ch for ch in chains[1:])]
        if common:
            return common[0], "common_parent"
    if not result.projects:
        if narrative:
            return narrative, "narrative"
        if setting:
            return setting, "sources.csv"
    return unknown, "unknown"
