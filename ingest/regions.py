"""Administrative regions (GB/T 2260): codes, names, short names, changed codes, and names in text.

    >>> idx = RegionIndex.load()
    >>> idx.get("130730").name, idx.parents("130730")
    ('怀来县', ('130700', '130000'))
    >>> idx.current("130733")
    '130709'

The data is `ontology/regions.csv` (divisions, built by tools/make_regions.py from a maintained
package) and `ontology/subregions.csv` (开发区, 管理区, 市本级 as `<parent>-<slug>`, level `sub`).
Which region a project, unit or document is in is decided in `ingest.placing`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "REGIONS_CSV",
    "SUBREGIONS_CSV",
    "ISSUER_REGIONS_CSV",
    "Region",
    "RegionMatch",
    "IssuerPlace",
    "RegionIndex",
    "unknown_region",
    "is_unknown",
    "REGION_IRI",
    "region_scheme_turtle",
]

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
REGIONS_CSV = ONTOLOGY / "regions.csv"
SUBREGIONS_CSV = ONTOLOGY / "subregions.csv"
ISSUER_REGIONS_CSV = ONTOLOGY / "issuer_regions.csv"
ISSUERS_CSV = ONTOLOGY / "issuers.csv"
UNKNOWN_PREFIX = "unknown:"
REGION_IRI = "https://w3id.org/hrss-kg/region/"
# Names that are ordinary words too (阳泉市城区, 主城区): found in text only with their city before them.
_GENERIC = frozenset({"城区", "郊区", "矿区"})
_LEVEL_RANK = {"province": 0, "city": 1, "county": 2, "sub": 3}


def unknown_region(file_id: str) -> str:
    """The region id of a file whose region no rule resolves: never shared with another file."""
    return f"{UNKNOWN_PREFIX}{file_id}"


def is_unknown(code: str | None) -> bool:
    return code is None or code.startswith(UNKNOWN_PREFIX)


@dataclass(frozen=True)
class Region:
    """One division (or named sub-region), as ontology/regions.csv lists it."""

    code: str
    name: str
    level: str  # province | city | county | sub
    parent: str | None
    short_names: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    valid_from: str | None = None  # YYYY-MM of the first list carrying the code; None: before 2002-12
    valid_to: str | None = None  # YYYY-MM of the first list without it; None: in force
    replaced_by: str | None = None

    @property
    def in_force(self) -> bool:
        return self.valid_to is None


@dataclass(frozen=True)
class RegionMatch:
    """A region name found in text: where, as printed, and every region it can name."""

    start: int
    end: int
    text: str
    codes: tuple[str, ...]  # several for a name used in more than one place (桥西区)

    @property
    def code(self) -> str | None:
        """The one region named, None when the name alone is ambiguous."""
        return self.codes[0] if len(self.codes) == 1 else None


@dataclass(frozen=True)
class IssuerPlace:
    """Where an issuing body is: its region (None when not decided), organisation and how it was told."""

    issuer: str
    region_code: str | None
    organisation: str | None
    evidence: str  # issuer_regions.csv | issuers.csv | short_name | citing_project | ambiguous | unknown
    candidates: tuple[str, ...] = ()


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v for v in (value or "").split("|") if v)


class RegionIndex:
    """Every region by code, by name (for text) and by short name (for 文号 issuers)."""

    def __init__(self, regions: Iterable[Region], issuers: Mapping[str, tuple[str, str | None]] | None = None,
                 issuer_places: Mapping[str, tuple[str | None, str | None]] | None = None):
        """`issuers`: prefix → (region code, organisation), as ontology/issuer_regions.csv lists them;
        `issuer_places`: prefix → (place name, organisation), as ontology/issuers.csv lists them."""
        self._by_code: dict[str, Region] = {}
        for r in regions:
            self._by_code[r.code] = r
        names: dict[str, list[str]] = {}
        shorts: dict[str, list[str]] = {}
        for r in self._by_code.values():
            forms = [r.name, *r.aliases]
            parent = self._by_code.get(r.parent or "")
            if parent is not None and r.level in ("county", "sub"):
                # 张家口市桥西区 names one 桥西区 of the three
                forms += [parent.name + r.name, *(parent.name + a for a in r.aliases)]
            for form in forms:
                if len(form) >= 2 and form not in _GENERIC:
                    names.setdefault(form, []).append(r.code)
            for s in r.short_names:
                shorts.setdefault(s, []).append(r.code)
        self._names = {k: tuple(dict.fromkeys(v)) for k, v in names.items()}
        self._shorts = {k: tuple(v) for k, v in shorts.items()}
        lengths: dict[str, set[int]] = {}
        for form in self._names:
            lengths.setdefault(form[0], set()).add(len(form))
        self._lengths = {c: sorted(ls, reverse=True) for c, ls in lengths.items()}
        # issuer prefix → (region code, organisation, evidence)
        self._issuers: dict[str, tuple[str | None, str | None, str]] = {}
        for prefix, (place, org) in (issuer_places or {}).items():
            codes = [c for c in self.by_name(place) if self._by_code[c].in_force] if place else []
            if len(codes) == 1:
                self._issuers[prefix] = (codes[0], org, "issuers.csv")
            elif not place:
                self._issuers[prefix] = (None, org, "issuers.csv")  # 财政部, 国务院: no region
        for prefix, (code, org) in (issuers or {}).items():
            self._issuers[prefix] = (code, org, "issuer_regions.csv")

    @classmethod
    def load(cls, regions_csv: Path = REGIONS_CSV, subregions_csv: Path | None = SUBREGIONS_CSV,
             issuer_regions_csv: Path | None = ISSUER_REGIONS_CSV,
             issuers_csv: Path | None = ISSUERS_CSV) -> RegionIndex:
        """The regions shipped in ontology/ (read once by the caller and passed on)."""
        rows = _read(regions_csv)
        if subregions_csv is not None and subregions_csv.exists():
            rows += _read(subregions_csv)
        regions = [
            Region(r["code"], r["name"], r["level"], r["parent"] or None, _split(r["short_names"]),
                   _split(r["aliases"]), r["valid_from"] or None, r["valid_to"] or None,
                   r["replaced_by"] or None)
            for r in rows
        ]
        issuers: dict[str, tuple[str, str | None]] = {}
        if issuer_regions_csv is not None and issuer_regions_csv.exists():
            for r in _read(issuer_regions_csv):
                issuers[r["issuer"]] = (r["region_code"], r.get("organisation") or None)
        places: dict[str, tuple[str | None, str | None]] = {}
        if issuers_csv is not None and issuers_csv.exists():
            for r in _read(issuers_csv):
                places[r["prefix"]] = (r.get("place") or None, r.get("organisation") or None)
        return cls(regions, issuers, places)

    def __len__(self) -> int:
        return len(self._by_code)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str | None) -> Region | None:
        """The region with this code (a withdrawn code too), None when unknown."""
        return self._by_code.get(code or "")

    def name(self, code: str | None) -> str | None:
        r = self.get(code)
        return r.name if r else None

    def current(self, code: str) -> str:
        """The code in force for a region: a withdrawn code's successor (130733 崇礼县 → 130709)."""
        seen = {code}
        r = self._by_code.get(code)
        while r is not None and r.replaced_by and r.replaced_by not in seen:
            seen.add(r.replaced_by)
            code, r = r.replaced_by, self._by_code.get(r.replaced_by)
        return code

    def parents(self, code: str) -> tuple[str, ...]:
        """The enclosing regions, nearest first (怀来县 → 张家口市, 河北省)."""
        out: list[str] = []
        r = self._by_code.get(code)
        while r is not None and r.parent and r.parent not in out:
            out.append(r.parent)
            r = self._by_code.get(r.parent)
        return tuple(out)

    def children(self, code: str, in_force: bool = True) -> list[Region]:
        """The regions directly under one (for the SKOS narrower links)."""
        return [r for r in self._by_code.values() if r.parent == code and (r.in_force or not in_force)]

    def regions(self) -> list[Region]:
        return list(self._by_code.values())

    def is_within(self, code: str, ancestor: str) -> bool:
        """True when `code` is `ancestor` or lies inside it."""
        return code == ancestor or ancestor in self.parents(code)

    def related(self, a: str, b: str) -> bool:
        """True when one region contains the other (a county and its city do not conflict)."""
        a, b = self.current(a), self.current(b)
        return self.is_within(a, b) or self.is_within(b, a)

    def by_name(self, name: str) -> tuple[str, ...]:
        """Every region a full name (or former name, or 城市+区县 form) names."""
        return self._names.get(name, ())

    def by_short_name(self, short: str, within: str | None = None, level: str | None = None,
                      in_force: bool = True) -> list[Region]:
        """Regions with this short name (冀 → 河北省; 怀 within 张家口市 → 怀安县, 怀来县), largest first."""
        out = []
        for code in self._shorts.get(short, ()):
            r = self._by_code[code]
            if in_force and not r.in_force:
                continue
            if level is not None and r.level != level:
                continue
            if within is not None and not self.is_within(code, within):
                continue
            out.append(r)
        return sorted(out, key=lambda r: (_LEVEL_RANK.get(r.level, 9), r.code))

    def find_in_text(self, text: str | None, within: str | None = None) -> list[RegionMatch]:
        """Region names in running text, leftmost-longest, with offsets (`within` narrows 桥西区)."""
        if not text:
            return []
        out: list[RegionMatch] = []
        i, n = 0, len(text)
        while i < n:
            lengths = self._lengths.get(text[i])
            hit = None
            if lengths:
                for length in lengths:
                    if length > n - i:
                        continue
                    codes = self._names.get(text[i:i + length])
                    if codes is not None and (length > 2 or _stands_alone(text, i)) \
                            and not (text[i + length - 1] == "区" and text[i + length:i + length + 1] == "域"):
                        # 绿水青山区域 is a 区域, not 青山区
                        hit = (length, codes)
                        break
            if hit is None:
                i += 1
                continue
            length, codes = hit
            if within is not None and len(codes) > 1:
                narrowed = tuple(c for c in codes if self.is_within(c, within))
                codes = narrowed or codes
            out.append(RegionMatch(i, i + length, text[i:i + length], codes))
            i += length
        return out

    def issuer_region(self, issuer: str, citing_region: str | None = None) -> IssuerPlace:
        """Where a 文号 issuer is (怀财资 → 怀来县 from the data files; an issuer they do not list →
        by its leading short name, and where that is ambiguous (怀 is 怀来县 and 怀安县) by the region
        of the project citing it, marked `citing_project`)."""
        if issuer in self._issuers:
            code, org, evidence = self._issuers[issuer]
            return IssuerPlace(issuer, code, org, evidence)
        province = None
        if citing_region and not is_unknown(citing_region):
            province = next((c for c in (citing_region, *self.parents(citing_region))
                             if self._by_code.get(c) and self._by_code[c].level == "province"), None)
        for k in range(min(3, len(issuer) - 1), 0, -1):
            found = self.by_short_name(issuer[:k], within=province)
            if not found:
                continue
            codes = tuple(r.code for r in found)
            if citing_region and not is_unknown(citing_region):
                # the citing project's own county (or its city) among the candidates
                for c in (citing_region, *self.parents(citing_region)):
                    if c in codes:
                        return IssuerPlace(issuer, c, None, "citing_project", codes)
            if len(codes) == 1:
                return IssuerPlace(issuer, codes[0], None, "short_name", codes)
            return IssuerPlace(issuer, None, None, "ambiguous", codes)
        return IssuerPlace(issuer, None, None, "unknown")


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def _stands_alone(text: str, i: int) -> bool:
    """A two-character name (和县, 应县, 蔚县) counts only at the start of a phrase and not before 级:
    "市和县两级", "相应县级" name no county."""
    return (i == 0 or not _is_cjk(text[i - 1])) and text[i + 2:i + 3] != "级"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


_TTL_HEAD = """\
# Administrative regions of China (GB/T 2260) as one SKOS concept scheme, made from
# ontology/regions.csv and ontology/subregions.csv by ingest.regions.region_scheme_turtle
# (python tools/make_regions.py writes both). Concepts rather than org:Organization sites: a region is
# a place that budget units, documents and allocations are *in* (hk:inRegion), while the organisations
# (县财政局, 县人民政府) are units in their own right; broader/narrower give the
# province → city → county drill-down, skos:notation the code, dcterms:isReplacedBy a changed code.

@prefix hk:      <https://w3id.org/hrss-kg/> .
@prefix hkr:     <{iri}> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix owl:     <http://www.w3.org/2002/07/owl#> .

hk:Regions a skos:ConceptScheme ;
    skos:prefLabel "行政区划"@zh, "administrative regions"@en"""


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def region_scheme_turtle(index: RegionIndex, codes: Iterable[str] | None = None) -> str:
    """The regions (all, or `codes` with their parents) as a SKOS concept scheme in Turtle."""
    if codes is None:
        chosen = sorted(index.regions(), key=lambda r: r.code)
    else:
        keep: set[str] = set()
        for c in codes:
            while (region := index.get(c)) is not None and c not in keep:
                keep |= {c, *index.parents(c)}
                c = region.replaced_by or c
        # a parent the regions file names but does not list is left out, not a None in the scheme
        chosen = sorted((r for r in map(index.get, keep) if r is not None), key=lambda r: r.code)
    listed = {r.code for r in chosen}
    children: dict[str, list[str]] = {}
    for r in chosen:
        if r.parent in listed:
            children.setdefault(r.parent, []).append(r.code)
    tops = [r.code for r in chosen if not r.parent]
    out = [_TTL_HEAD.format(iri=REGION_IRI)]
    if tops:
        out[-1] += " ;\n    skos:hasTopConcept " + ",\n        ".join(
            ", ".join(f"hkr:{c}" for c in tops[i:i + 8]) for i in range(0, len(tops), 8))
    out[-1] += " ."
    for r in chosen:
        lines = [f"hkr:{r.code} a skos:Concept ;", "    skos:inScheme hk:Regions ;",
                 f"    skos:notation {_lit(r.code)} ;", f"    skos:prefLabel {_lit(r.name)}@zh ;",
                 f"    hk:regionLevel {_lit(r.level)} ;"]
        if r.aliases:
            lines.append("    skos:altLabel " + ", ".join(f"{_lit(a)}@zh" for a in r.aliases) + " ;")
        if r.short_names:
            lines.append("    skos:hiddenLabel " + ", ".join(f"{_lit(a)}@zh" for a in r.short_names) + " ;")
        if r.parent in listed:
            lines.append(f"    skos:broader hkr:{r.parent} ;")
        elif not r.parent:
            lines.append("    skos:topConceptOf hk:Regions ;")
        if r.code in children:
            lines.append("    skos:narrower " + ", ".join(f"hkr:{c}" for c in children[r.code]) + " ;")
        if r.valid_to:
            lines.append("    owl:deprecated true ;")
            lines.append(f"    dcterms:valid {_lit(f'end={r.valid_to}')} ;")
        elif r.valid_from:
            lines.append(f"    dcterms:valid {_lit(f'start={r.valid_from}')} ;")
        if r.replaced_by:
            lines.append(f"    dcterms:isReplacedBy hkr:{r.replaced_by} ;")
        lines[-1] = lines[-1][:-2] + " ."
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"
