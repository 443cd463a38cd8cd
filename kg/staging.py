"""`kg add` on Oxigraph: the published store copied with `Store.backup`, then only what changed applied.

What a project states on its own (its amounts, indicators, plan, mentions, themes) never changes when
other projects are added, so the copy keeps it and gets the new projects' own triples. What relates
projects — units and their names, documents and issuers, the lineage (fund classes, allocations,
cross-year links) and the findings — is derived again in the new build context and compared with the
relating lines the published build wrote (RELATING_FILE): only the difference is removed and added.
The result holds the same triples as a full build of the same sources (a test holds them equal); a
fact's source lines are its own properties, so they go with it. The published store is only read.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.atomic import replaced, write_text
from kg.rdf.ntriples import chunks
from kg.store import GRAPH_INFO_FILE, OXIGRAPH_DIR

__all__ = ["RELATING_FILE", "can_stage", "stage_oxigraph", "write_relating"]


RELATING_FILE = "relating.nt.gz"  # the relating lines of a build, as written, for the next addition
_LOAD_CHUNK = 250_000


def write_relating(lines: Iterable[str], out: Path) -> Iterator[str]:
    """Pass the relating lines through, keeping a copy in the build (RELATING_FILE)."""
    with replaced(out / RELATING_FILE) as raw, gzip.open(raw, "wt", encoding="utf-8", compresslevel=1) as f:
        for line in lines:
            f.write(line)
            yield line


def _read_relating(base: Path) -> set[str]:
    with gzip.open(base / RELATING_FILE, "rt", encoding="utf-8") as f:
        return set(f)


def can_stage(base: Path | None, store: str) -> bool:
    """True when an addition can be staged on a copy of the published build's Oxigraph store."""
    if base is None or store != "oxigraph" or not (base / RELATING_FILE).is_file():
        return False
    try:
        info = json.loads((base / GRAPH_INFO_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(info, dict) and info.get("backend") == "oxigraph"


def stage_oxigraph(base: Path, out: Path, relating: Iterable[str], own: Iterable[str]) -> dict[str, Any]:
    """Copy the published store into `out`, apply the change in its relating triples (as the published
    build wrote them, RELATING_FILE, against the new ones) and add the new own triples."""
    source = ox.Store.read_only(str(base / OXIGRAPH_DIR))
    source.backup(str(out / OXIGRAPH_DIR))
    del source
    held = _read_relating(base)
    wanted = set(write_relating(relating, out))
    stale = sorted(held - wanted)
    fresh = sorted(wanted - held)
    db = ox.Store(str(out / OXIGRAPH_DIR))
    for chunk in chunks(stale, _LOAD_CHUNK):
        for t in ox.parse(chunk, format=ox.RdfFormat.N_TRIPLES):
            db.remove(ox.Quad(t.subject, t.predicate, t.object))
    for chunk in chunks([*fresh, *own], _LOAD_CHUNK):
        db.bulk_load(chunk, format=ox.RdfFormat.N_TRIPLES)
    db.flush()
    info = {"triples": len(db), "backend": "oxigraph", "dir": OXIGRAPH_DIR, "staged_from": base.name,
            "removed": len(stale), "written": len(fresh)}
    del db
    write_text(out / GRAPH_INFO_FILE, json.dumps(info, ensure_ascii=False, indent=1))
    return info
