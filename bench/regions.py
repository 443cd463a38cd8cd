"""Regions of a generated corpus at the record level: how each project was placed, and whether any two
counties' units merge.

    python -m bench.regions --projects 10000 --seed 1 --out /tmp/corpus-10k

Generates the corpus when `--out` holds none, parses every file (ingest only), places its projects
(`ingest.placing.assign_regions`) and checks them against the generated records.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from bench.check import check_records, check_units, record_units
from bench.generate import EXPECTED_FILE, generate, load_expected
from ingest import parse_file
from ingest.placing import assign_regions
from ingest.regions import RegionIndex

__all__ = ["place_corpus", "main"]


def place_corpus(out: Path) -> dict:
    """Parse and place every generated file under `out`; the counts by evidence and the checks."""
    started = time.perf_counter()
    results = [parse_file(path, path.name) for path in sorted(out.glob("*.txt"))]
    parsed = time.perf_counter()
    index = RegionIndex.load()
    for result in results:
        assign_regions(result, index)
    placed = time.perf_counter()
    projects = [p for r in results for p in r.projects]
    diagnostics = [str(d) for r in results for d in r.diagnostics if "region" in d.message]
    expected = load_expected(out)
    records = check_records(expected, projects)
    units = check_units(expected, record_units(projects))
    return {
        "projects": len(projects),
        "evidence": dict(Counter(p.region_evidence for p in projects).most_common()),
        "regions": len({p.region_code for p in projects}),
        "records_ok": records.ok,
        "mismatches": [str(m) for m in records.mismatches[:10]],
        "units_expected": units.expected,
        "unit_codes": units.bare_codes,
        "units_found": units.found,
        "units_ok": units.ok,
        "units_merged": units.merged[:10],
        "region_diagnostics": diagnostics[:10],
        "parse_s": round(parsed - started, 2),
        "place_s": round(placed - parsed, 2),  # loading the regions included
        "place_vs_parse": round((placed - parsed) / max(parsed - started, 1e-9), 3),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.regions", description=__doc__.split("\n")[0])
    ap.add_argument("--projects", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    if not (a.out / EXPECTED_FILE).exists():
        generate(a.projects, a.seed, a.out)
    report = place_corpus(a.out)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0 if report["records_ok"] and report["units_ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
