"""SHACL validation of the graph against ontology/shapes.ttl (pyshacl).

Violations are structural defects (the validation fails); warnings are defects of the source
document the parser already reports (shown, not failing). Nothing is fixed: the report says what
and where.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SH

from ingest.errors import HrssError
from kg.namespace import HK
from kg.settings import Settings
from kg.store import open_store

__all__ = ["ShapeResult", "ValidationReport", "SHAPES_TTL", "validate_graph", "validate_build"]

SHAPES_TTL = Path(__file__).resolve().parent.parent / "ontology" / "shapes.ttl"


@dataclass(frozen=True)
class ShapeResult:
    """One SHACL result: severity (Violation, Warning, Info), focus node, path, value, message, and
    the source location of the focus node when the graph knows it."""

    severity: str
    focus: str
    path: str | None
    value: str | None
    message: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file else ""
        return f"{where}[{self.severity}] {self.message} — {self.focus}"


@dataclass
class ValidationReport:
    """All results; `conforms` is True when there is no Violation (warnings do not fail)."""

    results: list[ShapeResult] = field(default_factory=list)

    @property
    def violations(self) -> list[ShapeResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ShapeResult]:
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def to_json(self) -> dict[str, Any]:
        return {"conforms": self.conforms, "violations": len(self.violations),
                "warnings": len(self.warnings), "results": [vars(r) for r in self.results]}


@cache
def _shapes(path: Path) -> Graph:
    try:
        return Graph().parse(path, format="turtle")
    except Exception as e:  # rdflib raises several unrelated types on bad Turtle
        raise HrssError(f"{path}: cannot read the SHACL shapes: {e}") from e


def _location(g: Graph, focus: Any) -> tuple[str | None, int | None]:
    """The file and first line of a focus node: its own, or (an indicator row, a mention, a finding)
    the lines of its row and the file of its project; a notice's allocation row stands in its
    notice's file unless it names its own."""
    row = g.value(focus, HK.aboutIndicator)
    lined = row if row is not None and g.value(focus, HK.firstLine) is None else focus
    line = g.value(lined, HK.firstLine)
    file = g.value(focus, HK.sourceFile)
    if file is None:
        parent = (g.value(None, HK.hasIndicator, lined) or g.value(focus, HK.inProject)
                  or g.value(focus, HK.aboutProject) or g.value(focus, HK.allocationOf))
        file = g.value(parent, HK.sourceFile) if parent is not None else None
    if file is None:
        return None, None
    return str(file), int(str(line)) if line is not None else None


def validate_graph(graph: Graph, shapes: Path | None = None) -> ValidationReport:
    """Validate a graph; returns every result, sorted by source location."""
    import pyshacl

    shapes_graph = _shapes((shapes or SHAPES_TTL).resolve())
    _, report_graph, _ = pyshacl.validate(graph, shacl_graph=shapes_graph, inference="none",
                                          advanced=True, allow_warnings=True)
    results = []
    for r in report_graph.subjects(RDF.type, SH.ValidationResult):
        severity = report_graph.value(r, SH.resultSeverity)
        focus = report_graph.value(r, SH.focusNode)
        path = report_graph.value(r, SH.resultPath)
        value = report_graph.value(r, SH.value)
        messages = [m for m in report_graph.objects(r, SH.resultMessage) if isinstance(m, Literal)]
        zh = [m for m in messages if m.language == "zh"] or messages
        file, line = _location(graph, focus)
        results.append(ShapeResult(
            severity=str(severity).rsplit("#", 1)[-1] if isinstance(severity, URIRef) else "Violation",
            focus=str(focus),
            path=str(path) if path is not None else None,
            value=str(value) if value is not None else None,
            message=str(zh[0]) if zh else "SHACL constraint not met",
            file=file, line=line))
    results.sort(key=lambda r: (r.severity != "Violation", r.file or "", r.line or 0, r.focus, r.message))
    return ValidationReport(results)


def validate_build(settings: Settings, build_dir: Path | None = None) -> ValidationReport:
    """Validate the graph of the published build (or of build_dir)."""
    with open_store(settings, build_dir) as store:
        return validate_graph(store.to_graph())
