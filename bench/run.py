"""`python -m bench.run --projects N`: every stage of hrss-kg measured on one synthetic corpus, in one run.

    python -m bench.run --projects 10000 --profile small                 # whoosh + rdflib memory store
    python -m bench.run --projects 100000 --profile large                # tantivy + Oxigraph
    python -m bench.run --projects 100000 --profile large --store serve  # `oxigraph serve` on 127.0.0.1
    python -m bench.run --projects 10000 --store http://127.0.0.1:7878   # a running SPARQL server

Generates the corpus (or reuses the one cached for the same N, seed and generator), then runs three
phases, each in a fresh process so that each one's peak memory is its own:

- build: `kg build` (kg.build.build: parse, then every step of kg.build.STEPS), the parsed records
  checked against the generated ones, disk size, and the segmentation floor — rjieba (and jieba, for
  comparison) over exactly the text the index receives (kg.search.indexing.index_texts);
- serve: store, search index and lineage opened once; doc-number lookup, search (a fixed mix of
  keywords, phrases, 文号 forms and filtered queries), trace down from the widest notice, trace up and
  history, --queries each, p50/p95/p99; then the 单位 and 年度对比 pages' models from the build's
  totals and the 项目 page's from its project index and one item (bench.region_pages, at most 2 s each);
- add: one new document added to the built corpus (kg.build.add_sources) against the full rebuild.

Peak RSS counts the process, its children and the SPARQL server when the benchmark started it. Prints
a table and writes flat JSON to --out (`<N>-<store>-<profile>.json`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
import traceback
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from bench.generate import PLACES_FILE, generate, load_expected
from bench.vocab import VOCAB_FILE

__all__ = ["CACHE_ROOT", "RESULTS_DIR", "corpus_dir", "ensure_corpus", "percentiles", "run", "main",
           "correctness_failures"]

CACHE_ROOT = Path("/tmp/hrss-bench")
RESULTS_DIR = Path(__file__).resolve().parent / "results"
_SRC = Path(__file__).resolve().parent
_ROOT = _SRC.parent
_OXIGRAPH_BIN = Path(sys.executable).parent / "oxigraph"
PHASES = ("build", "serve", "add")
_FLOOR_STAGE = "floor"  # the export and the floor's bulk load: fresh processes measured on their own


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
    return out, meta, g.seconds


def percentiles(ms: list[float]) -> dict[str, float]:
    """p50/p95/p99 (nearest rank) of latencies in milliseconds."""
    if not ms:
        return {}
    s = sorted(ms)

    def at(q: float) -> float:
        return round(s[min(len(s) - 1, max(0, int(round(q * len(s) + 0.5)) - 1))], 3)

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "mean": round(statistics.fmean(s), 3)}


def _du_mb(*paths: Path) -> float:
    return round(sum(f.stat().st_size for p in paths if p.exists() for f in p.rglob("*") if f.is_file())
                 / 2**20, 2)


def _store_kind(store: str) -> str:
    return "endpoint" if store == "serve" or "://" in store else store


def _timed(r: dict[str, Any], key: str, fn: Callable[[Any], Any], queries: Iterable[Any],
           kinds: Iterable[str] | None = None) -> list[Any]:
    """Time fn over the queries (one warm-up call first, timed apart as `<key>_first_ms`); percentiles
    overall and per kind of query. Returns the results."""
    queries = list(queries)
    kinds = list(kinds) if kinds is not None else None
    t0 = time.perf_counter()
    fn(queries[0])
    r[f"{key}_first_ms"] = round((time.perf_counter() - t0) * 1000, 3)
    ms: list[float] = []
    results = []
    for q in queries:
        t0 = time.perf_counter()
        results.append(fn(q))
        ms.append((time.perf_counter() - t0) * 1000)
    for k, v in percentiles(ms).items():
        r[f"{key}_{k}_ms"] = v
    r[f"{key}_queries"] = len(ms)
    if kinds:
        by_kind: dict[str, list[float]] = {}
        for kind, m in zip(kinds, ms):
            by_kind.setdefault(kind, []).append(m)
        r[f"{key}_p95_ms_by_kind"] = {k: percentiles(v)["p95"] for k, v in sorted(by_kind.items())}
    return results


# ---- phases (each runs in its own process) --------------------------------------------------------


def _settings(args: argparse.Namespace, src: Path) -> Any:
    from kg.settings import load_settings

    return load_settings(index_dir=args.work / "indexes", data_dir=src, store=args.store_url,
                         profile=args.profile)


def _cpu_seconds() -> float:
    """User + system seconds of this process and of its children that have ended (the parse pool)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def _phase_build(args: argparse.Namespace, src: Path, rss: Any) -> dict[str, Any]:
    from bench import probes
    from bench.check import check_records

    r: dict[str, Any] = {}
    shutil.rmtree(args.work / "indexes", ignore_errors=True)
    settings = _settings(args, src)
    rss.stage("parse")
    profiler = None
    if args.cprofile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    cpu0 = _cpu_seconds()
    report = probes.build_corpus(settings, src, rss.stage)
    r["build_cpu_s"] = round(_cpu_seconds() - cpu0, 2)
    r["cores"] = len(os.sched_getaffinity(0))
    if profiler is not None:
        profiler.disable()
        _write_profile(profiler, args)
    rss.stage("after-build")
    sec = report.seconds
    r["parse_s"] = round(sec["parse"], 3)
    for name, s in sec.items():
        if name != "parse":
            r[f"step_{name}_s"] = round(s, 3)
    r["graph_build_s"] = r.get("step_graph_s")
    r["index_build_s"] = r.get("step_search_s")
    r["lineage_s"] = r.get("step_lineage_s")
    r["audit_s"] = r.get("step_audit_s")
    r["full_build_s"] = round(sec["parse"] + sec.get("graph", 0) + sec.get("search", 0), 3)
    r["full_rebuild_s"] = round(sum(sec.values()), 3)
    r["triples"] = report.counts.get("graph", {}).get("triples")
    r["store_compact_s"] = report.counts.get("graph", {}).get("compact_s")
    r["search_backend"] = report.counts.get("search", {}).get("backend")
    r["segmenter"] = report.counts.get("search", {}).get("segmenter")
    corpus = report.corpus
    r["parsed_projects"] = len(corpus.projects)
    expected = load_expected(src)
    # regions are checked once the build gives the records their regions (ingest.placing)
    r["check_regions"] = bool(corpus.projects) and all(p.region_code for p in corpus.projects)
    check = check_records(expected, corpus.projects, regions=r["check_regions"])
    r["check_ok"] = check.ok
    r["check_mismatches"] = [str(m) for m in check.mismatches[:20]]
    r.update(_unit_checks(expected, corpus.projects, settings, r["check_regions"]))
    build_dir = probes.current_build(settings)
    r["disk_mb"] = _du_mb(build_dir, *([args.server_dir] if args.server_dir else []))
    rss.stage("segment")
    r.update(probes.segment_rates(corpus.projects, probes.index_config(build_dir)))
    if r["segment_floor_s"]:
        r["index_vs_floor"] = round(r["index_build_s"] / r["segment_floor_s"], 2)
    rss.stage("index-alone")
    r["index_alone_s"] = round(probes.index_alone(corpus.projects, settings, args.work), 3)
    if r["segment_floor_s"]:
        r["index_alone_vs_floor"] = round(r["index_alone_s"] / r["segment_floor_s"], 2)
    if args.floor_modes and _store_kind(args.store) == "oxigraph":
        from bench.targets import floor_and_export

        rss.stage(_FLOOR_STAGE)  # other processes: not the build's memory
        r.update(floor_and_export(args.work / "indexes", args.work, tuple(args.floor_modes)))
    return r


def _unit_checks(expected: list[dict], projects: list[Any], settings: Any, regions: bool) -> dict[str, Any]:
    """Units as generated (region, unit code) against the records' and the graph's: a graph unit holding
    projects of several counties fails the run (`graph_units_merged`)."""
    from bench.check import GRAPH_UNITS_SPARQL, check_graph_units, check_units, record_units
    from kg.store import open_store

    r: dict[str, Any] = {}
    if regions:
        records = check_units(expected, record_units(projects))
        r["record_units_ok"] = records.ok
    graph = check_graph_units(expected, open_store(settings).query(GRAPH_UNITS_SPARQL, limit=10**9).rows)
    r.update(units_expected=graph.expected, unit_codes=graph.bare_codes, graph_units=graph.found,
             graph_units_merged=len(graph.merged))
    return r


def _write_profile(profiler: Any, args: argparse.Namespace) -> None:
    import io
    import pstats

    buf = io.StringIO()
    stats = pstats.Stats(profiler, stream=buf)
    for order in ("cumulative", "tottime"):
        buf.write(f"\n==== build of {args.projects} projects ({args.profile}, {_store_kind(args.store)}), "
                  f"top 40 by {order} ====\n")
        stats.sort_stats(order).print_stats(40)
    name = f"{args.projects}-{_store_kind(args.store)}-{args.profile}-cprofile.txt"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / name).write_text(buf.getvalue(), encoding="utf-8")


def _phase_serve(args: argparse.Namespace, src: Path, rss: Any) -> dict[str, Any]:
    from bench import probes

    r: dict[str, Any] = {}
    settings = _settings(args, src)
    meta = json.loads((src / "corpus.json").read_text(encoding="utf-8"))
    rss.stage("open")
    t0 = time.perf_counter()
    readers = probes.Readers(settings)
    for k, v in readers.open_s.items():
        r[f"open_{k}_s"] = round(v, 3)
    themes = sorted(readers.index.themes.values())
    mix = probes.QueryMix(load_expected(src), meta, themes, random.Random(args.seed), args.queries)
    first = mix.searches()[0][1]
    readers.search(first)
    r["first_page_s"] = round(time.perf_counter() - t0, 3)  # open everything + the first search
    rss.stage("queries")
    docs = mix.docs()
    _timed(r, "doc", readers.doc, [q for _, q in docs], [k for k, _ in docs])
    searches = mix.searches()
    found = _timed(r, "search", readers.search, [q for _, q in searches], [k for k, _ in searches])
    r["search_hits_mean"] = round(statistics.fmean(x.total for x in found), 1)
    traces = _timed(r, "trace", readers.trace_down, mix.widest())
    r["trace_notice"] = meta["widest_notice"]
    r["trace_notice_projects"] = len(traces[0].projects)
    _timed(r, "trace_up", readers.trace_up, mix.projects())
    _timed(r, "history", readers.history, mix.projects())
    readers.close()
    rss.stage("region-pages")
    from bench.region_pages import measure

    r.update({k: v for k, v in measure(probes.current_build(settings)).items()
              if k in ("totals_kb", "totals_read_s", "unit_page_s", "years_page_s", "years_drill_county_s",
                       "unit_detail_s", "changes_list_all_s", "project_index_kb", "project_index_read_s",
                       "project_item_s", "project_page_s", "quality_page_s", "quality_rule_page_s",
                       "region_pages_ok")})
    if _store_kind(args.store) == "oxigraph":
        from bench.targets import cli_query

        rss.stage("cli")
        r.update(cli_query(args.work / "indexes", src, searches[0][1]["query"]))
    return r


def _phase_add(args: argparse.Namespace, src: Path, rss: Any) -> dict[str, Any]:
    from bench import probes

    r: dict[str, Any] = {}
    # `kg add` copies the new document into data/ and lists it in data/sources.csv: a scratch copy of
    # the corpus keeps the cached one as generated.
    data = args.work / "data"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(src, data)
    settings = _settings(args, src).with_(data_dir=data)
    extra = args.work / "extra"
    shutil.rmtree(extra, ignore_errors=True)
    generate(30, args.seed + 7919, extra)
    doc = sorted(extra.glob("*.txt"))[0]
    rss.stage("add")
    seconds, counts = probes.add_document(settings, doc)
    r["incremental_add_s"] = round(seconds, 3)
    r["incremental_mode"] = counts.get("mode")
    r["incremental_counts"] = counts
    return r


_PHASE_FNS = {"build": _phase_build, "serve": _phase_serve, "add": _phase_add}


def _run_phase(args: argparse.Namespace) -> None:
    """Run one phase in this (fresh) process and write its figures to --phase-out."""
    from bench.memory import RssSampler, hwm_mb

    src = Path(args.corpus)
    extra = [args.server_pid] if args.server_pid else []
    out: dict[str, Any] = {}
    with RssSampler(extra) as rss:
        try:
            out.update(_PHASE_FNS[args.phase](args, src, rss))
        except Exception as e:  # the other phases still run; the error is reported
            out["error"] = f"{type(e).__name__}: {e}"
            out["traceback"] = traceback.format_exc()
    out["rss_stages_mb"] = {k: round(v, 1) for k, v in rss.peaks_mb.items()}
    out["rss_self_hwm_mb"] = round(hwm_mb(), 1)
    out["rss_server_hwm_mb"] = round(rss.extra_hwm_mb(), 1) if extra else None
    out["rss_peak_mb"] = round(rss.peak_mb(exclude=(_FLOOR_STAGE,)), 1)
    Path(args.phase_out).write_text(json.dumps(out, ensure_ascii=False, default=str), encoding="utf-8")


# ---- the orchestrating process ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(location: Path) -> tuple[subprocess.Popen, str]:
    """`oxigraph serve` on a free loopback port, storing under `location`; (process, URL)."""
    if not _OXIGRAPH_BIN.exists():
        raise SystemExit(f"the oxigraph server binary is missing: {_OXIGRAPH_BIN}")
    shutil.rmtree(location, ignore_errors=True)
    location.mkdir(parents=True)
    port = _free_port()
    proc = subprocess.Popen([str(_OXIGRAPH_BIN), "serve", "--location", str(location), "--bind",
                             f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=1).read()
            return proc, url
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.05)
    proc.terminate()
    raise SystemExit(f"oxigraph serve did not answer on {url}")


def _phase_argv(args: argparse.Namespace, phase: str, out: Path, src: Path) -> list[str]:
    argv = [sys.executable, "-m", "bench.run", "--projects", str(args.projects), "--seed", str(args.seed),
            "--store", args.store, "--store-url", args.store_url, "--profile", args.profile,
            "--queries", str(args.queries), "--out", str(args.out), "--cache", str(args.cache),
            "--phase", phase, "--phase-out", str(out), "--corpus", str(src), "--work", str(args.work)]
    if args.server_pid:
        argv += ["--server-pid", str(args.server_pid)]
    if args.server_dir:
        argv += ["--server-dir", str(args.server_dir)]
    if args.cprofile:
        argv.append("--cprofile")
    argv += ["--floor-modes", ",".join(args.floor_modes) or "none"]
    return argv


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run the benchmark; returns the flat result dictionary (also printed and written)."""
    r: dict[str, Any] = {"projects": args.projects, "seed": args.seed, "store": _store_kind(args.store),
                         "profile": args.profile, "python": platform.python_version(), "cpus": _cpus(),
                         "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
    src, meta, gen_s = ensure_corpus(args.projects, args.seed, args.cache)
    r.update({"generate_s": round(gen_s, 3), "corpus_dir": str(src), "files": meta["files"],
              "corpus_mb": _du_mb(src), "widest_notice": meta["widest_notice"],
              "widest_notice_projects": meta["widest_count"]})
    args.work = args.cache / f"work-{args.projects}-s{args.seed}-{_store_kind(args.store)}-{args.profile}"
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    server = None
    args.store_url, args.server_pid, args.server_dir = args.store, None, None
    if args.store == "serve":
        args.server_dir = args.work / "oxserve"
        server, args.store_url = _start_server(args.server_dir)
        args.server_pid = server.pid
        r["endpoint"] = args.store_url
    errors: list[str] = []
    rss: dict[str, Any] = {}
    try:
        for phase in (p for p in PHASES if p in args.phases):
            out = args.work / f"phase-{phase}.json"
            t0 = time.perf_counter()
            proc = subprocess.run(_phase_argv(args, phase, out, src), cwd=_ROOT,
                                  env={**os.environ, "PYTHONPATH": str(_ROOT)})
            r[f"phase_{phase}_s"] = round(time.perf_counter() - t0, 1)
            if proc.returncode or not out.exists():
                errors.append(f"phase {phase} exited with status {proc.returncode}")
                continue
            got = json.loads(out.read_text(encoding="utf-8"))
            if "error" in got:
                errors.append(f"phase {phase}: {got.pop('error')}")
                if args.verbose:
                    print(got["traceback"], file=sys.stderr)
                got.pop("traceback", None)
            rss[phase] = {k: got.pop(k) for k in list(got) if k.startswith("rss_")}
            r.update(got)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    for phase, m in rss.items():
        r[f"rss_{phase}_peak_mb"] = m["rss_peak_mb"]
        r[f"rss_{phase}_stages_mb"] = m["rss_stages_mb"]
        if m.get("rss_server_hwm_mb") is not None:
            r[f"rss_{phase}_server_hwm_mb"] = m["rss_server_hwm_mb"]
    r["peak_rss_mb"] = max((m["rss_peak_mb"] for m in rss.values()), default=None)
    build = r.get("full_rebuild_s")
    for mode in ("lenient", "strict"):
        if build and r.get(f"floor_{mode}_s"):
            r[f"build_vs_{mode}_floor"] = round(build / r[f"floor_{mode}_s"], 2)
    if r.get("triples"):
        r["triples_per_project"] = round(r["triples"] / args.projects, 1)
    if r.get("disk_mb"):
        r["disk_per_1000_mb"] = round(r["disk_mb"] / args.projects * 1000, 1)
    if r.get("incremental_add_s") is not None and r.get("full_rebuild_s"):
        r["incremental_vs_rebuild"] = round(r["incremental_add_s"] / r["full_rebuild_s"], 4)
    failures = correctness_failures(r, args.projects)
    r["failures"] = failures
    r["stage_errors"] = errors
    if not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)
    return r


def correctness_failures(r: dict[str, Any], projects: int) -> list[str]:
    """What makes a run fail: records unlike the generated ones, units of two counties merged (in the
    records or the graph), the region pages over their time budget."""
    failures: list[str] = []
    if r.get("check_ok") is False or r.get("parsed_projects", projects) != projects:
        failures.append(f"parsed != generated: {projects} generated, {r.get('parsed_projects')} parsed")
        failures += [f"  {m}" for m in r.get("check_mismatches", [])]
    if r.get("record_units_ok") is False:
        failures.append("units of different counties share a (region_code, unit_code) in the records")
    if r.get("graph_units_merged"):
        failures.append(f"{r['graph_units_merged']} graph units hold projects of several counties "
                        "(units are keyed by region and code)")
    if r.get("region_pages_ok") is False:
        from bench.region_pages import LIMIT_S

        failures.append(f"单位/年度对比/项目/数据质量 page models over {LIMIT_S} s: unit {r.get('unit_page_s')} s, "
                        f"years {r.get('years_page_s')} s, project {r.get('project_page_s')} s, "
                        f"quality {r.get('quality_page_s')} s")
    return failures


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


_TABLE = (
    ("projects", ""), ("files", ""), ("triples", ""), ("parse_s", "s"), ("check_ok", ""),
    ("check_regions", ""), ("record_units_ok", ""), ("units_expected", ""), ("unit_codes", ""),
    ("graph_units", ""), ("graph_units_merged", ""),
    ("graph_build_s", "s"), ("lineage_s", "s"), ("audit_s", "s"), ("index_build_s", "s"),
    ("segment_floor_s", "s"), ("segment_jieba_s", "s"), ("index_vs_floor", "×"), ("index_alone_s", "s"),
    ("index_alone_vs_floor", "×"), ("full_build_s", "s"),
    ("full_rebuild_s", "s"), ("floor_lenient_s", "s"), ("floor_strict_s", "s"), ("build_vs_lenient_floor", "×"),
    ("build_vs_strict_floor", "×"), ("export_nt_s", "s"), ("export_nt_rss_mb", "MB"),
    ("triples_per_project", ""), ("cli_search_rss_mb", "MB"), ("disk_per_1000_mb", "MB"), ("first_page_s", "s"), ("doc_p95_ms", "ms"), ("doc_p99_ms", "ms"),
    ("search_p50_ms", "ms"), ("search_p95_ms", "ms"), ("search_p99_ms", "ms"), ("trace_p95_ms", "ms"),
    ("trace_notice_projects", ""), ("trace_up_p95_ms", "ms"), ("history_p95_ms", "ms"),
    ("totals_kb", "KB"), ("unit_page_s", "s"), ("years_page_s", "s"), ("years_drill_county_s", "s"),
    ("unit_detail_s", "s"), ("changes_list_all_s", "s"),
    ("incremental_add_s", "s"), ("incremental_mode", ""), ("incremental_vs_rebuild", ""),
    ("rss_build_peak_mb", "MB"), ("rss_serve_peak_mb", "MB"), ("rss_add_peak_mb", "MB"),
    ("peak_rss_mb", "MB"), ("disk_mb", "MB"),
)


def print_table(r: dict[str, Any], out=None) -> None:
    """The figures as an aligned two-column table, then errors and correctness failures."""
    out = out or sys.stdout
    print(f"hrss-kg benchmark: {r['projects']} projects, store {r['store']}, profile {r['profile']}, "
          f"{r['cpus']} CPUs", file=out)
    for key, unit in _TABLE:
        if r.get(key) is not None:
            print(f"  {key:<24} {r[key]} {unit}".rstrip(), file=out)
    for e in r.get("stage_errors", []):
        print(f"ERROR: {e}", file=out)
    for f in r.get("failures", []):
        print(f"FAILURE: {f}" if not f.startswith("  ") else f, file=out)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    ap.add_argument("--projects", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--store", default=None,
                    help="memory | oxigraph | serve (start `oxigraph serve` on 127.0.0.1) | a SPARQL endpoint "
                         "URL; default: the profile's store")
    ap.add_argument("--profile", default="small", choices=("small", "large"))
    ap.add_argument("--queries", type=int, default=200, help="queries per kind (at least 200 for p99)")
    ap.add_argument("--out", type=Path, default=RESULTS_DIR, help="directory for the JSON results")
    ap.add_argument("--cache", type=Path, default=CACHE_ROOT, help="generated corpora and work directories")
    ap.add_argument("--phases", type=lambda v: v.split(","), default=list(PHASES),
                    help="comma-separated subset of build,serve,add (default: all three)")
    ap.add_argument("--keep", action="store_true", help="keep the built indexes under --cache")
    ap.add_argument("--cprofile", action="store_true",
                    help="profile the build (slower) and write its top entries to --out")
    ap.add_argument("--floor-modes", type=lambda v: [] if v == "none" else v.split(","),
                    default=["lenient", "strict"],
                    help="Oxigraph store: bulk loads of the build's exported N-Triples to measure as the "
                         "floor (lenient = the build's own call, strict = Oxigraph's default), or none")
    ap.add_argument("-v", "--verbose", action="store_true", help="print tracebacks of failing phases")
    for internal in ("--phase", "--phase-out", "--corpus", "--work", "--store-url", "--server-pid",
                     "--server-dir"):
        ap.add_argument(internal, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.store is None:
        from kg.settings import PROFILES

        args.store = PROFILES[args.profile]["store"]
    if args.phase:
        args.work = Path(args.work)
        args.server_pid = int(args.server_pid) if args.server_pid else None
        args.server_dir = Path(args.server_dir) if args.server_dir else None
        _run_phase(args)
        return
    r = run(args)
    print_table(r)
    from bench.targets import print_targets

    print_targets(r)
    args.out.mkdir(parents=True, exist_ok=True)
    name = f"{args.projects}-{r['store']}-{args.profile}"
    name += "" if set(PHASES) <= set(args.phases) else "-" + "-".join(args.phases)
    path = args.out / f"{name}.json"
    path.write_text(json.dumps(r, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    print(f"written {path}")
    if r["failures"] or r["stage_errors"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
