"""Which known documents a 文号 query names: the one partial-文号 match of hrss-kg.

The document cards, the lineage's trace and search each hold their documents' 文号 in a
`DocNumbers`, parsed and sorted once, and answer a partial query ("176号", "冀财社 2021") with it.

    >>> DocNumbers(["冀财社〔2021〕176号", "冀财社〔2021〕185号"]).match(DocQuery.parse("176号"))
    ['冀财社〔2021〕176号']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ingest.docnumber import DocNumber, DocQuery
from ingest.errors import DocNumberError

__all__ = ["DocNumbers", "DocQuery"]


class DocNumbers:
    """A set of 文号 as written (canonical), parsed once, in 文号 order; text that is not a 文号 is left out."""

    def __init__(self, texts: Iterable[str]) -> None:
        parsed: list[tuple[DocNumber, str]] = []
        for text in set(texts):
            try:
                parsed.append((DocNumber.parse(text), text))
            except DocNumberError:
                continue
        parsed.sort()
        self._docs = parsed

    def __len__(self) -> int:
        return len(self._docs)

    def __iter__(self) -> Iterator[str]:
        return (text for _, text in self._docs)

    def match(self, query: DocQuery) -> list[str]:
        """The texts whose 文号 the (possibly partial) query matches, in 文号 order."""
        return [text for doc, text in self._docs if query.matches(doc)]
