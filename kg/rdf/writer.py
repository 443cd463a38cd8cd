"""The one N-Triples writer: records become lines here, each triple once.

The graph, the lineage and the audit each add their records to one `Writer` per build. A fact's
source is written on the fact itself (`Writer.source`): hk:sourceFile, hk:firstLine, hk:lastLine
when the span is longer than one line, and hk:place for a page/table/rows or sheet/cells place, so
no span needs a node of its own. A child of a project (indicator, mention, finding) leaves the file
out when it is its project's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

from rdflib import RDF, RDFS
from rdflib.namespace import DCTERMS, ORG, PROV, SKOS

from ingest.records import SourceSpan
from kg.namespace import HK
from kg.rdf import ntriples as N

__all__ = ["Writer", "A", "LABEL", "HKT", "DCT", "SKOST", "ORGT", "PROVT", "place", "canonical_decimal"]

HKT, DCT, SKOST, ORGT, PROVT = (N.Terms(ns) for ns in (HK, DCTERMS, SKOS, ORG, PROV))
A = N.Terms(RDF).type
LABEL = N.Terms(RDFS).label

_FLUSH = 10_000  # lines held before a contributor hands them on


def canonical_decimal(digits: str) -> str:
    """The canonical xsd:decimal form of plain digits, as Oxigraph gives it back: "10.50" → "10.5",
    "10.00" → "10"."""
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    return digits or "0"


def place(span: SourceSpan) -> str | None:
    """The place of a span inside its file, without the file: `p.3 table 2 rows 5-9`,
    `Sheet1!A5:L9`, `paragraph 12`; None for a span of a text file (its lines say it all)."""
    if span.is_text:
        return None
    return span.locator[len(span.file) + 1:]


class Writer:
    """Collects N-Triples lines; `take()` hands over what has been written since the last call."""

    def __init__(self) -> None:
        self.out: list[str] = []
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
        """An xsd:decimal as printed; with `printed`, the same digits as a string too when a store
        that keeps decimals by value would lose them ("1384.00" comes back as 1384, "9.14" as is)."""
        if value is not None:
            digits = format(value, "f")
            self.out.append(f"{s} {p} {N.decimal(value)} .\n")
            if printed is not None and digits != canonical_decimal(digits):
                self.out.append(f"{s} {printed} {N.lit(digits)} .\n")

    def source(self, s: str, span: SourceSpan, in_file: str | None = None) -> None:
        """Where `s` stands, as its own properties: the file (left out when it is `in_file`, the
        file of the project `s` belongs to), the first line, the last line when the span is longer
        than one line, and the place in a Word, PDF, Excel or web file."""
        if span.file != in_file:
            self.add(s, HKT.sourceFile, N.lit(span.file))
        self.add(s, HKT.firstLine, N.integer(span.first_line))
        if span.last_line != span.first_line:
            self.add(s, HKT.lastLine, N.integer(span.last_line))
        where = place(span)
        if where:
            self.add(s, HKT.place, N.lit(where))

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
