"""Folding text for 文号 matching, with a map from folded offsets back to the raw text.

Invisible characters (soft hyphen, zero-width, BOM, bidi and variation selectors) are removed;
compatibility ideographs, Kangxi radicals, full-width and small forms fold by NFKC (only where NFKC
gives one character); traditional characters fold to simplified one for one (ingest/docnumber/t2s.tsv);
Unicode spaces become ASCII spaces. Only removals change lengths, so a sorted list of removed positions
is enough to map back.

    >>> f = fold("冀財\\u200b社〔２０２１〕176號")
    >>> f.text, f.raw_span(0, len(f.text))
    ('冀财社〔2021〕176号', (0, 14))
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["FoldedText", "fold", "fold_text", "INVISIBLE"]

T2S_TSV = Path(__file__).resolve().parent / "t2s.tsv"

# Characters that print nothing: a soft hyphen or zero-width space inside 17\u00ad6 must not split it.
_INVISIBLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F),
    (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xE0100, 0xE01EF),
)
INVISIBLE = "".join(chr(c) for lo, hi in _INVISIBLE for c in range(lo, hi + 1))
_INVISIBLE_RE = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _INVISIBLE) + "]")

# Blocks whose NFKC form is the same character in its ordinary spelling (社 U+FA4C → 社, ⼈ → 人,
# ２ → 2, ﹝ → 〔, （ → (); elsewhere NFKC changes meaning (① → 1, ² → 2) and is not applied.
_NFKC_BLOCKS = (
    (0x2E80, 0x2EFF), (0x2F00, 0x2FDF), (0xF900, 0xFAFF), (0xFE10, 0xFE1F), (0xFE30, 0xFE6F),
    (0xFF01, 0xFF5E), (0x2F800, 0x2FA1F),
)
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"


@cache
def _table() -> dict[int, str | None]:
    """The one str.translate table: removals (None) and one-for-one folds."""
    t2s: dict[str, str] = {}
    with T2S_TSV.open(encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            src, dst = line.rstrip("\n").split("\t")
            t2s[src] = dst
    table: dict[int, str | None] = {ord(k): v for k, v in t2s.items()}
    for lo, hi in _NFKC_BLOCKS:
        for cp in range(lo, hi + 1):
            c = chr(cp)
            n = unicodedata.normalize("NFKC", c)
            if len(n) == 1 and n != c:
                table[cp] = t2s.get(n, n)  # a compatibility form of a traditional character
    for c in _SPACES:
        table[ord(c)] = " "
    for lo, hi in _INVISIBLE:
        table.update(dict.fromkeys(range(lo, hi + 1)))
    return table


@dataclass(frozen=True, slots=True)
class FoldedText:
    """A text folded for matching; `raw_span` maps a span of `text` back to `raw`."""

    raw: str
    text: str
    # For the j-th removed character: its folded position (raw position - j), nondecreasing.
    removed_at: tuple[int, ...] = ()

    def raw_offset(self, i: int) -> int:
        """Raw position of folded character i (len(text) → len(raw))."""
        if i >= len(self.text):
            return len(self.raw)
        return i + bisect_right(self.removed_at, i)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The raw [start, end) holding folded [start, end): first to last character, both kept."""
        if end <= start:
            at = self.raw_offset(start)
            return at, at
        return self.raw_offset(start), self.raw_offset(end - 1) + 1


def fold(text: str) -> FoldedText:
    """Fold a text for 文号 matching, keeping the way back to its raw offsets."""
    folded = text.translate(_table())
    if len(folded) == len(text):
        return FoldedText(text, folded)
    removed = tuple(m.start() - j for j, m in enumerate(_INVISIBLE_RE.finditer(text)))
    return FoldedText(text, folded, removed)


def fold_text(text: str) -> str:
    """The folded text alone (see `fold`)."""
    return text.translate(_table())
