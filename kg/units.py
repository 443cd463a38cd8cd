"""Budget units: one name and one parent per unit (region, code), decided here and only here.

Budget codes are local to a county: a unit is its region (ingest.placing) and its code, and two
counties' units with one code stay two units. A unit's name is the spelling most of its tables print (ties: the smallest in code-point order);
ontology/units.csv (code,name,parent_code) overrides names and parents of every unit with that code
and may add units the data never shows (without a region). The graph, the document cards, the lineage, search and the views all read `Units`.
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import HrssError
from ingest.records import Project
from ingest.regions import unknown_region
from kg.atomic import write_text
from kg.rdf.iri import UnitKey, unit_key

__all__ = ["UnitInfo", "Units", "UnitsError", "UNITS_CSV", "UNITS_FILE", "derive_units", "write_units",
           "read_units"]

UNITS_CSV = Path(__file__).resolve().parent.parent / "ontology" / "units.csv"
UNITS_FILE = "units.json"  # the build's units, as derived by the build


class UnitsError(HrssError):
    """ontology/units.csv cannot be used."""


@dataclass(frozen=True)
class UnitInfo:
    """A budget unit: its code, name (most common spelling), parent unit code (same region) and region."""

    code: str
    name: str | None
    parent: str | None
    other_names: tuple[str, ...] = ()
    region: str = ""

    @property
    def key(self) -> UnitKey:
        return UnitKey(self.region, self.code)


class Units(Mapping[UnitKey, UnitInfo]):
    """Every unit of a build by (region, code); `.name(code, region)` is the one answer to "what is
    this unit called"."""

    def __init__(self, units: Mapping[UnitKey, UnitInfo]) -> None:
        self._units = dict(units)
        self._by_code: dict[str, list[UnitKey]] = defaultdict(list)
        for key in sorted(self._units):
            self._by_code[key.code].append(key)

    def __getitem__(self, key: UnitKey) -> UnitInfo:
        return self._units[key]

    def __iter__(self) -> Iterator[UnitKey]:
        return iter(self._units)

    def __len__(self) -> int:
        return len(self._units)

    def with_code(self, code: str) -> list[UnitKey]:
        """Every unit with this code, one per region, sorted: several mean the code is ambiguous."""
        return list(self._by_code.get(code, ()))

    def find(self, code: str | None, region: str | None = None) -> UnitInfo | None:
        """The unit with this code in `region`; without a region, the one unit with the code (None
        when several regions have it)."""
        if not code:
            return None
        if region is not None:
            return self._units.get(UnitKey(region, code))
        keys = self._by_code.get(code, ())
        return self._units[keys[0]] if len(keys) == 1 else None

    def of(self, p: Project) -> UnitInfo | None:
        """The unit of a project."""
        key = unit_key(p)
        return self._units.get(key) if key else None

    def name(self, code: str | None, region: str | None = None) -> str | None:
        """The unit's name, None for an unknown or ambiguous code or a unit no table names."""
        info = self.find(code, region)
        return info.name if info else None

    def label(self, code: str | None, region: str | None = None) -> str:
        """The name for display: the name, else the code, else （无单位）."""
        return self.name(code, region) or code or "（无单位）"

    def names(self) -> dict[str, str]:
        """code → name for every named unit whose code is in one region only, sorted by code."""
        return {c: n for c in sorted(self._by_code) if (n := self.name(c))}


def _read_overrides(path: Path) -> dict[str, tuple[str | None, str | None]]:
    if not path.exists():
        return {}
    out: dict[str, tuple[str | None, str | None]] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or not {"code", "name", "parent_code"} <= set(reader.fieldnames):
            raise UnitsError(f"{path}: expected the columns code,name,parent_code")
        for n, row in enumerate(reader, start=2):
            code = (row["code"] or "").strip()
            if not code:
                raise UnitsError(f"{path}:{n}: empty unit code")
            out[code] = ((row["name"] or "").strip() or None, (row["parent_code"] or "").strip() or None)
    return out


def derive_units(projects: Iterable[Project], overrides: Path | None = UNITS_CSV) -> Units:
    """Every unit (region, code) seen, with its name and parent.

    A unit's parent is the bureau of its group in its region: units whose codes share all but the
    last three digits form a group, and its bureau is the member whose code ends in 001 and whose
    name ends with 局. A units.csv code the data never shows is added without a region.
    """
    names: dict[UnitKey, Counter[str]] = defaultdict(Counter)
    for p in projects:
        if (key := unit_key(p)) is not None:
            names[key][p.unit_name or ""] += 1
    override = _read_overrides(overrides) if overrides else {}
    seen = {k.code for k in names}

    def region_of(code: str) -> str:
        """A units.csv code the data never shows: the region of its group, when the group is in one."""
        regions = {k.region for k in names if len(code) > 3 and k.code[:-3] == code[:-3]}
        return regions.pop() if len(regions) == 1 else unknown_region(UNITS_CSV.name)

    keys = sorted(set(names) | {UnitKey(region_of(c), c) for c in override if c not in seen})

    def best(key: UnitKey) -> str | None:
        counted = [(n, c) for n, c in names.get(key, Counter()).items() if n]
        return sorted(counted, key=lambda nc: (-nc[1], nc[0]))[0][0] if counted else None

    bureaus: dict[tuple[str, str], str] = {}
    for key in keys:
        named = (override.get(key.code, (None, None))[0]) or best(key) or ""
        if len(key.code) > 3 and key.code.endswith("001") and named.endswith("局"):
            bureaus[(key.region, key.code[:-3])] = key.code
    out: dict[UnitKey, UnitInfo] = {}
    for key in keys:
        code = key.code
        o_name, o_parent = override.get(code, (None, None))
        parent = o_parent or (bureaus.get((key.region, code[:-3])) if len(code) > 3 else None)
        if parent == code:
            parent = None
        name = o_name or best(key)
        others = tuple(sorted(n for n in names.get(key, Counter()) if n and n != name))
        out[key] = UnitInfo(code, name, parent, others, key.region)
    for info in list(out.values()):
        if info.parent and UnitKey(info.region, info.parent) not in out:
            out[UnitKey(info.region, info.parent)] = UnitInfo(info.parent, None, None, (), info.region)
    return Units(out)


def write_units(units: Units, build_dir: Path) -> int:
    """Store a build's units (UNITS_FILE), atomically; how many."""
    path = build_dir / UNITS_FILE
    data = [{"region": u.region, "code": u.code, "name": u.name, "parent": u.parent,
             "other_names": list(u.other_names)} for _, u in sorted(units.items())]
    write_text(path, json.dumps(data, ensure_ascii=False, indent=1))
    return len(units)


def read_units(build_dir: Path) -> Units:
    """The units a build derived; UnitsError names the file when it is missing or unreadable."""
    path = build_dir / UNITS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        infos = [UnitInfo(u["code"], u["name"], u["parent"], tuple(u["other_names"]), u["region"]) for u in data]
        return Units({info.key: info for info in infos})
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise UnitsError(f"{path}: 单位数据不可读（{type(e).__name__}）；请运行 `python -m kg build`") from e
