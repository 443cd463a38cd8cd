"""The one N-Triples writer: records become lines here, each triple once.

The graph, the lineage and the audit each add their records to one `Writer` per build; it remembers
the source spans and documents it has written, so a span cited by a project, a finding and a row of
documents.csv is described once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

from rdflib import RDF, RDFS
from rdflib.namespace import DCTERMS, ORG, PROV, SKOS

from ingest.records import SourceSpan
from kg.namespace import HK
from kg.rdf import iri
from kg.rdf import ntriples as N

__all__ = ["Writer", "A", "LABEL", "DERIVED", "HKT", "DCT", "SKOST", "ORGT", "PROVT"]

HKT, DCT, SKOST, ORGT, PROVT = (N.Terms(ns) for ns in (HK, DCTERMS, SKOS, ORG, PROV))
A = N.Terms(RDF).type
LABEL = N.Terms(RDFS).label
DERIVED = PROVT.wasDerivedFrom

_FLUSH = 10_000  # lines held before a contributor hands them on


class Writer:
    """Collects N-Triples lines; `take()` hands over what has been written since the last call."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self._spans: set[str] = set()
        self._once: set[tuple[str, str, str]] = set()

    def add(self, s: str, p: str, o: str) -> None:
        self.out.append(f"{s} {p} {o} .\n")

    def once(self, s: str, p: str, o: str) -> None:
        """A triple that several records state (a document's kind, a raw spelling): written once."""
        key = (s, p, o)
        if key not in self._once:
            self._once.add(key)
            self.out.append(f"{s} {p} {o} .\n")

    def lit(self, s: str, p: str, value: str | int | None) -> None:
        """A string or integer literal; nothing for None or ""."""
        if value is None or value == "":
            return
        self.out.append(f"{s} {p} {N.integer(value) if isinstance(value, int) else N.lit(value)} .\n")

    def amount(self, s: str, p: str, value: Decimal | None, printed: str | None = None) -> None:
        """An xsd:decimal as printed, and with `printed` the same digits as a string."""
        if value is not None:
            self.out.append(f"{s} {p} {N.decimal(value)} .\n")
            if printed is not None:
                self.out.append(f"{s} {printed} {N.lit(format(value, 'f'))} .\n")

    def span(self, span: SourceSpan) -> iri.Iri:
        """The span's IRI; its file and lines are written the first time it is cited."""
        s = iri.span(span)
        if s not in self._spans:
            self._spans.add(s)
            self.add(s, A, HKT.SourceSpan)
            self.add(s, HKT.sourceFile, N.lit(span.file))
            self.add(s, HKT.firstLine, N.integer(span.first_line))
            self.add(s, HKT.lastLine, N.integer(span.last_line))
        return s

    def derived(self, s: str, span: SourceSpan) -> None:
        self.add(s, DERIVED, self.span(span))

    def take(self) -> list[str]:
        out, self.out = self.out, []
        return out

    def full(self) -> bool:
        return len(self.out) >= _FLUSH

    def drain(self, parts: Iterable[None]) -> Iterator[str]:
        """Run a contributor (a generator that writes and yields when `full()`), streaming its lines."""
        for _ in parts:
            yield from self.take()
        yield from self.take()
