"""Load one build's triples into a running local Virtuoso through both paths of `kg build`, and time them.

    python -m bench.generate --projects 2000 --seed 1 --out /tmp/v2k
    python -m kg build --data /tmp/v2k --indexes /tmp/v2k-ox --store oxigraph --profile large
    HRSS_ENDPOINT_USER=dba HRSS_ENDPOINT_PASSWORD=… python -m bench.virtuoso_load \\
        --build /tmp/v2k-ox/current --url http://127.0.0.1:8890/sparql --isql 127.0.0.1:1111 --rounds 3

Each round streams the build's Oxigraph store through kg.store.write_store into a fresh named graph,
once through the Graph Store Protocol (/sparql-graph-crud-auth) and once through the bulk loader
(isql: ld_dir + rdf_loader_run + checkpoint), alternating, and checks both graphs hold the same
number of triples. The triples are read from the store beforehand, so only the load is timed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["main"]


def _lines(store_dir: Path) -> list[str]:
    import pyoxigraph as ox

    db = ox.Store.read_only(str(store_dir))
    return [f"{q.subject} {q.predicate} {q.object} .\n" for q in db]


def main(argv: list[str] | None = None) -> None:
    from kg.settings import load_settings
    from kg.store import write_store
    from kg.store.endpoint import Endpoint

    ap = argparse.ArgumentParser(prog="python -m bench.virtuoso_load", description=__doc__.split("\n")[0])
    ap.add_argument("--build", type=Path, required=True, help="a build directory with an Oxigraph store")
    ap.add_argument("--url", required=True, help="Virtuoso's SPARQL URL (…/sparql)")
    ap.add_argument("--isql", required=True, help="host:port of Virtuoso's SQL port")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)

    info = json.loads((args.build.resolve() / "graph.json").read_text(encoding="utf-8"))
    lines = _lines(args.build.resolve() / info["dir"])
    base = load_settings(store=args.url).with_(
        endpoint_update_path="/sparql-auth", endpoint_store_path="/sparql-graph-crud-auth",
        sparql_timeout_s=600.0)
    times: dict[str, list[float]] = {"graph-store": [], "virtuoso-bulk": []}
    counts: dict[str, set[int]] = {k: set() for k in times}
    with tempfile.TemporaryDirectory(prefix="hrss-vload-") as work:
        for n in range(args.rounds):
            for loader in times:
                settings = base.with_(index_dir=Path(work) / f"{loader}-{n}")
                if loader == "virtuoso-bulk":
                    settings = settings.with_(virtuoso_isql=args.isql)
                out = settings.index_dir / "builds" / "load"
                out.mkdir(parents=True)
                t0 = time.perf_counter()
                written = write_store(iter(lines), out, settings)
                times[loader].append(time.perf_counter() - t0)
                if written["loader"] != loader:
                    raise SystemExit(f"expected the {loader} path, got {written['loader']}")
                counts[loader].add(written["triples"])
                Endpoint.from_settings(args.url, settings).update(f"DROP SILENT GRAPH <{written['graph']}>")
    r: dict[str, Any] = {"triples": len(lines), "rounds": args.rounds}
    for loader, ts in times.items():
        r[f"{loader}_s"] = [round(t, 2) for t in ts]
        r[f"{loader}_median_s"] = round(statistics.median(ts), 2)
        r[f"{loader}_triples_per_s"] = round(len(lines) / statistics.median(ts))
        r[f"{loader}_count"] = sorted(counts[loader])
    json.dump(r, sys.stdout, indent=1)
    print()
    if counts["graph-store"] != counts["virtuoso-bulk"]:
        raise SystemExit("the two loads hold different numbers of triples")


if __name__ == "__main__":
    main()
