"""Load a built graph into a SPARQL server and query it there: the endpoint store at any size.

    python -m bench.run --projects 100000 --profile large --keep      # builds …/indexes/builds/<id>/
    python -m bench.endpoint_load --build /tmp/hrss-bench/work-…/indexes/builds/<id> --queries 200

Starts `oxigraph serve` on a free loopback port, streams every triple of the build's Oxigraph store
to it through kg.store.write_store (the endpoint path of `kg build`: Graph Store Protocol POSTs of
N-Triples chunks into the build's named graph), then times document lookups (kg.doccard, exact 文号,
SPARQL 1.1 protocol) and the aggregate named queries; the server is stopped at the end. The graph,
lineage and search steps do not depend on the store and are measured by bench.run.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.memory import hwm_mb
from bench.run import RESULTS_DIR, _start_server, _timed

__all__ = ["load_and_query", "main"]

_AGGREGATES = ("unit_totals", "projects_by_year", "amount_mismatches")


def _lines(store_dir: Path):
    import pyoxigraph as ox

    db = ox.Store.read_only(str(store_dir))
    for q in db:
        yield f"{q.subject} {q.predicate} {q.object} .\n"


def load_and_query(build: Path, queries: int, seed: int = 1) -> dict[str, Any]:
    """Figures of one load into a fresh `oxigraph serve` and of queries against it."""
    from kg.doccard import read_cards
    from kg.queries import run_named
    from kg.settings import load_settings
    from kg.store import open_store, write_store

    info = json.loads((build / "graph.json").read_text(encoding="utf-8"))
    work = Path(tempfile.mkdtemp(prefix="hrss-endpoint-"))
    server, url = _start_server(work / "oxserve")
    r: dict[str, Any] = {"endpoint": url, "triples_source": info.get("triples")}
    try:
        settings = load_settings(index_dir=work / "indexes", store=url, profile="large")
        out = work / "indexes" / "builds" / build.name
        out.mkdir(parents=True)
        t0 = time.perf_counter()
        loaded = write_store(_lines(build / info["dir"]), out, settings)
        r["endpoint_load_s"] = round(time.perf_counter() - t0, 3)
        r["triples"] = loaded["triples"]
        r["endpoint_triples_per_s"] = round(loaded["triples"] / r["endpoint_load_s"])
        r["server_rss_hwm_mb"] = round(hwm_mb(server.pid), 1)
        r["endpoint_disk_mb"] = round(sum(f.stat().st_size for f in (work / "oxserve").rglob("*")
                                          if f.is_file()) / 2**20, 1)
        cards = read_cards(build)  # cards are made in the build, whatever store holds the graph
        docs = sorted(cards.cards)
        rng = random.Random(seed)
        with open_store(settings, out) as store:
            _timed(r, "doc", cards.lookup, [rng.choice(docs) for _ in range(queries)])
            for name in _AGGREGATES:
                t0 = time.perf_counter()
                rows = len(run_named(store, name, limit=None).rows)
                r[f"query_{name}_ms"] = round((time.perf_counter() - t0) * 1000, 1)
                r[f"query_{name}_rows"] = rows
        r["server_rss_hwm_mb"] = round(hwm_mb(server.pid), 1)
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)
    return r


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.endpoint_load", description=__doc__.split("\n")[0])
    ap.add_argument("--build", type=Path, required=True, help="a build directory with an Oxigraph store")
    ap.add_argument("--projects", type=int, required=True, help="how many projects the build holds")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--out", type=Path, default=RESULTS_DIR)
    args = ap.parse_args(argv)
    r = {"projects": args.projects, "store": "endpoint-load", **load_and_query(args.build, args.queries)}
    for k, v in r.items():
        if not isinstance(v, dict):
            print(f"  {k:<28} {v}")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{args.projects}-endpoint-load.json"
    path.write_text(json.dumps(r, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"written {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
