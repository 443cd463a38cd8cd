"""Search at scale: segmentation floor (jieba vs rjieba), index build and query latency per profile.

    python -m bench.search_scale --data data                      # the sample, judged queries too
    python -m bench.generate --projects 10000 --seed 1 --out /tmp/gen-10000
    python -m bench.search_scale --data /tmp/gen-10000 --queries 300 [--profiles small large]

For one corpus: the texts every project's search document is cut from (kg.search.indexing.index_texts),
cut by jieba and by rjieba with the index's dictionary (chars/s; the fastest is the floor); then, per
profile, a full build_index (analyzer set-up, theme tagging, segmentation, engine) and search latency
p50/p95 over a fixed, seeded query mix — keywords, two-word queries, 文号 in several spellings, and
year- or unit-filtered keywords — plus the judged queries when --judgments is given (facets and
highlights included: this is SearchIndex.search as the CLI and the UI call it). Prints a table and,
with --json, writes the figures.
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

__all__ = ["segment_rates", "query_mix", "measure", "main"]

ROOT = Path(__file__).resolve().parent.parent
# Words every generated corpus and the sample use (the generator draws on the sample's vocabulary).
_WORDS = ["就业补助", "养老保险", "县级配套", "公益性岗位", "办公经费", "满意度", "劳动监察", "职业技能培训",
          "城乡居民", "社会保险补贴", "医疗救助", "创业担保贷款", "残疾人", "培训", "参保率"]
_BRACKETS = ["〔〕", "[]", "【】", "（）", "﹝﹞"]


def _ms_percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    return round(s[min(len(s) - 1, max(0, round(q * len(s) + 0.5) - 1))], 3) if s else 0.0


def _build_config(projects: list[Any]) -> Any:
    """The analyzer configuration build_index derives from the corpus."""
    from ingest.docnumber import known_issuers
    from kg.search.analysis import AnalyzerConfig
    from kg.search.indexing import _issuer

    units = sorted({p.unit_name for p in projects if p.unit_name})
    issuers = sorted({i for p in projects for r in (*p.doc_refs, *p.basis_refs)
                      if (i := _issuer(r.canonical))})
    return AnalyzerConfig.default([*units, *sorted(known_issuers()), *issuers])


def segment_rates(projects: list[Any]) -> dict[str, Any]:
    """Seconds and chars/s to cut every index text once, with jieba and with rjieba (load excluded)."""
    from kg.search.analysis import Analyzer
    from kg.search.indexing import index_texts

    config = _build_config(projects)
    texts = [t for p in projects for t in index_texts(p).values() if t]
    out: dict[str, Any] = {"segment_texts": len(texts), "segment_chars": sum(map(len, texts))}
    for engine in ("jieba", "rjieba"):
        t0 = time.perf_counter()
        a = Analyzer(config, engine)
        out[f"{engine}_load_s"] = round(time.perf_counter() - t0, 3)
        folded = [a.fold(t) for t in texts]
        cut = a.segmenter.cut
        t0 = time.perf_counter()
        for t in folded:
            cut(t)
        s = time.perf_counter() - t0
        out[f"{engine}_segment_s"] = round(s, 3)
        out[f"{engine}_mchars_per_s"] = round(out["segment_chars"] / s / 1e6, 2)
    out["segment_floor_s"] = min(out["jieba_segment_s"], out["rjieba_segment_s"])
    return out


def query_mix(projects: list[Any], n: int, seed: int = 7) -> list[dict[str, Any]]:
    """n queries drawn (seeded) from the corpus: keywords, pairs, 文号 spellings, filtered keywords."""
    rng = random.Random(seed)
    refs = sorted({d for p in projects for d in p.doc_numbers})
    years = sorted({p.year for p in projects if p.year})
    units = sorted({p.unit_code for p in projects if p.unit_code})
    out: list[dict[str, Any]] = []
    kinds = ("word", "pair", "doc", "year", "unit", "doc_serial")
    while len(out) < n:
        kind = kinds[len(out) % len(kinds)]
        if kind == "word":
            out.append({"q": rng.choice(_WORDS)})
        elif kind == "pair":
            out.append({"q": " ".join(rng.sample(_WORDS, 2))})
        elif kind in ("doc", "doc_serial") and refs:
            issuer, rest = rng.choice(refs).split("〔", 1)
            year, rest = rest.split("〕", 1)
            seq = rest.rstrip("号")
            pair = rng.choice(_BRACKETS)  # opening and closing bracket
            o, c = pair[0], pair[1]
            forms = [f"{issuer}{o}{year}{c}{seq}号", f"{issuer}{year} {seq}"]
            out.append({"q": f"{seq}号" if kind == "doc_serial" else rng.choice(forms)})
        elif kind == "year" and years:
            out.append({"q": rng.choice(_WORDS), "year": rng.choice(years)})
        elif kind == "unit" and units:
            out.append({"q": rng.choice(_WORDS), "unit": rng.choice(units)})
        else:
            out.append({"q": rng.choice(_WORDS)})
    return out


def measure(projects: list[Any], profile: str, queries: list[dict[str, Any]],
            judged: list[Any], work: Path) -> dict[str, Any]:
    """Build the index for one profile and time the queries against it."""
    from kg.search import SearchIndex, build_index
    from kg.search.analysis import get_analyzer
    from kg.search.evaluation import evaluate
    from kg.settings import Settings

    settings = Settings(profile=profile)
    out_dir = work / f"search-{profile}"
    get_analyzer.cache_clear()  # the build sets its analyzer up, as `kg build` does
    t0 = time.perf_counter()
    counts = build_index(projects, out_dir, settings)
    build_s = time.perf_counter() - t0
    r: dict[str, Any] = {"profile": profile, "backend": counts["backend"],
                         "segmenter": counts["segmenter"], "index_build_s": round(build_s, 3),
                         "docs_per_s": round(len(projects) / build_s),
                         "disk_mb": round(sum(f.stat().st_size for f in out_dir.rglob("*")
                                              if f.is_file()) / 2**20, 2)}
    with SearchIndex(out_dir) as idx:
        idx.search(queries[0]["q"])  # first query opens term dictionaries; timed apart
        ms: list[float] = []
        for q in queries:
            t = time.perf_counter()
            idx.search(q["q"], year=q.get("year"), unit=q.get("unit"))
            ms.append((time.perf_counter() - t) * 1000)
        r.update(search_p50_ms=_ms_percentile(ms, 0.5), search_p95_ms=_ms_percentile(ms, 0.95),
                 search_queries=len(ms))
        if judged:
            ev = evaluate(idx, judged)
            jm = [s.seconds * 1000 for s in ev.scores]
            r.update(judged_p50_ms=_ms_percentile(jm, 0.5), judged_p95_ms=_ms_percentile(jm, 0.95),
                     ndcg10=round(ev.ndcg, 3))
    return r


def main(argv: list[str] | None = None) -> None:
    sys.path.insert(0, str(ROOT))
    from kg.corpus import load_corpus
    from kg.search.evaluation import load_judgments

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT / "data")
    ap.add_argument("--judgments", type=Path, default=None,
                    help="judged queries (default: tests/search_judgments.tsv for the sample)")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--profiles", nargs="+", default=["small", "large"], choices=["small", "large"])
    ap.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = ap.parse_args(argv)
    judgments = args.judgments
    if judgments is None and args.data.resolve() == (ROOT / "data").resolve():
        judgments = ROOT / "tests" / "search_judgments.tsv"

    t0 = time.perf_counter()
    corpus = load_corpus([args.data])
    projects = corpus.projects
    result: dict[str, Any] = {"data": str(args.data), "projects": len(projects),
                              "parse_s": round(time.perf_counter() - t0, 3)}
    result.update(segment_rates(projects))
    judged = load_judgments(judgments) if judgments else []
    queries = query_mix(projects, args.queries)
    work = Path(tempfile.mkdtemp(prefix="hrss-search-scale-"))
    try:
        for profile in args.profiles:
            r = measure(projects, profile, queries, judged, work)
            r["build_vs_floor"] = round(r["index_build_s"] / result["segment_floor_s"], 1)
            result[profile] = r
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"{result['projects']} projects, {result['segment_chars']:,} chars in "
          f"{result['segment_texts']:,} index texts")
    for e in ("jieba", "rjieba"):
        print(f"  segment {e:<7} {result[f'{e}_segment_s']:8.3f} s  "
              f"{result[f'{e}_mchars_per_s']:6.2f} M chars/s  (load {result[f'{e}_load_s']:.2f} s)")
    for profile in args.profiles:
        r = result[profile]
        line = (f"  {profile:<5} {r['backend']:<7}+{r['segmenter']:<6} build {r['index_build_s']:7.2f} s "
                f"({r['docs_per_s']:,} docs/s, {r['build_vs_floor']}× floor, {r['disk_mb']} MB)  "
                f"search p50 {r['search_p50_ms']:.2f} ms p95 {r['search_p95_ms']:.2f} ms")
        if judged:
            line += (f"  judged p50 {r['judged_p50_ms']:.2f} p95 {r['judged_p95_ms']:.2f} ms"
                     f" nDCG@10 {r['ndcg10']}")
        print(line)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), "utf-8")


if __name__ == "__main__":
    main()
