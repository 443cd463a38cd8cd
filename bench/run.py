"""`python -m bench.run --projects N`: every stage of hrss-kg measured on one synthetic corpus, in one run.

    python -m bench.run --projects 10000 [--store memory|oxigraph] [--profile small|large]

Generates the corpus (or reuses the one cached under /tmp for the same N, seed and generator), then
measures: parse (kg.corpus.load_corpus) and its check against the generated records; each build step of
kg.build.STEPS (graph/store, search index, lineage …) into a fresh workspace; the segmentation floor
(jieba over exactly the text the index receives); doc-number lookup, search, trace down from the widest
notice, trace up and history (p50/p95/p99 over --queries queries each); peak RSS; disk size; adding one
new document against the full rebuild. A stage whose core module is not there yet is reported as
"n/a (…)" instead of failing. Prints a table and writes flat JSON to --out.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import random
import resource
import shutil
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import probes
from bench.check import check_records
from bench.generate import PLACES_FILE, generate, load_expected
from bench.vocab import VOCAB_FILE

__all__ = ["CACHE_ROOT", "RESULTS_DIR", "corpus_dir", "ensure_corpus", "percentiles", "run", "main"]

CACHE_ROOT = Path("/tmp/hrss-bench")
RESULTS_DIR = Path(__file__).resolve().parent / "results"
_SRC = Path(__file__).resolve().parent


def _generator_version() -> str:
    """A short hash of the generator and its data: a cached corpus is reused only when it matches."""
    h = hashlib.sha256()
    for p in (_SRC / "generate.py", VOCAB_FILE, PLACES_FILE):
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def corpus_dir(projects: int, seed: int, root: Path = CACHE_ROOT) -> Path:
    return root / f"corpus-{projects}-s{seed}-{_generator_version()}"


def ensure_corpus(projects: int, seed: int, root: Path = CACHE_ROOT) -> tuple[Path, dict[str, Any], float]:
    """(directory, corpus.json, generation seconds — 0 when reused) for a cached or new corpus."""
    out = corpus_dir(projects, seed, root)
    meta_file = out / "corpus.json"
    if meta_file.exists():
        return out, json.loads(meta_file.read_text(encoding="utf-8")), 0.0
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    g = generate(projects, seed, tmp)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    meta = json.loads((out / "corpus.json").read_text(encoding="utf-8"))
    meta["out"] = str(out)
    return out, meta, g.seconds


def percentiles(ms: list[float]) -> dict[str, float]:
    """p50/p95/p99 (nearest rank) of latencies in milliseconds."""
    if not ms:
        return {}
    s = sorted(ms)

    def at(q: float) -> float:
        return round(s[min(len(s) - 1, max(0, int(round(q * len(s) + 0.5)) - 1))], 3)

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "mean": round(statistics.fmean(s), 3)}


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _du_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 2)


def _timed_queries(fn: Callable[[Any], Any], queries: list[Any]) -> tuple[dict[str, float], int]:
    """Latency percentiles over the queries (the first call, which warms caches, is timed apart)."""
    ms: list[float] = []
    first = None
    for q in queries:
        t0 = time.perf_counter()
        fn(q)
        dt = (time.perf_counter() - t0) * 1000
        if first is None:
            first = dt
        else:
            ms.append(dt)
    out = percentiles(ms)
    out["first"] = round(first or 0.0, 3)
    return out, len(queries)


class _Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.r: dict[str, Any] = {"projects": args.projects}
        self.notes: list[str] = []
        self.failures: list[str] = []  # correctness: parsed != generated (exit status 1)
        self.errors: list[str] = []  # a stage that raised: reported, the other stages still run

    def na(self, key: str, why: str) -> None:
        self.r[key] = None
        self.r.setdefault("not_available", {})[key] = why

    def stage(self, keys: str | tuple[str, ...], fn: Callable[[], None]) -> None:
        """Run one stage; a missing module or an error marks its keys n/a instead of stopping."""
        try:
            fn()
        except probes.Missing as e:
            for k in (keys,) if isinstance(keys, str) else keys:
                self.na(k, f"n/a ({e})")
        except Exception as e:  # a stage failing must not hide the others' figures
            for k in (keys,) if isinstance(keys, str) else keys:
                self.na(k, f"n/a (error: {type(e).__name__}: {str(e)[:100]})")
            self.errors.append(f"{keys}: {type(e).__name__}: {e}")
            if self.args.verbose:
                traceback.print_exc()


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run the benchmark; returns the flat result dictionary (also printed and written)."""
    from kg.corpus import load_corpus
    from kg.settings import load_settings

    b = _Bench(args)
    r = b.r
    r.update({"seed": args.seed, "store": args.store, "profile": args.profile,
              "python": platform.python_version(), "cpus": _cpus(), "started": time.strftime("%Y-%m-%dT%H:%M:%S")})
    src, meta, gen_s = ensure_corpus(args.projects, args.seed, args.cache)
    r.update({"generate_s": round(gen_s, 3), "corpus_dir": str(src), "files": meta["files"],
              "corpus_mb": _du_mb(src), "widest_notice": meta["widest_notice"],
              "widest_notice_projects": meta["widest_count"]})

    work = args.cache / f"work-{args.projects}-s{args.seed}-{args.store}-{args.profile}"
    shutil.rmtree(work, ignore_errors=True)
    settings = load_settings(index_dir=work / "indexes", data_dir=src, store=args.store, profile=args.profile)
    t0 = time.perf_counter()
    corpus = load_corpus([src])
    r["parse_s"] = round(time.perf_counter() - t0, 3)
    r["parsed_projects"] = len(corpus.projects)
    expected = load_expected(src)
    check = check_records(expected, corpus.projects)
    r["check_ok"] = check.ok
    r["check_mismatches"] = len(check.mismatches)
    if not check.ok:
        b.failures.append(f"parsed != generated: {check.expected} expected, {check.parsed} parsed, "
                          f"{len(check.mismatches)} mismatches")
        b.failures.extend(f"  {m}" for m in check.mismatches[:20])
    if args.parse_only:
        r["peak_rss_mb"] = _peak_rss_mb()
        return _finish(b)

    build_s: dict[str, float] = {}
    try:  # `kg build`'s steps one by one, so that one failing step does not hide the others
        build_s, step_errors = probes.run_steps(corpus, settings)
    except Exception as e:
        step_errors = {"build": f"{type(e).__name__}: {e}"}
    for name, err in step_errors.items():
        b.errors.append(f"build step {name} failed: {err}")
    try:
        unlisted = probes.unlisted_steps(corpus, settings, set(build_s))
    except Exception as e:
        unlisted = {}
        b.errors.append(f"unlisted build step failed: {type(e).__name__}: {e}")
    if unlisted:
        r["steps_not_in_kg_build"] = sorted(unlisted)
        build_s.update(unlisted)
    for name, s in build_s.items():
        r[f"step_{name}_s"] = round(s, 3)
    for key, names in (("graph_build_s", probes.GRAPH_STEPS), ("index_build_s", probes.INDEX_STEPS),
                       ("lineage_build_s", probes.LINEAGE_STEPS)):
        hit = [build_s[n] for n in build_s if n in names]
        failed = [n for n in step_errors if n in names]
        if hit:
            r[key] = round(sum(hit), 3)
        elif failed:
            b.na(key, f"n/a (step {failed[0]} failed: {step_errors[failed[0]][:80]})")
        else:
            b.na(key, f"n/a (no {'/'.join(names)} step in kg.build.STEPS yet)")
    if build_s and not step_errors:
        r["full_rebuild_s"] = round(r["parse_s"] + sum(build_s.values()), 3)
        r["disk_mb"] = _du_mb(probes.current_build(settings))
    else:
        b.na("full_rebuild_s", "n/a (a build step failed)")
        b.na("disk_mb", "n/a (a build step failed)")
    r["rss_after_build_mb"] = _peak_rss_mb()

    def floor() -> None:
        texts, source = probes.index_texts(corpus)
        r["segment_text_source"] = source
        r["segment_chars"] = sum(len(t) for t in texts)
        r["segment_floor_s"] = round(probes.segment_floor(texts), 3)
        if isinstance(r.get("index_build_s"), float) and r["segment_floor_s"]:
            r["index_vs_floor"] = round(r["index_build_s"] / r["segment_floor_s"], 2)

    b.stage("segment_floor_s", floor)

    rng = random.Random(args.seed)
    mix = probes.QueryMix(expected, meta, rng, args.queries)

    def timed(key: str, make: Callable[[], Callable[[Any], Any]], queries: list[Any]) -> None:
        fn = make()
        stats, n = _timed_queries(fn, queries)
        for k, v in stats.items():
            r[f"{key}_{k}_ms"] = v
        r[f"{key}_queries"] = n

    b.stage(("doc_p95_ms",), lambda: timed("doc", lambda: probes.doc_lookup(settings), mix.docs()))
    b.stage(("search_p50_ms", "search_p95_ms"),
            lambda: timed("search", lambda: probes.searcher(settings), mix.searches()))
    b.stage(("trace_p95_ms",), lambda: timed("trace", lambda: probes.trace_down(settings), mix.widest()))
    b.stage(("trace_up_p95_ms",), lambda: timed("trace_up", lambda: probes.trace_up(settings), mix.projects()))
    b.stage(("history_p95_ms",), lambda: timed("history", lambda: probes.history(settings), mix.projects()))

    def incremental() -> None:
        extra = work / "extra"
        generate(30, args.seed + 7919, extra)
        doc = sorted(extra.glob("*.txt"))[0]
        r["incremental_add_s"] = round(probes.add_document(settings, doc), 3)
        if r.get("full_rebuild_s"):
            r["incremental_vs_rebuild"] = round(r["incremental_add_s"] / r["full_rebuild_s"], 4)

    b.stage("incremental_add_s", incremental)
    r["peak_rss_mb"] = _peak_rss_mb()
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return _finish(b)


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


_TABLE = (
    ("projects", ""), ("files", ""), ("generate_s", "s"), ("parse_s", "s"), ("check_ok", ""),
    ("graph_build_s", "s"), ("index_build_s", "s"), ("lineage_build_s", "s"), ("segment_floor_s", "s"),
    ("index_vs_floor", "×"), ("full_rebuild_s", "s"), ("doc_p95_ms", "ms"), ("search_p50_ms", "ms"),
    ("search_p95_ms", "ms"), ("search_p99_ms", "ms"), ("trace_p95_ms", "ms"), ("trace_up_p95_ms", "ms"),
    ("history_p95_ms", "ms"), ("incremental_add_s", "s"), ("peak_rss_mb", "MB"), ("disk_mb", "MB"),
)


def _finish(b: _Bench) -> dict[str, Any]:
    r = b.r
    r["failures"] = b.failures
    r["stage_errors"] = b.errors
    return r


def print_table(r: dict[str, Any], out=None) -> None:
    """The figures as an aligned two-column table; n/a stages with their reason."""
    out = out or sys.stdout
    na = r.get("not_available", {})
    print(f"hrss-kg benchmark: {r['projects']} projects, store {r['store']}, profile {r['profile']}, "
          f"{r['cpus']} CPUs", file=out)
    for key, unit in _TABLE:
        if key in na:
            value = na[key]
        elif key in r:
            value = f"{r[key]} {unit}".strip()
        else:
            continue
        print(f"  {key:<20} {value}", file=out)
    if r.get("widest_notice"):
        print(f"  widest notice        {r['widest_notice']} ({r['widest_notice_projects']} projects)", file=out)
    for e in r.get("stage_errors", []):
        print(f"ERROR: {e}", file=out)
    for f in r.get("failures", []):
        print(f"FAILURE: {f}" if not f.startswith("  ") else f, file=out)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    ap.add_argument("--projects", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--store", default="memory", help="memory | oxigraph | a SPARQL endpoint URL")
    ap.add_argument("--profile", default="small", choices=("small", "large"))
    ap.add_argument("--queries", type=int, default=200, help="queries per kind (at least 200 for p99)")
    ap.add_argument("--out", type=Path, default=RESULTS_DIR, help="directory for the JSON results")
    ap.add_argument("--cache", type=Path, default=CACHE_ROOT, help="generated corpora and work directories")
    ap.add_argument("--parse-only", action="store_true", help="generate, parse and check; no build")
    ap.add_argument("--keep", action="store_true", help="keep the built indexes under --cache")
    ap.add_argument("-v", "--verbose", action="store_true", help="print tracebacks of failing stages")
    args = ap.parse_args(argv)
    r = run(args)
    print_table(r)
    args.out.mkdir(parents=True, exist_ok=True)
    name = f"{args.projects}-{args.store if '://' not in args.store else 'endpoint'}-{args.profile}"
    name += "-parse" if args.parse_only else ""
    path = args.out / f"{name}.json"
    path.write_text(json.dumps(r, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    print(f"written {path}")
    if r["failures"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
