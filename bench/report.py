"""`python -m bench.report`: the benchmark results in bench/results/ as one Markdown table.

    python -m bench.report [--results bench/results] [FILE.json …]

One column per run (`<N>-<store>-<profile>.json`, ordered by store then N), one row per figure.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bench.run import RESULTS_DIR

__all__ = ["ROWS", "load_results", "markdown_table", "main"]

ROWS: tuple[tuple[str, str], ...] = (
    ("projects", "projects"), ("triples", "triples"), ("parse_s", "parse (s)"),
    ("graph_build_s", "graph build (s)"), ("lineage_s", "lineage step (s)"), ("audit_s", "audit step (s)"),
    ("index_build_s", "index build (s)"), ("segment_floor_s", "floor: rjieba over index text (s)"),
    ("segment_jieba_s", "jieba over the same text (s)"), ("index_vs_floor", "index build / floor"),
    ("index_alone_s", "index build alone (s)"), ("index_alone_vs_floor", "  alone / floor"),
    ("full_build_s", "parse + graph + index (s)"), ("full_rebuild_s", "full `kg build` (s)"),
    ("floor_lenient_s", "floor: bulk load of the build's N-Triples (s)"),
    ("floor_strict_s", "  Oxigraph's default (strict) bulk load (s)"),
    ("build_vs_lenient_floor", "build / floor"), ("build_vs_strict_floor", "  build / strict floor"),
    ("export_nt_s", "export nt (s)"), ("export_nt_rss_mb", "export nt peak RSS (MB)"),
    ("triples_per_project", "triples per project"), ("cli_search_rss_mb", "CLI search peak RSS (MB)"),
    ("disk_per_1000_mb", "disk per 1,000 projects (MB)"),
    ("first_page_s", "open + first search (s)"), ("search_p50_ms", "search p50 (ms)"),
    ("search_p95_ms", "search p95 (ms)"), ("search_p99_ms", "search p99 (ms)"),
    ("doc_p95_ms", "doc lookup p95 (ms)"), ("doc_p99_ms", "doc lookup p99 (ms)"),
    ("trace_p95_ms", "trace down p95 (ms)"), ("trace_notice_projects", "  projects under that notice"),
    ("trace_up_p95_ms", "trace up p95 (ms)"), ("history_p95_ms", "history p95 (ms)"),
    ("incremental_add_s", "add one document (s)"), ("incremental_mode", "  mode"),
    ("incremental_vs_rebuild", "  / full rebuild"), ("rss_build_peak_mb", "peak RSS, build (MB)"),
    ("rss_serve_peak_mb", "peak RSS, serving (MB)"), ("peak_rss_mb", "peak RSS, any phase (MB)"),
    ("disk_mb", "disk (MB)"),
)


def load_results(paths: list[Path]) -> list[dict[str, Any]]:
    runs = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    runs = [r for r in runs if "full_rebuild_s" in r]
    return sorted(runs, key=lambda r: (r["store"] != "memory", r["store"], r["projects"]))


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.3g}" if v < 10 else f"{v:,.0f}" if v >= 100 else f"{v:.1f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def markdown_table(runs: list[dict[str, Any]]) -> str:
    head = ["figure", *(f"{r['projects']:,} {r['profile']}/{r['store']}" for r in runs)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, label in ROWS:
        if any(r.get(key) is not None for r in runs):
            lines.append("| " + " | ".join([label, *(_fmt(r.get(key)) for r in runs)]) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--results", type=Path, default=RESULTS_DIR)
    args = ap.parse_args(argv)
    print(markdown_table(load_results(args.files or sorted(args.results.glob("*.json")))))


if __name__ == "__main__":
    main()
