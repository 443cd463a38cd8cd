"""RDF terms as N-Triples text: the one form the graph builder writes, for every store.

The builder produces each triple once as three N-Triples terms (`<iri>`, `"text"`,
`"10.00"^^<…#decimal>`); the Oxigraph store and a SPARQL endpoint take them as N-Triples bytes, the
memory store turns them into rdflib terms. No rdflib object is made on the scale path.

    >>> lit("冀财社〔2021〕176号")
    '"冀财社〔2021〕176号"'
    >>> to_rdflib(decimal(Decimal("10.00")))
    rdflib.term.Literal('10.00', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal'))
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import cache
from typing import Any

from rdflib import BNode, Literal, URIRef

__all__ = ["iri", "lit", "integer", "decimal", "typed", "from_rdflib", "to_rdflib", "line",
           "XSD_INTEGER", "XSD_DECIMAL", "XSD_BOOLEAN", "XSD_GYEAR", "TRUE", "chunks"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_INTEGER = f"{_XSD}integer"
XSD_DECIMAL = f"{_XSD}decimal"
XSD_BOOLEAN = f"{_XSD}boolean"
XSD_GYEAR = f"{_XSD}gYear"
TRUE = f'"true"^^<{XSD_BOOLEAN}>'
_ESCAPE = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_UNESCAPE = {"\\\\": "\\", '\\"': '"', "\\n": "\n", "\\r": "\r", "\\t": "\t"}


@cache
def iri(value: str) -> str:
    """`<value>`; IRIs built by kg are percent-encoded already."""
    return f"<{value}>"


def lit(value: str) -> str:
    """A plain string literal."""
    return f'"{value.translate(_ESCAPE)}"'


def integer(value: int) -> str:
    return f'"{value}"^^<{XSD_INTEGER}>'


def decimal(value: Decimal) -> str:
    """An xsd:decimal with the lexical form as printed (Decimal("10.00") → "10.00")."""
    return f'"{format(value, "f")}"^^<{XSD_DECIMAL}>'


def typed(lexical: str, datatype: str) -> str:
    return f'"{lexical.translate(_ESCAPE)}"^^<{datatype}>'


def line(s: str, p: str, o: str) -> str:
    return f"{s} {p} {o} .\n"


_FROM: dict[Any, str] = {}


def from_rdflib(term: Any) -> str:
    """An rdflib term (or an N-Triples string, returned as is) in N-Triples form."""
    if isinstance(term, str) and not isinstance(term, (URIRef, Literal, BNode)):
        return term
    hit = _FROM.get(term) if isinstance(term, URIRef) else None
    if hit is not None:
        return hit
    if isinstance(term, URIRef):
        out = _FROM[term] = f"<{term}>"
        return out
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        text = f'"{str(term).translate(_ESCAPE)}"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None:
            return f"{text}^^<{term.datatype}>"
        return text
    raise TypeError(f"not an RDF term: {term!r}")


_TO: dict[str, Any] = {}


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out, i = [], 0
    while i < len(text):
        pair = text[i:i + 2]
        if pair in _UNESCAPE:
            out.append(_UNESCAPE[pair])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def to_rdflib(term: str) -> Any:
    """An N-Triples term written by this module as an rdflib term (IRIs cached)."""
    first = term[0]
    if first == "<":
        hit = _TO.get(term)
        if hit is None:
            hit = _TO[term] = URIRef(term[1:-1])
        return hit
    if first == "_":
        return BNode(term[2:])
    if term[-1] == '"':
        return Literal(_unescape(term[1:-1]))
    if term[-1] == ">":
        at = term.rfind('"^^<')
        return Literal(_unescape(term[1:at]), datatype=to_rdflib(term[at + 3:]))
    at = term.rfind('"@')
    return Literal(_unescape(term[1:at]), lang=term[at + 2:])


def chunks(lines: Iterable[str], size: int) -> Iterator[bytes]:
    """N-Triples lines joined into UTF-8 chunks of about `size` lines."""
    batch: list[str] = []
    for ln in lines:
        batch.append(ln)
        if len(batch) >= size:
            yield "".join(batch).encode("utf-8")
            batch = []
    if batch:
        yield "".join(batch).encode("utf-8")
