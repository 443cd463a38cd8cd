"""The benchmark's view of the core: each stage through the public API, or Missing when it is not there.

Every function here either calls a public kg function or raises Missing with the reason, so the
harness runs while the core is still growing and fills in as modules land.
"""

from __future__ import annotations

import importlib
import inspect
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = [
    "Missing", "unlisted_steps", "GRAPH_STEPS", "INDEX_STEPS", "LINEAGE_STEPS", "run_steps", "current_build",
    "index_texts", "segment_floor", "QueryMix", "doc_lookup", "searcher", "trace_down", "trace_up",
    "history", "add_document",
]

GRAPH_STEPS = ("graph", "store")
INDEX_STEPS = ("search", "index")
LINEAGE_STEPS = ("lineage",)
_BRACKETS = ("〔〕", "[]", "【】", "﹝﹞", "（）")


class Missing(Exception):
    """A core module or function the stage needs does not exist (yet)."""


def _attr(module: str, *names: str) -> Any:
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        raise Missing(f"module missing: {e.name}") from e
    for name in names:
        if hasattr(mod, name):
            return getattr(mod, name)
    raise Missing(f"{module} has no {' / '.join(names)}")


def _call(fn: Callable[..., Any], settings: Any, *args: Any, **kwargs: Any) -> Any:
    """Call fn with settings where its signature takes them (first parameter or `settings=`)."""
    params = list(inspect.signature(fn).parameters)
    kwargs = {k: v for k, v in kwargs.items() if k in params or _has_var_kw(fn)}
    if params and params[0] in ("settings", "source", "settings_or_store"):
        return fn(settings, *args, **kwargs)
    if "settings" in params:
        return fn(*args, settings=settings, **kwargs)
    return fn(*args, **kwargs)


def _has_var_kw(fn: Callable[..., Any]) -> bool:
    return any(p.kind is p.VAR_KEYWORD for p in inspect.signature(fn).parameters.values())


def run_steps(corpus: Any, settings: Any) -> tuple[dict[str, float], dict[str, str]]:
    """Every step of kg.build.STEPS into a new build, published as `kg build` does.

    Returns (seconds per step that ran, error per step that failed): one failing step does not stop
    the others, so a core still being written is measured as far as it goes.
    """
    import json

    steps = _attr("kg.build", "STEPS")
    from kg.workspace import MANIFEST_FILE, Workspace

    ws = Workspace(settings.index_dir)
    out = ws.new_build()
    seconds: dict[str, float] = {}
    errors: dict[str, str] = {}
    counts: dict[str, Any] = {}
    for name, step in steps:
        t0 = time.perf_counter()
        try:
            counts[name] = step(corpus, out, settings) or {}
        except Exception as e:
            errors[name] = f"{type(e).__name__}: {e}"
            continue
        seconds[name] = time.perf_counter() - t0
    manifest = {"version": out.name.removesuffix(".partial"), "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "store": settings.store, "profile": settings.profile, "sources": [str(settings.data_dir)],
                "counts": counts, "seconds": seconds}
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, default=str), "utf-8")
    ws.publish(out)
    return seconds, errors


# Steps that exist in the core but are not (yet) listed in kg.build.STEPS: (name, module, function).
_UNLISTED_STEPS = (("search", "kg.search.indexing", "search_step"), ("lineage", "kg.lineage", "lineage_step"))


def unlisted_steps(corpus: Any, settings: Any, done: set[str]) -> dict[str, float]:
    """Run the core's build steps missing from kg.build.STEPS into a scratch directory; seconds each."""
    import tempfile

    out: dict[str, float] = {}
    for name, module, func in _UNLISTED_STEPS:
        if name in done:
            continue
        try:
            step = _attr(module, func)
        except Missing:
            continue
        with tempfile.TemporaryDirectory(dir=Path(settings.index_dir).parent) as tmp:
            t0 = time.perf_counter()
            step(corpus, Path(tmp), settings)
            out[name] = time.perf_counter() - t0
    return out


def current_build(settings: Any) -> Path:
    from kg.workspace import Workspace

    return Workspace(settings.index_dir).current


def index_texts(corpus: Any) -> tuple[list[str], str]:
    """The texts the search index segments, per project; and where that list comes from."""
    try:
        fn = _attr("kg.search.indexing", "index_texts", "project_texts")
        return [t for p in corpus.projects for t in fn(p) if t], "kg.search.indexing"
    except Missing:
        pass
    # kg.search.indexing.project_document segments these fields (title or name, name, purpose,
    # goals, indicator text, unit name); it exposes no function returning them, so they are mirrored.
    indicator_text = _attr("kg.search.indexing", "indicator_text")
    texts: list[str] = []
    for p in corpus.projects:
        texts += [p.title or p.project_name or "", p.project_name or "", p.purpose or "", *p.goals,
                  *map(indicator_text, p.indicators), p.unit_name or ""]
    return [t for t in texts if t], "mirrored from kg.search.indexing.project_document (no public text function)"


def segment_floor(texts: list[str]) -> float:
    """Seconds jieba takes to cut the texts (same user dictionary and mode as the analyzer; load excluded)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    words: tuple[str, ...] = ()
    fold: Callable[[str], str] = str
    try:
        config = _attr("kg.search.analysis", "AnalyzerConfig").default()
        words = (*config.words, *config.stopwords)
        fold = _attr("kg.search.analysis", "fold")
    except Missing:
        pass
    tk = jieba.Tokenizer()
    tk.FREQ, tk.total = tk.gen_pfdict(tk.get_dict_file())
    tk.initialized = True
    for w in words:
        tk.add_word(w)
    folded = [fold(t) for t in texts]
    t0 = time.perf_counter()
    for t in folded:
        for _ in tk.cut(t, HMM=False):
            pass
    return time.perf_counter() - t0


class QueryMix:
    """Fixed, seeded query lists drawn from the generated records (never from the sample)."""

    def __init__(self, expected: list[dict], meta: dict, rng: random.Random, n: int):
        self.n, self.rng, self.meta = n, rng, meta
        self.refs = sorted({r for e in expected for r in e["doc_refs"]})
        self.projects_ = [(e["year"], e["project_code"]) for e in expected]
        self.units = sorted({e["unit_code"] for e in expected})
        self.years = sorted({e["year"] for e in expected})
        self.names = sorted({e["name"] for e in expected if e["name"] and not e["doc_refs"]})

    def _doc_forms(self, canonical: str) -> list[str]:
        issuer, rest = canonical.split("〔", 1)
        year, rest = rest.split("〕", 1)
        seq = rest.rstrip("号")
        o, c = self.rng.choice(_BRACKETS)
        return [canonical, f"{issuer}{o}{year}{c}{seq}号", f"{issuer}{year} {seq}", f"{issuer} {year}-{seq}",
                f"{seq}号"]

    def docs(self) -> list[str]:
        out = []
        while len(out) < self.n + 1:
            out.append(self.rng.choice(self._doc_forms(self.rng.choice(self.refs))))
        return out

    def searches(self) -> list[dict[str, Any]]:
        """Keywords, two-word phrases, 文号 forms, and filtered queries, in a fixed rotation."""
        words = ["就业补助", "养老保险", "县级配套", "公益性岗位", "办公经费", "满意度", "劳动监察", "职业技能培训",
                 "城乡居民", "社会保险补贴", "医疗救助", "优抚对象", "代办员", "创业担保贷款", "残疾人"]
        out: list[dict[str, Any]] = []
        kinds = ("word", "phrase", "name", "doc", "year", "unit")
        while len(out) < self.n + 1:
            kind = kinds[len(out) % len(kinds)]
            if kind == "word":
                out.append({"q": self.rng.choice(words)})
            elif kind == "phrase":
                out.append({"q": " ".join(self.rng.sample(words, 2))})
            elif kind == "name":
                out.append({"q": self.rng.choice(self.names) if self.names else words[0]})
            elif kind == "doc":
                out.append({"q": self.rng.choice(self._doc_forms(self.rng.choice(self.refs)))})
            elif kind == "year":
                out.append({"q": self.rng.choice(words), "year": self.rng.choice(self.years)})
            else:
                out.append({"q": self.rng.choice(words), "unit": self.rng.choice(self.units)})
        return out

    def widest(self) -> list[str]:
        return [self.meta["widest_notice"]] * (self.n + 1)

    def projects(self) -> list[tuple[int, str]]:
        return [self.rng.choice(self.projects_) for _ in range(self.n + 1)]


def doc_lookup(settings: Any) -> Callable[[str], Any]:
    """Lookups against a store opened once, as the UI and a long-running CLI hold it."""
    fn = _attr("kg.doccard", "lookup_document")
    store = _attr("kg.store", "open_store")(settings)
    return lambda q: _lookup_or_none(fn, store, q)


def _lookup_or_none(fn: Callable[..., Any], store: Any, q: str) -> Any:
    from ingest.errors import DocNumberError

    try:
        return fn(store, q)
    except DocNumberError:  # a partial form the parser does not take as a 文号 query is still timed
        return None


def searcher(settings: Any) -> Callable[[dict[str, Any]], Any]:
    fn = _attr("kg.search", "search", "search_projects")
    return lambda q: _call(fn, settings, q["q"], year=q.get("year"), unit=q.get("unit"), limit=10)


def _lineage_fn(name: str, settings: Any) -> Callable[..., Any]:
    fn = _attr("kg.lineage", name)
    first = next(iter(inspect.signature(fn).parameters), "")
    if first in ("lineage", "view", "graph", "lin"):
        view = _call(_attr("kg.lineage", "load_lineage", "open_lineage", "lineage_view"), settings)
        return lambda *a: fn(view, *a)
    return lambda *a: _call(fn, settings, *a)


def trace_down(settings: Any) -> Callable[[str], Any]:
    return _lineage_fn("trace_down", settings)


def trace_up(settings: Any) -> Callable[[tuple[int, str]], Any]:
    fn = _lineage_fn("trace_up", settings)
    return lambda yc: fn(yc[1])


def history(settings: Any) -> Callable[[tuple[int, str]], Any]:
    fn = _lineage_fn("history", settings)
    return lambda yc: fn(yc[1])


def add_document(settings: Any, path: Path) -> float:
    """Seconds to add one new source document to the published build (graph + index), incrementally."""
    fn = _attr("kg.build", "add_sources", "add_document", "update", "build_incremental")
    t0 = time.perf_counter()
    _call(fn, settings, [path])
    return time.perf_counter() - t0
