"""The benchmark's view of the core: each stage through the public API, as the CLI and the UI call it.

    build_corpus(settings, src, progress)   kg.build.build: parse + every step of kg.build.STEPS
    segment_rates(projects, config)         jieba and rjieba over exactly kg.search.indexing.index_texts
    QueryMix(expected, meta, themes, rng, n)   fixed, seeded queries drawn from the generated records
    Readers(settings)                       store, search index and lineage opened once, as a server holds them
    add_document(settings, path)            kg.build.add_sources with one new document
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

__all__ = [
    "build_corpus", "current_build", "floor_texts", "index_config", "index_alone", "segment_rates", "QueryMix",
    "Readers", "add_document",
]

_BRACKETS = ("〔〕", "[]", "【】", "﹝﹞", "（）")
# Words every generated corpus uses (the generator draws on the sample's vocabulary, bench/vocab.json).
_WORDS = ("就业补助", "养老保险", "县级配套", "公益性岗位", "办公经费", "满意度", "劳动监察", "职业技能培训",
          "城乡居民", "社会保险补贴", "医疗救助", "优抚对象", "代办员", "创业担保贷款", "残疾人", "参保率")


def build_corpus(settings: Any, src: Path, progress: Any = None) -> Any:
    """`kg build` of the corpus directory into settings.index_dir (published); the BuildReport."""
    from kg.build import build

    return build(settings, [src], progress)


def current_build(settings: Any) -> Path:
    from kg.workspace import Workspace

    return Workspace(settings.index_dir).current


def floor_texts(projects: list[Any]) -> list[str]:
    """The texts the search index segments: every value of kg.search.indexing.index_texts, per project."""
    from kg.search.indexing import index_texts

    return [t for p in projects for t in index_texts(p).values() if t]


def index_config(build_dir: Path) -> Any:
    """The analyzer configuration a built index saved (search/analyzer.json): its dictionary."""
    from kg.search.analysis import AnalyzerConfig
    from kg.search.indexing import ANALYZER_FILE, SEARCH_DIR

    return AnalyzerConfig.load(build_dir / SEARCH_DIR / ANALYZER_FILE)


def segment_rates(projects: list[Any], config: Any) -> dict[str, Any]:
    """Seconds each segmenter takes to cut the index texts once (folded as the analyzer folds them),
    with the index's dictionary (index_config); dictionary load excluded."""
    from kg.search.analysis import Analyzer

    texts = floor_texts(projects)
    out: dict[str, Any] = {"segment_texts": len(texts), "segment_chars": sum(map(len, texts))}
    for engine in ("rjieba", "jieba"):
        t0 = time.perf_counter()
        analyzer = Analyzer(config, engine)
        out[f"segment_{engine}_load_s"] = round(time.perf_counter() - t0, 3)
        folded = [analyzer.fold(t) for t in texts]
        cut = analyzer.segmenter.cut
        tokens = 0
        t0 = time.perf_counter()
        for t in folded:
            tokens += len(cut(t))
        s = time.perf_counter() - t0
        out[f"segment_{engine}_s"] = round(s, 3)
        out[f"segment_{engine}_tokens"] = tokens
        out[f"segment_{engine}_mchars_per_s"] = round(out["segment_chars"] / s / 1e6, 2) if s else None
    out["segment_floor_s"] = out["segment_rjieba_s"]  # the fastest segmenter of the same text
    return out


def index_alone(projects: list[Any], settings: Any, work: Path) -> float:
    """Seconds to build the search index of these projects again, on its own.

    In `kg build` the index step runs while Oxigraph loads in the background, so its seconds there
    measure the machine's sharing more than the index; this is the same call (kg.search.build_index
    with the units, themes and regions a build derives first, outside the timing).
    """
    import shutil

    from ingest.regions import RegionIndex
    from kg.rdf.iri import project_key
    from kg.search.indexing import build_index
    from kg.themes import load_themes, tag_project
    from kg.units import derive_units

    units, vocabulary, regions = derive_units(projects), load_themes(), RegionIndex.load()
    themes = {project_key(p): tuple(tag_project(p, vocabulary)) for p in projects}
    out = work / "index-alone"
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    build_index(projects, out, settings, units=units, themes=themes, regions=regions)
    seconds = time.perf_counter() - t0
    shutil.rmtree(out, ignore_errors=True)
    return seconds


def _doc_forms(rng: random.Random, canonical: str) -> dict[str, str]:
    issuer, rest = canonical.split("〔", 1)
    year, rest = rest.split("〕", 1)
    seq = rest.rstrip("号")
    pair = rng.choice(_BRACKETS)  # opening and closing bracket
    o, c = pair[0], pair[1]
    return {"canonical": canonical, "bracket": f"{issuer}{o}{year}{c}{seq}号", "spaced": f"{issuer}{year} {seq}",
            "dashed": f"{issuer} {year}-{seq}", "serial": f"{seq}号"}


@dataclass
class QueryMix:
    """Fixed, seeded query lists drawn from the generated records (never from the sample).

    Search rotates through eight kinds: one keyword, two keywords, a project name (a phrase), a 文号
    in a random spelling, a bare serial ("85号"), and a keyword filtered by year, by unit, or by
    theme + amount range.
    """

    expected: list[dict]
    meta: dict
    themes: list[str]
    rng: random.Random
    n: int
    refs: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.refs = sorted({r for e in self.expected for r in e["doc_refs"]})
        self.projects_ = [(e["year"], e["project_code"]) for e in self.expected]
        self.units = sorted({e["unit_code"] for e in self.expected})
        self.years = sorted({e["year"] for e in self.expected})
        self.names = sorted({e["name"] for e in self.expected if e["name"] and not e["doc_refs"]})

    def docs(self) -> list[tuple[str, str]]:
        """(kind, text): exact 文号 in four spellings and bare serials, one in five each."""
        out: list[tuple[str, str]] = []
        while len(out) < self.n:
            forms = _doc_forms(self.rng, self.rng.choice(self.refs))
            kind = ("canonical", "bracket", "spaced", "dashed", "serial")[len(out) % 5]
            out.append((kind, forms[kind]))
        return out

    def searches(self) -> list[tuple[str, dict[str, Any]]]:
        """(kind, keyword arguments of SearchIndex.search)."""
        kinds = ("word", "phrase", "name", "doc", "serial", "year", "unit", "theme_amount")
        out: list[tuple[str, dict[str, Any]]] = []
        rng = self.rng
        while len(out) < self.n:
            kind = kinds[len(out) % len(kinds)]
            word = rng.choice(_WORDS)
            if kind == "word":
                q: dict[str, Any] = {"query": word}
            elif kind == "phrase":
                q = {"query": " ".join(rng.sample(_WORDS, 2))}
            elif kind == "name":
                q = {"query": rng.choice(self.names) if self.names else word}
            elif kind == "doc":
                q = {"query": _doc_forms(rng, rng.choice(self.refs))[rng.choice(("bracket", "spaced", "dashed"))]}
            elif kind == "serial":
                q = {"query": _doc_forms(rng, rng.choice(self.refs))["serial"]}
            elif kind == "year":
                q = {"query": word, "year": rng.choice(self.years)}
            elif kind == "unit":
                q = {"query": word, "unit": rng.choice(self.units)}
            else:
                q = {"query": word, "theme": rng.choice(self.themes) if self.themes else None,
                     "amount_min": Decimal(rng.choice((1, 10, 50))), "amount_max": Decimal(1000)}
            out.append((kind, q))
        return out

    def widest(self) -> list[str]:
        return [self.meta["widest_notice"]] * self.n

    def projects(self) -> list[tuple[int, str]]:
        return [self.rng.choice(self.projects_) for _ in range(self.n)]


class Readers:
    """The store, the search index, the lineage and the 文号 cards of the published build, opened once
    through kg.published.Build (each timed)."""

    def __init__(self, settings: Any):
        from kg.published import Build

        self.build = Build.open(settings)
        self.open_s: dict[str, float] = {}
        for name in ("store", "search", "lineage", "cards"):
            t0 = time.perf_counter()
            getattr(self.build, name)
            self.open_s["index" if name == "search" else name] = time.perf_counter() - t0
        self.store, self.index, self.lineage = self.build.store, self.build.search, self.build.lineage

    def doc(self, text: str) -> Any:
        from ingest.errors import DocNumberError

        try:
            return self.build.cards.lookup(text)
        except DocNumberError:  # a spelling the parser does not take as a 文号 query is still timed
            return None

    def search(self, q: dict[str, Any]) -> Any:
        return self.index.search(**q)

    def trace_down(self, doc: str) -> Any:
        return self.lineage.trace_down(doc)

    def trace_up(self, yc: tuple[int, str]) -> Any:
        return self.lineage.trace_up(yc[1], year=yc[0])

    def history(self, yc: tuple[int, str]) -> Any:
        return self.lineage.history(yc[1], year=yc[0])

    def close(self) -> None:
        self.build.close()


def add_document(settings: Any, path: Path) -> tuple[float, dict[str, Any]]:
    """Seconds to add one new source document to the published build, and what add_sources did."""
    from kg.build import add_sources

    t0 = time.perf_counter()
    report = add_sources(settings, [path])
    return time.perf_counter() - t0, dict(report.counts.get("add", {}))
