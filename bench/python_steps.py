"""`python -m bench.python_steps --corpus DIR`: the CPU seconds of the build's own Python, part by part.

One process, one thread, nothing overlapped: parsing (this process only, no pool), tagging themes,
deriving the context, making the graph's lines (the projects' own, then the relating ones; not loaded)
and every step of kg.steps.STEPS but the graph's, each written into a scratch build folder. What a
`kg build` adds to these is the store's load (the floor, measured by bench.run) and its compaction;
together they are the CPU-seconds any schedule of the build on N cores has to fit.

    python -m bench.generate --projects 10000 --seed 1 --out /tmp/c10k
    python -m bench.python_steps --corpus /tmp/c10k
"""

from __future__ import annotations

import argparse
import gc
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["measure", "main"]


def _cpu(fn: Callable[[], Any]) -> tuple[Any, float]:
    c0 = time.process_time()
    out = fn()
    return out, time.process_time() - c0


def measure(corpus: Path) -> dict[str, Any]:
    """CPU seconds per part (keys ending in _cpu_s), their sum, and how many lines the graph has."""
    from kg.context import derive_context, tag_corpus
    from kg.corpus import Placement, load_corpus
    from kg.rdf.writer import Writer
    from kg.settings import load_settings
    from kg.steps import STEPS, _own, _relating

    r: dict[str, Any] = {}
    enabled = gc.isenabled()
    gc.disable()  # as kg.build pauses the collector while records and context are made
    try:
        with tempfile.TemporaryDirectory(prefix="python-steps-") as work:
            settings = load_settings(index_dir=Path(work) / "indexes", profile="large")
            placement = Placement.load()
            parsed, r["parse_cpu_s"] = _cpu(lambda: load_corpus([corpus], placement, workers=1))
            tagged, r["tag_cpu_s"] = _cpu(lambda: tag_corpus(parsed))
            ctx, r["derive_cpu_s"] = _cpu(lambda: derive_context(parsed, settings, regions=placement.index,
                                                                 tagged=tagged))
            gc.freeze()
            w = Writer()
            r["own_lines"], r["own_lines_cpu_s"] = _cpu(lambda: sum(1 for _ in _own(tagged, w, parsed.results)))
            r["relating_lines"], r["relating_lines_cpu_s"] = _cpu(lambda: sum(1 for _ in _relating(ctx, w)))
            out = Path(work) / "build"
            out.mkdir()
            for name, step in STEPS:
                if name != "graph":
                    c0 = time.process_time()
                    step(ctx, out)
                    r[f"step_{name}_cpu_s"] = time.process_time() - c0
            r["projects"] = len(parsed.projects)
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()
    r = {k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()}
    r["python_cpu_s"] = round(sum(v for k, v in r.items() if k.endswith("_cpu_s")), 2)
    return r


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True, help="a corpus directory (bench.generate --out)")
    args = ap.parse_args(argv)
    print(json.dumps(measure(args.corpus), ensure_ascii=False))


if __name__ == "__main__":
    main()
