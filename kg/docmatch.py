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

__all__ = ["DocNumbers", "DocQuery", "TITLE_KEY", "is_title_key", "title_of", "number_of"]

# A notice that prints no 文号 of its own is a document under its title: "title:<title>"
# (ingest.records.Notice.key). Such a key may hold a 文号 inside its title (关于转下达冀财社〔2021〕288号…),
# so it is told apart by its prefix, never by trying to parse it.
TITLE_KEY = "title:"


def is_title_key(key: str) -> bool:
    """Whether a document key is a title (a notice without a 文号 of its own), not a canonical 文号."""
    return key.startswith(TITLE_KEY)


def title_of(key: str) -> str | None:
    """The title of a title key; None for a 文号."""
    return key[len(TITLE_KEY):] if is_title_key(key) else None


def number_of(key: str) -> DocNumber | None:
    """The 文号 of a document key; None for a title key."""
    return None if is_title_key(key) else DocNumber.parse(key)


def _squash(text: str) -> str:
    return "".join(text.split())


class DocNumbers:
    """A set of 文号 as written (canonical), parsed once, in 文号 order; title keys are kept apart (for
    `match_title`), other text that is not a 文号 is left out."""

    def __init__(self, texts: Iterable[str]) -> None:
        parsed: list[tuple[DocNumber, str]] = []
        titles: list[str] = []
        for text in set(texts):
            if is_title_key(text):
                titles.append(text)
                continue
            try:
                parsed.append((DocNumber.parse(text), text))
            except DocNumberError:
                continue
        parsed.sort()
        self._docs = parsed
        self._titles = sorted(titles)

    def __len__(self) -> int:
        return len(self._docs)

    def __iter__(self) -> Iterator[str]:
        return (text for _, text in self._docs)

    def match(self, query: DocQuery) -> list[str]:
        """The texts whose 文号 the (possibly partial) query matches, in 文号 order."""
        return [text for doc, text in self._docs if query.matches(doc)]

    def match_title(self, text: str) -> list[str]:
        """The title keys whose title holds `text` (spaces ignored), in title order; [] for short text."""
        words = _squash(title_of(text) or text)
        if len(words) < 4:  # "通知", "资金": too short to name one notice
            return []
        return [key for key in self._titles if words in _squash(key[len(TITLE_KEY):])]
