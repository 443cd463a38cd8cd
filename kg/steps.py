"""The steps of `kg build` and `kg add`, in the order they run; each gets the build context.

Each step writes into the new build directory and returns counts for the manifest. The graph step
writes every triple once: the theme and level schemes, then the records (kg.graph), the lineage
(kg.lineage.triples) and the findings (kg.audit.triples) through one writer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

from rdflib import Graph

from ingest.records import ParseResult

from kg.audit.engine import write_findings
from kg.audit.rules import ALL_RULES
from kg.context import BuildContext, Tagged
from kg.corpus import Corpus
from kg.doccard import write_cards
from ingest.regions import RegionIndex
from kg.graph import scheme_lines, write_own, write_regions, write_shared
from kg.jsonout import dumps
from kg.lineage.notice_triples import notice_regions
from kg.lineage.trace import Lineage
from kg.lineage.triples import write_lineage
from kg.lineage.nodes import write_nodes
from kg.audit.triples import write_findings_triples
from kg.projectpages import derive_pages, write_project_pages
from kg.rdf.ntriples import graph_from_lines
from kg.rdf.writer import Writer
from kg.search.indexing import SEARCH_DIR, build_index, stage_index
from kg.staging import can_stage, stage_oxigraph, write_relating
from kg.store import StoreLoad, write_store
from kg.totals import derive_totals, write_totals
from kg.units import write_units
from kg.workspace import DIAGNOSTICS_FILE, write_records

__all__ = ["STEPS", "Step", "Finishing", "GraphBegun", "graph_lines", "build_graph", "graph_step", "start_graph",
           "resume_graph"]


@dataclass
class Finishing:
    """A step's counts so far, and the work it left running (Oxigraph's bulk load) while the next
    steps run: `wait()` ends it and returns the rest of the counts; `cancel()` drops it."""

    counts: dict[str, Any]
    wait: Callable[[], dict[str, Any]]
    cancel: Callable[[], None]


Step = Callable[[BuildContext, Path], "dict[str, Any] | Finishing"]


def _relating(ctx: BuildContext, w: Writer) -> Iterator[str]:
    """What relates projects: units, documents, lineage, findings (rewritten whole by `kg add`)."""
    projects = ctx.corpus.projects
    yield from w.drain(write_shared(w, projects, ctx.units, ctx.issuers))
    regions = {u.region for u in ctx.units.values() if u.region} | notice_regions(ctx.lineage.notices)
    yield from w.drain(write_regions(w, regions, ctx.regions or RegionIndex.load()))
    yield from w.drain(write_lineage(ctx.lineage, w))
    yield from w.drain(write_findings_triples(w, ctx.findings, projects, ALL_RULES))


def _own(tagged: Tagged, w: Writer, results: Sequence[ParseResult]) -> Iterator[str]:
    """What the projects and narrative of these files state on their own (tagged: kg.context.tag_corpus)."""
    projects = [p for r in results for p in r.projects]
    narrative = [n for r in results for n in r.narrative]
    vocabulary, themes = tagged
    yield from w.drain(write_own(w, projects, narrative, themes, vocabulary))


def _tagged(ctx: BuildContext) -> Tagged:
    return ctx.vocabulary, ctx.themes


def graph_lines(ctx: BuildContext, out: Path | None = None) -> Iterator[str]:
    """The graph of a build as N-Triples lines, each triple once, streamed; with `out`, the relating
    lines are also kept in the build for a later `kg add` (kg.staging)."""
    yield from scheme_lines()
    w = Writer()
    yield from _own(_tagged(ctx), w, ctx.corpus.results)
    relating = _relating(ctx, w)
    yield from write_relating(relating, out) if out is not None else relating


class GraphBegun:
    """The load of a fresh Oxigraph store, begun with what needs no derived context.

    The schemes and the projects' own triples need only the records and their themes: a thread
    hands them to the store's loader (`kg.store.StoreLoad`). `kg build` begins it before deriving
    the rest of its context, so the load (Rust, off the GIL) starts a whole derive earlier; the
    graph step then adds the relating triples to the same load (`resume_graph`). The thread shares
    the GIL with derive, and the loader's queue holds it back to the loader's pace.
    """

    def __init__(self, corpus: Corpus, tagged: Tagged, out: Path) -> None:
        self.out = out
        self.load = StoreLoad(out)
        self.writer = Writer()
        self._errors: list[BaseException] = []
        self._thread = threading.Thread(target=self._feed, args=(corpus, tagged), name="graph-own-lines",
                                        daemon=True)
        self._thread.start()

    def _feed(self, corpus: Corpus, tagged: Tagged) -> None:
        try:
            self.load.put_lines(chain(scheme_lines(), _own(tagged, self.writer, corpus.results)))
        except BaseException as e:  # raised in the build's thread by join()
            self._errors.append(e)

    def join(self) -> None:
        """Wait until every own line is handed to the loader; the feeding thread's error, if any."""
        self._thread.join()
        if self._errors:
            raise self._errors[0]

    def cancel(self) -> None:
        """Stop feeding and loading (the build is being discarded)."""
        self.load.cancel()  # the feeding thread's next put() raises, so it ends
        self._thread.join()


def resume_graph(begun: GraphBegun, ctx: BuildContext, out: Path) -> Finishing:
    """The graph step of a build whose own triples `begun` is loading: the relating triples follow
    them into the same load (and into the build, for a later `kg add`), which runs on meanwhile."""
    load = begun.load
    try:
        begun.join()
        load.put_lines(write_relating(_relating(ctx, begun.writer), out))
    except BaseException:
        begun.cancel()
        raise
    return Finishing(_graph_counts(ctx, {"backend": "oxigraph"}),
                     lambda: _loaded(load), load.cancel)


def build_graph(ctx: BuildContext) -> Graph:
    """The graph of a build as an rdflib Graph (the memory store's form)."""
    return graph_from_lines(graph_lines(ctx))


def records_step(ctx: BuildContext, out: Path) -> dict[str, Any]:
    corpus = ctx.corpus
    write_records(out, corpus)
    (out / DIAGNOSTICS_FILE).write_text(
        dumps([{"file": d.file, "line": d.line, "message": d.message, "severity": d.severity,
                "locator": d.locator}
               for d in corpus.all_diagnostics()], indent=1),
        encoding="utf-8",
    )
    return {"files": len(corpus.results), "projects": len(corpus.projects), "notices": len(corpus.notices),
            "narrative": len(corpus.narrative), "units": write_units(ctx.units, out)}


def graph_step(ctx: BuildContext, out: Path) -> dict[str, Any]:
    """The graph, written to the store named by the settings (lines streamed in chunks).

    An addition to an Oxigraph build is staged on a copy of the published store (kg.staging): only
    the relating triples and the new files' own triples are written.
    """
    started = start_graph(ctx, out)
    if isinstance(started, Finishing):
        started.counts.update(started.wait())
        return started.counts
    return started


def start_graph(ctx: BuildContext, out: Path) -> dict[str, Any] | Finishing:
    """graph_step, leaving a fresh Oxigraph store loading in the background (`Finishing`)."""
    if ctx.staged_from is not None and can_stage(ctx.staged_from, ctx.settings.store):
        w = Writer()
        new = ctx.corpus.results[ctx.published_results:]
        info = stage_oxigraph(ctx.staged_from, out, _relating(ctx, w), _own(_tagged(ctx), w, new))
    elif ctx.settings.store == "oxigraph":
        # The store loads in the background while the next steps run (only Oxigraph is staged on);
        # `kg build` begins this load before deriving the context, the others here.
        return resume_graph(GraphBegun(ctx.corpus, _tagged(ctx), out), ctx, out)
    else:
        info = write_store(graph_lines(ctx), out, ctx.settings)
    return _graph_counts(ctx, info)


def _loaded(load: StoreLoad) -> dict[str, Any]:
    """The counts of a finished background load: triples, and the seconds the store took to compact."""
    info = load.wait()
    return {"triples": info["triples"], "compact_s": info["compact_s"]}


def _graph_counts(ctx: BuildContext, info: dict[str, Any]) -> dict[str, Any]:
    projects = ctx.corpus.projects
    return {"triples": info.get("triples"), "projects": len(projects), "documents": len(ctx.issuers),
            "units": len(ctx.units), "indicators": sum(len(p.indicators) for p in projects),
            "store": info["backend"], **({"loader": info["loader"]} if "loader" in info else {})}


def cards_step(ctx: BuildContext, out: Path) -> dict[str, Any]:
    return {"documents": write_cards(ctx.cards, out)}


def lineage_step(ctx: BuildContext, out: Path) -> dict[str, Any]:
    view = ctx.view
    write_nodes(view, out)
    kinds: dict[str, int] = {}
    for _, _, attrs in view.edges(data=True):
        kinds[attrs["kind"]] = kinds.get(attrs["kind"], 0) + 1
    return {"documents": sum(1 for _, k in view.nodes(data="kind") if k == "doc"),
            "allocations": kinds.get("allocates", 0), "links": kinds.get("continues", 0),
            "parents": kinds.get("parent", 0)}


def audit_step(ctx: BuildContext, out: Path) -> dict[str, Any]:
    return write_findings(ctx.findings, out)


def search_step(ctx: BuildContext, out: Path) -> dict[str, Any]:
    """The search index; an addition copies the published index and adds the new projects when that
    gives the same index (kg.search.indexing.stage_index)."""
    projects = ctx.corpus.projects
    if ctx.staged_from is not None:
        new = [p for r in ctx.corpus.results[ctx.published_results:] for p in r.projects]
        staged = stage_index(projects, new, ctx.staged_from, out, ctx.settings, ctx.units, ctx.themes)
        if staged is not None:
            return staged
    return build_index(projects, out / SEARCH_DIR, ctx.settings, units=ctx.units, themes=ctx.themes,
                       regions=ctx.regions)


def totals_step(ctx: BuildContext, out: Path) -> dict[str, Any]:
    """Budget totals per region, unit, theme and year (kg.totals), read by the 单位 and 年度对比 pages."""
    totals = derive_totals(ctx.corpus.projects, ctx.units, ctx.view.graph["regions"], ctx.themes,
                           ctx.lineage.links)
    return write_totals(totals, out)


def projects_step(ctx: BuildContext, out: Path) -> dict[str, Any]:
    """One item per project (record, themes, findings, history) and its index (kg.projectpages), read
    by the 项目 page one project at a time."""
    pages = derive_pages(ctx.corpus.results, ctx.themes, ctx.findings, Lineage(ctx.view))
    return write_project_pages(pages, out)


# (name, step), in the order they run. Each later issue adds its own line here.
STEPS: list[tuple[str, Step]] = [
    ("records", records_step),
    ("graph", start_graph),
    ("cards", cards_step),
    ("lineage", lineage_step),
    ("audit", audit_step),
    ("search", search_step),
    ("totals", totals_step),
    ("projects", projects_step),
]
