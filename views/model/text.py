"""Untrusted text (from a document, a URL parameter or a file name) made inert for where it is shown.

Streamlit reads Markdown in st.markdown, captions, titles, alerts, metric values and deltas, widget
and page-link labels; plotly reads a subset of HTML (`<a href>`, `<b>`, `<br>`) in labels, ticks and
hovers. A value such as `![x](http://…)` or `<a href=…>` must show as those characters, never make the
viewer's browser fetch a URL or offer a link. Tables (st.dataframe), st.text and st.code show text
as it is and need nothing.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Iterable
from typing import Any

__all__ = ["WORD_JOINER", "md_text", "md_lines", "highlight_md", "plot_text", "plot_lines", "shorten"]

# CommonMark lets a backslash escape every ASCII punctuation character, and an escaped character is
# always literal: no emphasis, link, image, code span, HTML, entity (`&lt;`), math (`$`) or
# Streamlit directive (`:red[…]`) can start from it. Line breaks would end a heading or a label.
_MD = str.maketrans({c: "\\" + c for c in string.punctuation} | {"\n": " ", "\r": " ", "\t": " "})
# GFM turns bare URLs and e-mail addresses into links after escapes are resolved (on the text), so
# escaping cannot stop it; a WORD JOINER (U+2060, invisible, no width) before "://", the dot of
# "www." and "@" breaks every autolink pattern while the text reads the same.
WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(?=\\:\\/\\/)|(?<=www)(?=\\\.)|(?=\\@)")


def md_text(value: Any) -> str:
    r"""A value as Markdown that shows exactly its characters on one line ("" for None).

        >>> md_text("**a** [b](c)")
        '\\*\\*a\\*\\* \\[b\\]\\(c\\)'
    """
    return "" if value is None else _AUTOLINK.sub(WORD_JOINER, str(value).translate(_MD))


def md_lines(values: Iterable[Any], sep: str = "  \n") -> str:
    """Several values as Markdown lines (hard line breaks between), each made inert by md_text."""
    return sep.join(md_text(v) for v in values)


def highlight_md(segments: Iterable[tuple[str, bool]]) -> str:
    """Text pieces of (text, matched) as inert Markdown with the matched pieces highlighted
    (neighbouring matches as one highlight)."""
    runs: list[tuple[str, bool]] = []
    for text, hit in segments:
        if runs and runs[-1][1] == hit:
            runs[-1] = (runs[-1][0] + text, hit)
        elif text:
            runs.append((text, hit))
    return "".join(f":orange-background[{md_text(t)}]" if hit else md_text(t) for t, hit in runs)


def plot_text(value: Any) -> str:
    """A value for a plotly label, tick or hover: its HTML characters as entities, which plotly shows
    as the characters themselves ("" for None)."""
    return "" if value is None else html.escape(str(value), quote=False)


def shorten(text: str, chars: int) -> str:
    """Text cut to at most `chars` characters, the cut marked with "…"."""
    return text if len(text) <= chars else text[: chars - 1] + "…"


def plot_lines(*values: Any) -> str:
    """Hover lines for plotly, each made inert by plot_text, joined by <br>."""
    return "<br>".join(plot_text(v) for v in values)
