"""Projects → search documents → an index directory (built beside the old one, then swapped in).

The engine comes from the settings' profile (whoosh for "small", tantivy for "large"); meta.json in the
index directory records which one built it, so readers open it with the same engine. An existing
index is updated in place with add_to_index / delete_from_index.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from ingest.docnumber import DocNumber, known_issuers
from ingest.errors import DocNumberError
from ingest.records import Indicator, Project
from ingest.regions import RegionIndex
from kg.atomic import write_text
from kg.rdf.iri import ProjectKey, UnitKey, project_key as record_key
from kg.search.analysis import Analyzer, AnalyzerConfig, get_analyzer
from kg.search.backend import IndexDoc, SearchBackend, SearchError, backend_class, unit_term
from kg.settings import Settings
from kg.themes import Theme, load_themes, tag_project
from kg.units import Units, derive_units

ThemesOf = Callable[[Project], Iterable[Theme]]

__all__ = [
    "SEARCH_DIR",
    "META_FILE",
    "ANALYZER_FILE",
    "DEFAULT_BACKEND",
    "build_index",
    "add_to_index",
    "stage_index",
    "delete_from_index",
    "index_texts",
    "project_key",
    "project_document",
]

SEARCH_DIR = "search"
META_FILE = "meta.json"
ANALYZER_FILE = "analyzer.json"
INDEX_SUBDIR = "index"
DEFAULT_BACKEND = "whoosh"
_PAYLOAD = json.JSONEncoder(ensure_ascii=False)  # one encoder for every document (json.dumps makes one per call)


def project_key(p: Project) -> str:
    """The document key of a project: region, year and 项目编码 (file and line when the code is
    missing), so a same-code project of another region is another document."""
    ident = p.project_code or f"{p.span.file}:{p.span.first_line}"
    return f"{p.region_code or '-'}|{p.year if p.year is not None else '-'}:{ident}"


def indicator_text(ind: Indicator) -> str:
    """The words of an indicator row that say what is measured: 三级指标, 指标内容 and a 指标值 that
    is words rather than a number (some tables put the description in the value column)."""
    return _indicator_text(ind.level3, ind.description, ind.value if ind.parsed is None else None)


@lru_cache(maxsize=1 << 16)  # indicator rows repeat their wording from table to table
def _indicator_text(*cells: str | None) -> str:
    parts: list[str] = []
    for cell in cells:
        if cell and (cell := cell.strip()) and cell not in parts:
            parts.append(cell)
    return "：".join(parts)


@lru_cache(maxsize=1 << 16)  # a corpus cites far fewer 文号 than it has projects
def _issuer(canonical: str) -> str | None:
    try:
        return DocNumber.parse(canonical).issuer
    except DocNumberError:
        return None


@lru_cache(maxsize=1 << 16)  # a county has a few hundred units and thousands of projects
def _unit_term(region: str, code: str) -> str:
    return unit_term(UnitKey(region, code))


def _field_texts(p: Project) -> dict[str, list[str]]:
    """The texts segmented for each text field of a project, one list item per source text."""
    # A heading without its title line: the project name stands for the title.
    title = p.title or p.project_name
    return {
        "title": [title] if title else [],
        "name": [p.project_name] if p.project_name else [],
        "purpose": [p.purpose] if p.purpose else [],
        "goals": [t for t in p.goals if t],
        "indicators": [t for t in map(indicator_text, p.indicators) if t],
        "unit_text": [p.unit_name] if p.unit_name else [],
    }


def index_texts(p: Project) -> dict[str, str]:
    """Exactly the text each segmented field of a project's search document receives.

    Several texts of one field (goals, indicator rows) are joined by a newline, where the segmenter
    cuts anyway: segmenting the joined text gives the same words as segmenting each text.
    """
    return {name: "\n".join(values) for name, values in _field_texts(p).items()}


def project_document(p: Project, analyzer: Analyzer, themes: list[tuple[str, str]],
                     unit_name: str | None = None, regions: tuple[str, ...] = (),
                     region_name: str | None = None) -> IndexDoc:
    """The search document of one project (each distinct text is segmented once, here).

    `unit_name` is the unit's one name (kg.units), shown with the hit; the name printed in this
    table is what the unit_text field is cut from. `regions` is the project's region and its
    parents (the region filter and facet), `region_name` its name.
    """
    shown_unit = unit_name or p.unit_name
    doc_numbers = p.doc_numbers
    basis = tuple(dict.fromkeys(r.canonical for r in p.basis_refs if r.canonical not in doc_numbers))
    issuers = tuple(dict.fromkeys(i for i in map(_issuer, (*doc_numbers, *basis)) if i))
    fields = _field_texts(p)
    title = fields["title"][0] if fields["title"] else None
    goals = fields["goals"]
    indicators = fields["indicators"]
    meta_words = [str(p.year) if p.year else "", p.project_code or "", p.unit_code or "", *issuers]
    # Each distinct text's terms are joined once (the analyzer remembers the line), a field's lines here.
    line_of = analyzer.index_line_of
    terms: dict[str, str] = {
        name: " ".join(filter(None, map(line_of, values))) for name, values in fields.items()
    }
    terms["meta"] = " ".join(w for w in (analyzer.fold(w) for w in meta_words if w) if " " not in w)
    payload = {
        "year": p.year,
        "project_code": p.project_code,
        "project_name": p.project_name,
        "title": p.title,
        "unit_code": p.unit_code,
        "unit_name": shown_unit,
        "region_code": p.region_code,
        "region_name": region_name,
        "budget_wan": format(p.budget_wan, "f") if p.budget_wan is not None else None,
        "doc_refs": list(doc_numbers),
        "basis_refs": list(basis),
        "themes": [list(t) for t in themes],
        "source": [p.span.file, p.span.first_line, p.span.last_line],
        "texts": {"title": title, "project_name": p.project_name, "purpose": p.purpose,
                  "goals": goals, "indicators": indicators, "unit_name": p.unit_name},
    }
    unit = _unit_term(p.region_code or "", p.unit_code) if p.unit_code else None
    return IndexDoc(
        key=project_key(p), kind="project", year=p.year, unit=unit, unit_name=shown_unit,
        amount_wan=p.budget_wan, doc_numbers=doc_numbers,
        basis_numbers=basis, issuers=issuers, themes=tuple(t for t, _ in themes), terms=terms,
        payload=_PAYLOAD.encode(payload), regions=regions,
    )


def _swap_in(tmp: Path, out_dir: Path) -> None:
    """Replace out_dir by tmp; a reader holding the old files keeps reading them."""
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}-{time.time_ns()}")
        out_dir.rename(old)
        tmp.rename(out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(out_dir)


def _documents(projects: Iterable[Project], analyzer: Analyzer, themes_of: ThemesOf, units: Units,
               themes: dict[str, str], regions: dict[str, str],
               index: RegionIndex | None = None) -> Iterator[IndexDoc]:
    """Search documents, streamed to the engine; the themes and regions (code → name) met are
    collected into `themes` and `regions`. `index` names the regions (default RegionIndex.load())."""
    index = index or RegionIndex.load()
    chains: dict[str, tuple[str, ...]] = {}
    for p in projects:
        tagged = [(t.id, t.label) for t in themes_of(p)]
        themes.update(tagged)
        code = p.region_code or ""
        if code not in chains:
            chains[code] = (code, *index.parents(code)) if code in index else ((code,) if code else ())
            for c in chains[code]:
                regions[c] = index.name(c) or c
        yield project_document(p, analyzer, tagged, units.name(p.unit_code, code), chains[code],
                               regions.get(code))


def _tagger(themes: Mapping[ProjectKey, tuple[Theme, ...]] | None) -> ThemesOf:
    """The build's themes per project when given, else the projects tagged here (kg.themes)."""
    if themes is not None:
        return lambda p: themes.get(record_key(p), ())
    vocabulary = load_themes()
    return lambda p: tag_project(p, vocabulary)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Replace the JSON file at `path` whole: a reader sees the old or the new file."""
    write_text(path, json.dumps(data, ensure_ascii=False, indent=1))


def _region_units(units: Units) -> list[list[str | None]]:
    """[region, code, name] of every unit: what the unit facet and filter read unit_term values by."""
    return [[key.region, key.code, info.name] for key, info in sorted(units.items())]


def _analyzer_config(projects: Sequence[Project], units: Units) -> AnalyzerConfig:
    """The segmenter's dictionary for these projects: unit names and issuers are words."""
    unit_words = set(units.names().values()) | {p.unit_name for p in projects if p.unit_name and not p.unit_code}
    issuers = {_issuer(r.canonical) for p in projects for r in (*p.doc_refs, *p.basis_refs)}
    return AnalyzerConfig.default([*sorted(unit_words), *sorted(known_issuers()),
                                   *sorted(i for i in issuers if i)])


def stage_index(projects: Sequence[Project], new: Sequence[Project], base: Path, out: Path,
                settings: Settings, units: Units,
                themes: Mapping[ProjectKey, tuple[Theme, ...]]) -> dict[str, Any] | None:
    """`kg add`: the published build's index copied into `out` and the new projects added to it —
    when that gives what a full build would: the same engine, the same dictionary and the same unit
    names. None otherwise (the caller builds the index whole)."""
    source = Path(base) / SEARCH_DIR
    try:
        meta = json.loads((source / META_FILE).read_text("utf-8"))
        stored = AnalyzerConfig.load(source / ANALYZER_FILE)
    except (OSError, ValueError, KeyError):
        return None
    if (meta.get("backend") != settings.search_backend or stored != _analyzer_config(projects, units)
            or any(units.name(code) != name for code, name in meta.get("units", {}).items())
            or "region_units" not in meta  # an index from before units were keyed by region
            or any(units.name(code, region) != name for region, code, name in meta["region_units"])):
        return None
    shutil.copytree(source, Path(out) / SEARCH_DIR)
    counts = add_to_index(new, out, settings, units=units, themes=themes)
    return {"documents": counts["documents"], "dictionary_words": len(stored.words),
            "themes": len(json.loads((Path(out) / SEARCH_DIR / META_FILE).read_text("utf-8"))["themes"]),
            "backend": counts["backend"], "segmenter": get_analyzer(stored).segmenter.name, "staged": True}


def build_index(projects: Iterable[Project], out_dir: Path, settings: Settings | None = None,
                backend: str | None = None, *, units: Units | None = None,
                themes: Mapping[ProjectKey, tuple[Theme, ...]] | None = None,
                regions: RegionIndex | None = None) -> dict[str, Any]:
    """Index projects into out_dir (built in a sibling directory, then swapped in); returns counts.

    The engine is `backend` when given, else the settings' profile's, else whoosh. `units`, `themes`
    and `regions` are the build's (kg.context); without them they are derived or loaded here.
    """
    backend = backend or (settings.search_backend if settings is not None else DEFAULT_BACKEND)
    projects = list(projects)
    units = units if units is not None else derive_units(projects)
    config = _analyzer_config(projects, units)
    analyzer = get_analyzer(config)
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.with_name(f".{out_dir.name}.tmp-{os.getpid()}-{time.time_ns()}")
    found: dict[str, str] = {}
    region_names: dict[str, str] = {}
    try:
        engine = backend_class(backend).create(tmp / INDEX_SUBDIR)
        try:
            n = engine.add(_documents(projects, analyzer, _tagger(themes), units, found, region_names,
                                      regions))
            engine.commit()
        finally:
            engine.close()
        config.save(tmp / ANALYZER_FILE)
        meta = {
            "backend": backend,
            "segmenter": analyzer.segmenter.name,
            "documents": n,
            "units": units.names(),
            "region_units": _region_units(units),
            "themes": dict(sorted(found.items())),
            "regions": dict(sorted(region_names.items())),
            "years": sorted({p.year for p in projects if p.year is not None}),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        _write_json(tmp / META_FILE, meta)
        _swap_in(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {"documents": n, "dictionary_words": len(config.words), "themes": len(found),
            "backend": backend, "segmenter": analyzer.segmenter.name}


def _open_for_update(build_dir: Path) -> tuple[Path, dict[str, Any], SearchBackend]:
    path = Path(build_dir) / SEARCH_DIR
    try:
        meta = json.loads((path / META_FILE).read_text("utf-8"))
    except (OSError, ValueError) as e:
        raise SearchError(f"{path}: no search index to update ({e})") from e
    return path, meta, backend_class(meta["backend"]).open(path / INDEX_SUBDIR)


def add_to_index(projects: Iterable[Project], build_dir: Path, settings: Settings | None = None, *,
                 units: Units | None = None,
                 themes: Mapping[ProjectKey, tuple[Theme, ...]] | None = None) -> dict[str, Any]:
    """Add projects to the search index of a build in place (a project with the same key is replaced).

    Readers keep searching meanwhile: the engine's commit is atomic and meta.json is replaced whole.
    The new texts are cut with the dictionary the index was built with (analyzer.json), so they and
    the queries agree; a unit name first seen here is not a dictionary word until a full rebuild.
    """
    projects = list(projects)
    path, meta, engine = _open_for_update(build_dir)
    analyzer = get_analyzer(AnalyzerConfig.load(path / ANALYZER_FILE))
    found: dict[str, str] = dict(meta.get("themes", {}))
    units = units if units is not None else derive_units(projects)
    regions: dict[str, str] = dict(meta.get("regions", {}))
    try:
        n = engine.add(_documents(projects, analyzer, _tagger(themes), units, found, regions))
        engine.commit()
        total = engine.count()
    finally:
        engine.close()
    known = {(r, c): n for r, c, n in [*_region_units(units), *meta.get("region_units", [])]}
    meta.update(
        documents=total,
        units=dict(sorted({**units.names(), **meta.get("units", {})}.items())),
        region_units=[[r, c, n] for (r, c), n in sorted(known.items())],
        themes=dict(sorted(found.items())),
        regions=dict(sorted(regions.items())),
        years=sorted(set(meta.get("years", [])) | {p.year for p in projects if p.year is not None}),
        updated_at=time.strftime("%Y-%m-%dT%H:%M:%S"),
    )
    _write_json(path / META_FILE, meta)
    return {"added": n, "documents": total, "backend": meta["backend"]}


def delete_from_index(keys: Iterable[str], build_dir: Path,
                      settings: Settings | None = None) -> dict[str, Any]:
    """Delete projects (by project_key, "region|year:项目编码") from the search index of a build in place."""
    path, meta, engine = _open_for_update(build_dir)
    try:
        n = engine.delete(keys)
        engine.commit()
        total = engine.count()
    finally:
        engine.close()
    meta.update(documents=total, updated_at=time.strftime("%Y-%m-%dT%H:%M:%S"))
    _write_json(path / META_FILE, meta)
    return {"deleted": n, "documents": total, "backend": meta["backend"]}
