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

import queue
import threading
from collections.abc import Generator, Iterable, Iterator
from decimal import Decimal
from itertools import islice
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef

from kg.namespace import PREFIXES

__all__ = ["iri", "lit", "lang", "integer", "decimal", "typed", "from_rdflib", "to_rdflib", "line",
           "split", "to_triples", "Terms", "XSD_INTEGER", "XSD_DECIMAL", "XSD_BOOLEAN", "XSD_GYEAR",
           "TRUE", "chunks", "graph_from_lines"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_INTEGER = f"{_XSD}integer"
XSD_DECIMAL = f"{_XSD}decimal"
XSD_BOOLEAN = f"{_XSD}boolean"
XSD_GYEAR = f"{_XSD}gYear"
TRUE = f'"true"^^<{XSD_BOOLEAN}>'
_ESCAPE = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_UNESCAPE = {"\\\\": "\\", '\\"': '"', "\\n": "\n", "\\r": "\r", "\\t": "\t"}


def iri(value: str) -> str:
    """`<value>`; IRIs built by kg are percent-encoded already."""
    return f"<{value}>"


def _escaped(value: str) -> str:
    # most values hold none of the four characters: a scan for each is far cheaper than translate()
    if type(value) is not str or "\\" in value or '"' in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPE)
    return value


def lit(value: str) -> str:
    """A plain string literal."""
    return f'"{_escaped(value)}"'


def lang(value: str, tag: str) -> str:
    """A language-tagged literal (`"…"@zh`)."""
    return f'"{_escaped(value)}"@{tag}'


def integer(value: int) -> str:
    return f'"{value}"^^<{XSD_INTEGER}>'


def decimal(value: Decimal) -> str:
    """An xsd:decimal with the lexical form as printed (Decimal("10.00") → "10.00")."""
    return f'"{format(value, "f")}"^^<{XSD_DECIMAL}>'


def typed(lexical: str, datatype: str) -> str:
    return f'"{_escaped(lexical)}"^^<{datatype}>'


def line(s: str, p: str, o: str) -> str:
    return f"{s} {p} {o} .\n"


def split(text: str) -> tuple[str, str, str]:
    """(subject, predicate, object) of a line written by this module (its IRIs hold no spaces)."""
    s, p, rest = text.split(" ", 2)
    return s, p, rest[:-3]


class Terms:
    """The N-Triples forms of a namespace's terms, checked by the namespace once, then cached.

        >>> from rdflib import RDF
        >>> Terms(RDF).type
        '<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>'

    A closed namespace (HK, rdflib's DCTERMS …) still rejects a misspelt term.
    """

    def __init__(self, namespace: Any) -> None:
        self._ns = namespace

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        value = f"<{getattr(self._ns, name)}>"
        setattr(self, name, value)
        return value


def from_rdflib(term: Any) -> str:
    """An rdflib term (or an N-Triples string, returned as is) in N-Triples form."""
    if isinstance(term, str) and not isinstance(term, (URIRef, Literal, BNode)):
        return term
    if isinstance(term, URIRef):
        return f"<{term}>"
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


def to_rdflib(term: str, iris: dict[str, URIRef] | None = None) -> Any:
    """An N-Triples term written by this module as an rdflib term; `iris` shares the IRIs already
    made (one object per IRI in a graph)."""
    first = term[0]
    if first == "<":
        if iris is None:
            return URIRef(term[1:-1])
        hit = iris.get(term)
        if hit is None:
            hit = iris[term] = URIRef(term[1:-1])
        return hit
    if first == "_":
        return BNode(term[2:])
    if term[-1] == '"':
        return Literal(_unescape(term[1:-1]))
    if term[-1] == ">":
        at = term.rfind('"^^<')
        return Literal(_unescape(term[1:at]), datatype=to_rdflib(term[at + 3:], iris))
    at = term.rfind('"@')
    return Literal(_unescape(term[1:at]), lang=term[at + 2:])


def to_triples(lines: Iterable[str]) -> Iterator[tuple[Any, Any, Any]]:
    """rdflib (s, p, o) triples of lines written by this module, for callers wanting rdflib terms."""
    iris: dict[str, URIRef] = {}  # per call: one URIRef per IRI, dropped with the triples' reader
    for ln in lines:
        s, p, o = split(ln)
        yield to_rdflib(s, iris), to_rdflib(p, iris), to_rdflib(o, iris)


_PIECE = 10_000  # lines encoded at a time: a chunk is never held as text, only as UTF-8


def _joined(lines: Iterable[str], size: int) -> Generator[bytes, None, None]:
    it = iter(lines)
    while True:
        pieces: list[bytes] = []
        count = 0
        while count < size:
            batch = list(islice(it, min(_PIECE, size - count)))
            if not batch:
                break
            pieces.append("".join(batch).encode("utf-8"))
            count += len(batch)
        if not pieces:
            return
        yield pieces[0] if len(pieces) == 1 else b"".join(pieces)
        if count < size:
            return


def chunks(lines: Iterable[str], size: int, *, ahead: int = 0) -> Iterator[bytes]:
    """N-Triples lines joined into UTF-8 chunks of `size` lines.

    With `ahead` ≥ 1 the lines are produced and joined in a background thread, up to `ahead` chunks
    ahead of the consumer: while a loader that releases the GIL (Oxigraph's bulk loader, an HTTP
    POST) takes one chunk, the graph builder writes the next. Up to `ahead` + 2 chunks are then held
    at once, so keep `size` small. An error in `lines` is raised here.
    """
    if ahead < 1:
        yield from _joined(lines, size)
        return
    q: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def put(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        source = _joined(lines, size)
        try:
            for chunk in source:
                if not put(("chunk", chunk)):
                    return
            put(("done", None))
        except BaseException as e:  # handed to the consumer, raised in its thread
            put(("error", e))
        finally:
            source.close()

    worker = threading.Thread(target=produce, name="ntriples-chunks", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = q.get()
            if kind == "chunk":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        stop.set()
        worker.join()


def graph_from_lines(lines: Iterable[str]) -> Graph:
    """An rdflib Graph of N-Triples lines written by kg (the memory store's form)."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    add = g.add
    for triple in to_triples(lines):
        add(triple)
    return g
