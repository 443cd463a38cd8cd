"""`python -m bench.index_speed --corpus DIR`: the search index built alone against the rjieba floor.

Parses the corpus once, then in the same process times, median of `--repeat` runs each:
- floor: rjieba cutting exactly the texts the index segments, folded first, as
  bench.probes.segment_rates times it (without its jieba comparison),
- index: kg.search.build_index (tantivy, the "large" profile) with the units, themes and regions a
  build derives first, outside the timing (as bench.probes.index_alone), with a fresh analyzer whose
  dictionary is loaded beforehand (the floor excludes the load too; analyzer_load_s is that load,
  which a build pays once per process).
Wall and CPU seconds both: on a shared machine the CPU ratio varies less.

    python -m bench.generate --projects 2000 --seed 1 --out /tmp/c2k
    python -m bench.index_speed --corpus /tmp/c2k --repeat 3
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["measure", "main"]


def _floor(texts: list[str], config: Any) -> tuple[float, float]:
    """(wall, CPU) seconds rjieba takes to cut the folded texts once (dictionary load excluded)."""
    from kg.search.analysis import Analyzer

    analyzer = Analyzer(config, "rjieba")
    folded = [analyzer.fold(t) for t in texts]
    cut = analyzer.segmenter.cut
    t0, c0 = time.perf_counter(), time.process_time()
    for t in folded:
        cut(t)
    return time.perf_counter() - t0, time.process_time() - c0


def measure(corpus: Path, repeat: int = 3, profile: str = "large") -> dict[str, Any]:
    """Medians over `repeat` runs of the floor and of build_index, wall and CPU seconds (the CPU
    time of the whole process: the engine's indexing thread counts too)."""
    from bench import probes
    from ingest.regions import RegionIndex
    from kg.corpus import load_corpus
    from kg.rdf.iri import project_key
    from kg.search.analysis import get_analyzer
    from kg.search.indexing import _analyzer_config, build_index
    from kg.settings import load_settings
    from kg.themes import load_themes, tag_project
    from kg.units import derive_units

    projects = load_corpus([corpus]).projects
    units, vocabulary, regions = derive_units(projects), load_themes(), RegionIndex.load()
    themes = {project_key(p): tuple(tag_project(p, vocabulary)) for p in projects}
    config = _analyzer_config(projects, units)
    texts = probes.floor_texts(projects)
    runs: dict[str, list[float]] = {name: [] for name in (
        "floor_s", "floor_cpu_s", "index_alone_s", "index_alone_cpu_s", "analyzer_load_s")}
    with tempfile.TemporaryDirectory(prefix="index-speed-") as work:
        settings = load_settings(index_dir=Path(work) / "indexes", profile=profile)
        for i in range(repeat):
            wall, cpu = _floor(texts, config)
            runs["floor_s"].append(wall)
            runs["floor_cpu_s"].append(cpu)
            # a fresh analyzer, its dictionary loaded: no text cut by an earlier run is remembered
            get_analyzer.cache_clear()
            t0 = time.perf_counter()
            get_analyzer(config)
            runs["analyzer_load_s"].append(time.perf_counter() - t0)
            out = Path(work) / f"index-{i}"
            t0, c0 = time.perf_counter(), time.process_time()
            build_index(projects, out, settings, units=units, themes=themes, regions=regions)
            runs["index_alone_s"].append(time.perf_counter() - t0)
            runs["index_alone_cpu_s"].append(time.process_time() - c0)
            shutil.rmtree(out, ignore_errors=True)
    r: dict[str, Any] = {"projects": len(projects), "backend": settings.search_backend, "repeat": repeat}
    r.update({k: round(statistics.median(v), 3) for k, v in runs.items()})
    r["index_alone_vs_floor"] = round(r["index_alone_s"] / r["floor_s"], 2) if r["floor_s"] else None
    r["index_alone_cpu_vs_floor"] = (round(r["index_alone_cpu_s"] / r["floor_cpu_s"], 2)
                                     if r["floor_cpu_s"] else None)
    return r


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True, help="a corpus directory (bench.generate --out)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", default="large", help="settings profile: large (tantivy) or small (whoosh)")
    args = ap.parse_args(argv)
    print(json.dumps(measure(args.corpus, args.repeat, args.profile), ensure_ascii=False))


if __name__ == "__main__":
    main()
