"""`python -m bench.index_speed --corpus DIR`: the search index built alone against the rjieba floor.

Parses the corpus once, then in the same process times, median of `--repeat` runs each:
- floor: rjieba cutting exactly the texts the index segments, folded first, as
  bench.probes.segment_rates times it (without its jieba comparison),
- index: kg.search.build_index (tantivy, the "large" profile) with the units, themes and regions a
  build derives first, outside the timing (bench.probes.index_alone), with a fresh analyzer whose
  dictionary is loaded beforehand (the floor excludes the load too).

    python -m bench.generate --projects 2000 --seed 1 --out /tmp/c2k
    python -m bench.index_speed --corpus /tmp/c2k --repeat 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["measure", "main"]


def _floor(texts: list[str], config: Any) -> float:
    """Seconds rjieba takes to cut the folded texts once (dictionary load excluded)."""
    from kg.search.analysis import Analyzer

    analyzer = Analyzer(config, "rjieba")
    folded = [analyzer.fold(t) for t in texts]
    cut = analyzer.segmenter.cut
    t0 = time.perf_counter()
    for t in folded:
        cut(t)
    return time.perf_counter() - t0


def measure(corpus: Path, repeat: int = 3, profile: str = "large") -> dict[str, Any]:
    from bench import probes
    from kg.corpus import load_corpus
    from kg.search.analysis import get_analyzer
    from kg.search.indexing import _analyzer_config
    from kg.settings import load_settings
    from kg.units import derive_units

    projects = load_corpus([corpus]).projects
    config = _analyzer_config(projects, derive_units(projects))
    texts = probes.floor_texts(projects)
    floors, index = [], []
    with tempfile.TemporaryDirectory(prefix="index-speed-") as work:
        settings = load_settings(index_dir=Path(work) / "indexes", profile=profile)
        for _ in range(repeat):
            floors.append(_floor(texts, config))
            # a fresh analyzer, its dictionary loaded: no text cut by an earlier run is remembered
            get_analyzer.cache_clear()
            get_analyzer(config)
            index.append(probes.index_alone(projects, settings, Path(work)))
    floor, alone = statistics.median(floors), statistics.median(index)
    return {"projects": len(projects), "backend": settings.search_backend, "repeat": repeat,
            "floor_s": round(floor, 3), "index_alone_s": round(alone, 3),
            "index_alone_vs_floor": round(alone / floor, 2) if floor else None}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True, help="a corpus directory (bench.generate --out)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", default="large", help="settings profile: large (tantivy) or small (whoosh)")
    args = ap.parse_args(argv)
    print(json.dumps(measure(args.corpus, args.repeat, args.profile), ensure_ascii=False))


if __name__ == "__main__":
    main()
