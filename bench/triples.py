"""Triples per project, by subject class and by predicate: where the graph's size goes.

    python -m bench.triples --corpus /tmp/lean10k          # parse a data folder, count the build's lines
    python -m bench.triples --build indexes                # count the published build's store (or a build folder)
    python -m bench.triples --corpus data --json           # the same figures as JSON

`--corpus` parses the folder and derives the build context exactly as `kg build` does, then counts
the N-Triples lines the graph step would write (each distinct triple once, as a store holds it),
without writing a store. `--build` reads the triples of a build's store (memory, Oxigraph or
endpoint). A subject's class is its hk: type (the most specific one when it has several; another
vocabulary's type otherwise); a subject without rdf:type gets the class the ontology's rdfs:domain and
rdfs:range give it (an indicator is the object of hk:hasIndicator), `—` when none does. "Per project"
divides by the hk:Project count.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from kg.namespace import PREFIXES

__all__ = ["TripleCounts", "count_lines", "corpus_lines", "build_lines", "main"]

_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_PROJECT = f"<{PREFIXES['hk']}Project>"
# When a subject has several hk: types, the one named here first wins (a funding document is a Document).
_PREFERRED = ("Project", "Indicator", "PlanEntry", "SpendingPlan", "Mention", "Finding", "AuditRule",
              "Allocation", "CrossYearLink", "LinkEvidence", "BudgetUnit", "Document", "Issuer",
              "NarrativeItem", "SourceSpan", "IndicatorLevel")


def _short(term: str) -> str:
    """`hk:year` for `<https://w3id.org/hrss-kg/year>`; other IRIs by their known prefix."""
    value = term[1:-1] if term.startswith("<") else term
    best = ""
    for prefix, ns in PREFIXES.items():
        if value.startswith(ns) and len(ns) > len(best):
            best, name = ns, f"{prefix}:{value[len(ns):]}"
    return name if best else term


def _class_name(types: set[str]) -> str:
    local = {_short(t) for t in types}
    for name in _PREFERRED:
        if f"hk:{name}" in local:
            return name
    hk = sorted(t for t in local if t.startswith("hk:"))
    if hk:
        return hk[0][3:]
    return sorted(local)[0] if local else "—"


class TripleCounts:
    """Distinct triples counted by subject class, predicate, and both."""

    def __init__(self) -> None:
        self.total = 0
        self.projects = 0
        self.by_class: Counter[str] = Counter()
        self.by_predicate: Counter[str] = Counter()
        self.by_pair: Counter[tuple[str, str]] = Counter()

    def per_project(self, n: int) -> float:
        return n / self.projects if self.projects else float(n)

    def to_json(self) -> dict[str, Any]:
        return {
            "triples": self.total, "projects": self.projects,
            "per_project": round(self.per_project(self.total), 2),
            "by_class": {k: v for k, v in self.by_class.most_common()},
            "by_predicate": {k: v for k, v in self.by_predicate.most_common()},
            "by_class_predicate": [[c, p, v] for (c, p), v in self.by_pair.most_common()],
        }

    def table(self, top: int = 40) -> str:
        out = [f"{self.total:,} triples, {self.projects:,} projects: "
               f"{self.per_project(self.total):.1f} per project", ""]
        for title, counter in (("subject class", self.by_class), ("predicate", self.by_predicate)):
            out += [f"| {title} | triples | per project |", "|---|---:|---:|"]
            out += [f"| {k} | {v:,} | {self.per_project(v):.2f} |" for k, v in counter.most_common(top)]
            out.append("")
        out += ["| subject class | predicate | per project |", "|---|---|---:|"]
        out += [f"| {c} | {p} | {self.per_project(v):.2f} |" for (c, p), v in self.by_pair.most_common(top)]
        return "\n".join(out)


def _domains_ranges() -> tuple[dict[str, str], dict[str, str]]:
    """hk property → its rdfs:domain, and → its rdfs:range when that is a class, from ontology/hrss.ttl."""
    from rdflib import OWL, RDF, RDFS, Graph

    from kg.graph import ONTOLOGY_TTL

    g = Graph().parse(ONTOLOGY_TTL, format="turtle")
    classes = set(g.subjects(RDF.type, OWL.Class))
    domains = {f"<{p}>": f"<{d}>" for p, d in g.subject_objects(RDFS.domain)}
    ranges = {f"<{p}>": f"<{r}>" for p, r in g.subject_objects(RDFS.range) if r in classes}
    return domains, ranges


def count_lines(lines: Iterable[str]) -> TripleCounts:
    """Count N-Triples lines (IRIs without spaces, as kg and Oxigraph write them); duplicates once."""
    seen: set[int] = set()
    types: dict[str, set[str]] = {}
    implied: dict[str, set[str]] = {}
    domains, ranges = _domains_ranges()
    pairs: Counter[tuple[str, str]] = Counter()
    intern = sys.intern
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        h = hash(line)
        if h in seen:
            continue
        seen.add(h)
        s, p, rest = line.split(" ", 2)
        if p == _TYPE:
            types.setdefault(intern(s), set()).add(intern(rest[:-1].strip()))
        else:
            if p in domains:
                implied.setdefault(intern(s), set()).add(domains[p])
            if p in ranges and rest.startswith("<"):
                implied.setdefault(intern(rest[:-1].strip()), set()).add(ranges[p])
        pairs[(intern(s), intern(p))] += 1
    counts = TripleCounts()
    names = {s: _class_name(t) for s, t in implied.items()}
    names.update((s, _class_name(t)) for s, t in types.items())
    counts.projects = sum(1 for t in types.values() if _PROJECT in t)
    for (s, p), n in pairs.items():
        cls, pred = names.get(s, "—"), _short(p)
        counts.total += n
        counts.by_class[cls] += n
        counts.by_predicate[pred] += n
        counts.by_pair[(cls, pred)] += n
    return counts


def corpus_lines(data_dir: Path) -> Iterator[str]:
    """The graph lines a build of `data_dir` writes (parse, context, graph step's writer)."""
    from kg.context import derive_context
    from kg.corpus import Placement, find_sources, load_corpus
    from kg.settings import load_settings
    from kg.sources import read_sources
    from kg.steps import graph_lines

    settings = load_settings(data_dir=str(data_dir), store="memory")
    sources = find_sources([data_dir])
    seen = {s.resolve() for s in sources}
    rows, _ = read_sources(data_dir)  # data/sources.csv, as `kg build` reads it
    sources += [path for path in (row.resolve(data_dir) for row in rows) if path.resolve() not in seen]
    placement = Placement.load(Path(data_dir))
    corpus = load_corpus(sources, placement)
    ctx = derive_context(corpus, settings, regions=placement.index)
    yield from graph_lines(ctx)


def build_lines(path: Path) -> Iterator[str]:
    """The triples of a build's store as N-Triples lines; `path` is a build folder or an index folder."""
    from kg.settings import load_settings
    from kg.store import open_store
    from kg.workspace import Workspace

    build_dir = path if (path / "graph.json").is_file() else Workspace(path).current
    settings = load_settings(index_dir=str(path if build_dir != path else path.parent))
    with tempfile.TemporaryFile() as f:
        with open_store(settings, build_dir) as store:
            store.dump(f, "nt")
        f.seek(0)
        for raw in f:
            yield raw.decode("utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.triples", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--corpus", type=Path, help="a data folder (e.g. from bench.generate)")
    where.add_argument("--build", type=Path, help="an index folder (its published build) or a build folder")
    ap.add_argument("--json", action="store_true", help="JSON instead of Markdown tables")
    ap.add_argument("--top", type=int, default=40, help="rows per table (default 40)")
    args = ap.parse_args(argv)
    lines = corpus_lines(args.corpus) if args.corpus else build_lines(args.build)
    counts = count_lines(lines)
    print(json.dumps(counts.to_json(), ensure_ascii=False, indent=1) if args.json else counts.table(args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
