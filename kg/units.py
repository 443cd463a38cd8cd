"""Budget units: one name and one parent per unit code, decided here and only here.

A unit's name is the spelling most of its tables print (ties: the smallest in code-point order);
ontology/units.csv (code,name,parent_code) overrides names and parents and may add units the data
never shows. The graph, the document cards, the lineage, search and the views all read `Units`.
"""

from __future__ import annotations

import csv
import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import HrssError
from ingest.records import Project

__all__ = ["UnitInfo", "Units", "UnitsError", "UNITS_CSV", "UNITS_FILE", "derive_units", "write_units",
           "read_units"]

UNITS_CSV = Path(__file__).resolve().parent.parent / "ontology" / "units.csv"
UNITS_FILE = "units.json"  # the build's units, as derived by the build


class UnitsError(HrssError):
    """ontology/units.csv cannot be used."""


@dataclass(frozen=True)
class UnitInfo:
    """A budget unit: its code, name (most common spelling) and parent unit code."""

    code: str
    name: str | None
    parent: str | None
    other_names: tuple[str, ...] = ()


class Units(Mapping[str, UnitInfo]):
    """Every unit of a build by code; `.name(code)` is the one answer to "what is this unit called"."""

    def __init__(self, units: Mapping[str, UnitInfo]) -> None:
        self._units = dict(units)

    def __getitem__(self, code: str) -> UnitInfo:
        return self._units[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._units)

    def __len__(self) -> int:
        return len(self._units)

    def name(self, code: str | None) -> str | None:
        """The unit's name, None for an unknown code or a unit no table names."""
        info = self._units.get(code) if code else None
        return info.name if info else None

    def label(self, code: str | None) -> str:
        """The name for display: the name, else the code, else （无单位）."""
        return self.name(code) or code or "（无单位）"

    def names(self) -> dict[str, str]:
        """code → name for every named unit, sorted by code."""
        return {c: u.name for c, u in sorted(self._units.items()) if u.name}


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
    """Every unit code seen, with its name and parent.

    A unit's parent is the bureau of its group: units whose codes share all but the last three
    digits form a group, and its bureau is the member whose code ends in 001 and whose name ends
    with 局.
    """
    names: dict[str, Counter[str]] = defaultdict(Counter)
    for p in projects:
        if p.unit_code:
            names[p.unit_code][p.unit_name or ""] += 1
    override = _read_overrides(overrides) if overrides else {}
    codes = sorted(set(names) | set(override))

    def best(code: str) -> str | None:
        counted = [(n, c) for n, c in names.get(code, Counter()).items() if n]
        return sorted(counted, key=lambda nc: (-nc[1], nc[0]))[0][0] if counted else None

    bureaus: dict[str, str] = {}
    for code in codes:
        named = (override.get(code, (None, None))[0]) or best(code) or ""
        if len(code) > 3 and code.endswith("001") and named.endswith("局"):
            bureaus[code[:-3]] = code
    out: dict[str, UnitInfo] = {}
    for code in codes:
        o_name, o_parent = override.get(code, (None, None))
        parent = o_parent or (bureaus.get(code[:-3]) if len(code) > 3 else None)
        if parent == code:
            parent = None
        name = o_name or best(code)
        others = tuple(sorted(n for n in names.get(code, Counter()) if n and n != name))
        out[code] = UnitInfo(code, name, parent, others)
    for info in list(out.values()):
        if info.parent and info.parent not in out:
            out[info.parent] = UnitInfo(info.parent, None, None)
    return Units(out)


def write_units(units: Units, build_dir: Path) -> int:
    """Store a build's units (UNITS_FILE), atomically; how many."""
    path = build_dir / UNITS_FILE
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    data = {c: {"name": u.name, "parent": u.parent, "other_names": list(u.other_names)}
            for c, u in sorted(units.items())}
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    return len(units)


def read_units(build_dir: Path) -> Units:
    """The units a build derived; UnitsError names the file when it is missing or unreadable."""
    path = build_dir / UNITS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Units({c: UnitInfo(c, u["name"], u["parent"], tuple(u["other_names"])) for c, u in data.items()})
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise UnitsError(f"{path}: 单位数据不可读（{type(e).__name__}）；请运行 `python -m kg build`") from e
