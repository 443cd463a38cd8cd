"""Search benchmark: index build time and query latency (p50/p95) over the judged queries.

    .venv/bin/python bench/search_latency.py                     # data/ and tests/search_judgments.tsv
    .venv/bin/python bench/search_latency.py --data data --rounds 20 --backend whoosh

Prints build seconds (cold: first build in the process, including jieba's dictionary; warm: later
builds), per-query latency percentiles in milliseconds, and nDCG@10 / recall@10.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.corpus import load_corpus  # noqa: E402
from kg.search import SearchIndex, build_index  # noqa: E402
from kg.search.evaluation import evaluate, load_judgments  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation."""
    s = sorted(values)
    if not s:
        return 0.0
    k = (len(s) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT / "data")
    ap.add_argument("--judgments", type=Path, default=ROOT / "tests" / "search_judgments.tsv")
    ap.add_argument("--rounds", type=int, default=20, help="times each judged query is run")
    ap.add_argument("--builds", type=int, default=3, help="index builds to time")
    ap.add_argument("--backend", default="whoosh")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    corpus = load_corpus([args.data])
    parse_s = time.perf_counter() - t0
    projects = corpus.projects
    judgments = load_judgments(args.judgments)
    with tempfile.TemporaryDirectory(prefix="hrss-search-bench-") as tmp:
        builds = []
        for i in range(args.builds):
            t = time.perf_counter()
            build_index(projects, Path(tmp) / f"search{i}", backend=args.backend)
            builds.append(time.perf_counter() - t)
        t = time.perf_counter()
        index = SearchIndex(Path(tmp) / "search0")
        open_s = time.perf_counter() - t
        with index:
            quality = evaluate(index, judgments)
            latencies = []
            for _ in range(args.rounds):
                for j in judgments:
                    t = time.perf_counter()
                    index.search(j.query, **j.filters)
                    latencies.append((time.perf_counter() - t) * 1000)
    warm = builds[1:] or builds
    print(f"corpus: {len(corpus.results)} files, {len(projects)} projects (parse {parse_s:.2f}s)")
    print(f"backend: {args.backend}")
    print(f"index build: cold {builds[0]:.2f}s, warm median {statistics.median(warm):.2f}s "
          f"({args.builds} builds)")
    print(f"open index: {open_s * 1000:.0f} ms")
    print(f"search latency over {len(judgments)} judged queries × {args.rounds}: "
          f"p50 {percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} ms, "
          f"max {max(latencies):.1f} ms")
    print(f"quality: nDCG@10 {quality.ndcg:.3f}, recall@10 {quality.recall:.3f}")


if __name__ == "__main__":
    main()
