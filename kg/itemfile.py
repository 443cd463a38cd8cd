"""Files of items stored one after another, each found by its (offset, length): a page reads the
items it shows and no other.

The build writes such a file once and keeps each item's span in an index of its own (totals.json
for the units' lines, projects.json for the project pages); a reader seeks to the spans it needs.

    spans = write_items(path, [(key, b'{"p": []}\\n'), …])   # key → (offset, length)
    read_items(path, [spans[key]])                           # [b'{"p": []}\\n']
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from kg.atomic import replaced

__all__ = ["Span", "write_items", "read_items"]

Span = tuple[int, int]  # (offset, length) in bytes
K = TypeVar("K", bound=Hashable)


def write_items(path: Path, items: Iterable[tuple[K, bytes]]) -> dict[K, Span]:
    """Write the items in order into `path` (atomically: a temporary file renamed); each key's span."""
    spans: dict[K, Span] = {}
    with replaced(path) as f:
        for key, raw in items:
            spans[key] = (f.tell(), len(raw))
            f.write(raw)
    return spans


def read_items(path: Path, spans: Sequence[Span]) -> list[bytes]:
    """The items at these spans, in the order given (read in file order, one open).

    Raises OSError when the file cannot be read, ValueError when it is shorter than a span.
    """
    out: list[bytes] = [b""] * len(spans)
    with path.open("rb") as f:
        for n in sorted(range(len(spans)), key=lambda i: spans[i][0]):
            offset, length = spans[n]
            f.seek(offset)
            raw = f.read(length)
            if len(raw) != length:
                raise ValueError(f"{path}: {length} bytes at {offset} wanted, {len(raw)} found")
            out[n] = raw
    return out
