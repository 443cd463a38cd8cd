"""`python -m bench.export --projects 10000`: streamed export against the store's bulk-load floor.

Builds the generated corpus with the large profile (Oxigraph), then, each in a fresh process under
`/usr/bin/time -v` (elapsed time and peak RSS of that process alone):

- floor: Oxigraph's bulk load of the build's own N-Triples into an empty store;
- `kg export` in nt, nq, ttl, csv and xlsx (JSON-LD is expected to be refused above its limit);
- the query runner: added latency of a warm worker over the same small query in process.

Prints a table and writes JSON to bench/results/<N>-export.json. Targets (issue 16): export time
≤ the bulk load's, peak RSS ≤ 500 MB.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.run import RESULTS_DIR, ensure_corpus
from bench.targets import timed

__all__ = ["main"]

_ROOT = Path(__file__).resolve().parent.parent
_FORMATS = ("nt", "nq", "ttl", "csv", "xlsx", "jsonld")
_LOAD = """
import sys, pyoxigraph as ox
db = ox.Store(sys.argv[2])
with open(sys.argv[1], "rb") as f:
    db.bulk_load(f, format=ox.RdfFormat.N_TRIPLES)
db.flush()
print(len(db))
"""
_LATENCY = """
import json, statistics, sys, time
from kg.settings import load_settings
from kg.store import QueryRunner, open_store
s = load_settings(index_dir=sys.argv[1], profile="large")
q = 'SELECT ?n WHERE { ?p a hk:Project ; hk:projectName ?n } LIMIT 20'
store = open_store(s)
runner = QueryRunner(s)
t = time.perf_counter(); runner.query(q); first = time.perf_counter() - t
def per(fn, n=100):
    fn(); t = time.perf_counter()
    for _ in range(n): fn()
    return (time.perf_counter() - t) / n * 1e3
# alternated rounds, so that a busy machine weighs on both sides alike
rounds = [(per(lambda: store.query(q)), per(lambda: runner.query(q))) for _ in range(7)]
runner.close()
inproc, warm = (statistics.median(r[i] for r in rounds) for i in (0, 1))
print(json.dumps({"first_query_s": first, "in_process_ms": inproc, "runner_ms": warm,
                  "runner_added_ms": warm - inproc}))
"""


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path, default=None, help="Build here and keep it (default: a temp dir).")
    args = ap.parse_args(argv)
    corpus, _meta, _gen = ensure_corpus(args.projects, args.seed)
    work = args.keep or Path(tempfile.mkdtemp(prefix="hrss-export-"))
    idx = work / "indexes"
    py = sys.executable
    result: dict[str, Any] = {"projects": args.projects}
    if not (idx / "current").exists():
        t = time.perf_counter()
        subprocess.run([py, "-m", "kg", "build", "--data", str(corpus), "--indexes", str(idx),
                        "--profile", "large"], check=True, cwd=_ROOT, capture_output=True)
        result["build_s"] = time.perf_counter() - t
    out = work / "out"
    out.mkdir(exist_ok=True)
    for fmt in _FORMATS:
        path = out / f"graph.{fmt}"
        seconds, rss, text, code, _ = timed([py, "-m", "kg", "export", "--format", fmt, "-o", str(path),
                                           "--indexes", str(idx), "--profile", "large"])
        result[f"export_{fmt}_s"], result[f"export_{fmt}_rss_mb"] = seconds, rss
        result[f"export_{fmt}_exit"] = code
        if code:
            result[f"export_{fmt}_message"] = text.strip().splitlines()[0][:200] if text.strip() else ""
        print(f"export {fmt:<6} {seconds:7.1f} s  {rss:7.0f} MB  exit {code}", flush=True)
    floor_dir = work / "floor"
    shutil.rmtree(floor_dir, ignore_errors=True)
    seconds, rss, text, code, _ = timed([py, "-c", _LOAD, str(out / "graph.nt"), str(floor_dir)])
    result["floor_bulk_load_s"], result["floor_bulk_load_rss_mb"] = seconds, rss
    result["triples"] = int(text.split()[0]) if code == 0 else None
    print(f"floor: bulk load of {result['triples']} triples {seconds:.1f} s  {rss:.0f} MB", flush=True)
    proc = subprocess.run([py, "-c", _LATENCY, str(idx)], capture_output=True, text=True, cwd=_ROOT,
                          check=True)
    result.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    for fmt in ("nt", "nq", "ttl"):
        result[f"export_{fmt}_over_floor"] = result[f"export_{fmt}_s"] / result["floor_bulk_load_s"]
    RESULTS_DIR.mkdir(exist_ok=True)
    target = RESULTS_DIR / f"{args.projects}-export.json"
    target.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    for k, v in result.items():
        print(f"{k:<28} {v:.3f}" if isinstance(v, float) else f"{k:<28} {v}")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
