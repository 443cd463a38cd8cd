"""The steps of `kg build` and `kg add`, in the order they run; each gets the build context.

Each step writes into the new build directory and returns counts for the manifest. The graph step
writes every triple once: the theme and level schemes, then the records (kg.graph), the lineage
(kg.lineage.triples) and the findings (kg.audit.triples) through one writer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rdflib import Graph

from kg.audit.engine import write_findings
from kg.audit.rules import ALL_RULES
from kg.context import BuildContext
from kg.doccard import write_cards
from kg.graph import scheme_lines, write_records as write_record_triples
from kg.jsonout import dumps
from kg.lineage.triples import write_lineage
from kg.lineage.view import write_view
from kg.audit.triples import write_findings_triples
from kg.rdf.ntriples import graph_from_lines
from kg.rdf.writer import Writer
from kg.search.indexing import SEARCH_DIR, build_index
from kg.store import write_store
from kg.units import write_units
from kg.workspace import write_records

__all__ = ["STEPS", "Step", "graph_lines", "build_graph"]

Step = Callable[[BuildContext, Path], dict[str, Any]]


def graph_lines(ctx: BuildContext) -> Iterator[str]:
    """The graph of a build as N-Triples lines, each triple once, streamed."""
    yield from scheme_lines()
    corpus = ctx.corpus
    w = Writer()
    yield from w.drain(write_record_triples(w, corpus.projects, corpus.narrative, ctx.units, ctx.issuers,
                                            ctx.themes, ctx.vocabulary))
    yield from w.drain(write_lineage(ctx.lineage, w))
    yield from w.drain(write_findings_triples(w, ctx.findings, corpus.projects, ALL_RULES))


def build_graph(ctx: BuildContext) -> Graph:
    """The graph of a build as an rdflib Graph (the memory store's form)."""
    return graph_from_lines(graph_lines(ctx))


def records_step(ctx: BuildContext, out: Path) -> dict[str, Any]:
    corpus = ctx.corpus
    write_records(out, corpus)
    (out / "diagnostics.json").write_text(
        dumps([{"file": d.file, "line": d.line, "message": d.message, "severity": d.severity}
               for d in corpus.all_diagnostics()], indent=1),
        encoding="utf-8",
    )
    return {"files": len(corpus.results), "projects": len(corpus.projects),
            "narrative": len(corpus.narrative), "units": write_units(ctx.units, out)}


def graph_step(ctx: BuildContext, out: Path) -> dict[str, Any]:
    """The graph, written to the store named by the settings (lines streamed in chunks)."""
    info = write_store(graph_lines(ctx), out, ctx.settings)
    projects = ctx.corpus.projects
    return {"triples": info["triples"], "projects": len(projects), "documents": len(ctx.issuers),
            "units": len(ctx.units), "indicators": sum(len(p.indicators) for p in projects),
            "store": info["backend"]}


def cards_step(ctx: BuildContext, out: Path) -> dict[str, Any]:
    return {"documents": write_cards(ctx.cards, out)}


def lineage_step(ctx: BuildContext, out: Path) -> dict[str, Any]:
    view = ctx.view
    write_view(view, out)
    kinds: dict[str, int] = {}
    for _, _, attrs in view.edges(data=True):
        kinds[attrs["kind"]] = kinds.get(attrs["kind"], 0) + 1
    return {"documents": sum(1 for _, k in view.nodes(data="kind") if k == "doc"),
            "allocations": kinds.get("allocates", 0), "links": kinds.get("continues", 0),
            "parents": kinds.get("parent", 0)}


def audit_step(ctx: BuildContext, out: Path) -> dict[str, Any]:
    return write_findings(ctx.findings, out)


def search_step(ctx: BuildContext, out: Path) -> dict[str, Any]:
    return build_index(ctx.corpus.projects, out / SEARCH_DIR, ctx.settings, units=ctx.units,
                       themes=ctx.themes)


# (name, step), in the order they run. Each later issue adds its own line here.
STEPS: list[tuple[str, Step]] = [
    ("records", records_step),
    ("graph", graph_step),
    ("cards", cards_step),
    ("lineage", lineage_step),
    ("audit", audit_step),
    ("search", search_step),
]
