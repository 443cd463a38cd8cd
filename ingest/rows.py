"""Both table layouts → one stream of rows, each cell with its source line.

Word exports a table either as TAB-separated rows (one row per line) or as one cell per line
(each cell a line starting with TAB, a blank line ending the row). Plain paragraphs are text rows.

The heading patterns are matched on stripped text and never pair a lazy repeat with trailing
white space, so a line with a long run of spaces costs time linear in its length.
"""

from __future__ import annotations

import re

from ingest.memo import remembered

__all__ = ["Row", "split_rows", "norm_label", "LABEL_CHARS", "match_table_heading", "match_section_heading",
           "match_part_heading", "BOOKMARK"]

BOOKMARK = re.compile(r"^\s*\[bookmark:[^\]]*\]\s*")
_NUMERAL = "一二三四五六七八九十百零〇"
_TABLE_HEADING = re.compile(r"(?P<seq>\d{1,4})(?:\s*+[.．、]\s*+|\s++|$)(?P<title>.*)$")
# On stripped text only: the title then ends with a non-space, so no trailing \s* is needed.
_SECTION_HEADING = re.compile(rf"(?P<num>[{_NUMERAL}]++)\s*+[、.．]\s*+(?P<title>\S.*)$")
_PART_HEADING = re.compile(rf"\s*+第\s*+[{_NUMERAL}\d]++\s*+部分\s*+(?P<title>.*)$")
# Section titles of a 部门预算绩效目标 document; used when the file carries no bookmarks.
SECTION_TITLES = (
    "总体绩效目标", "分项绩效目标", "工作保障措施", "部门整体绩效目标", "部门职责", "机构设置",
    "预算项目绩效目标", "项目支出绩效目标", "部门概况", "绩效目标",
)


class Row:
    """One table row or text paragraph; `lines[i]` is the source line of `cells[i]`."""

    __slots__ = ("cells", "lines", "kind", "first", "last", "key")

    def __init__(self, cells: tuple[str, ...], lines: tuple[int, ...], kind: str, end: int | None = None):
        self.cells = cells
        self.lines = lines
        self.kind = kind  # tab (TAB-separated line) | cells (one cell per line) | text (paragraph)
        self.first = lines[0]
        # the last source line; later than the last cell's line when a cell ran on over lines
        self.last = max(lines[-1], end or 0)
        # the first non-blank cell, normalised, for matching labels
        self.key = next((norm_label(c) for c in cells if c and not c.isspace()), "")

    def __repr__(self) -> str:
        return f"Row({self.cells!r}, {self.lines!r}, {self.kind!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Row) and (self.cells, self.lines, self.kind, self.last) == (
            other.cells, other.lines, other.kind, other.last)

    __hash__ = None  # type: ignore[assignment]

    @property
    def text(self) -> str:
        """The non-blank cells joined by a space."""
        return " ".join(c for c in self.cells if c)

    @property
    def is_text(self) -> bool:
        return self.kind == "text"


_SPACE = re.compile(r"\s+")


# Labels are short; a long cell is normalised without the cache, so the cache never pins megabytes.
LABEL_CHARS = 64


@remembered(maxsize=65536, longest=LABEL_CHARS)
def norm_label(cell: str) -> str:
    """Label text without white space and with ASCII colons ("其中：财政    资金" → "其中:财政资金")."""
    return _SPACE.sub("", cell).replace("：", ":")


def _cell_line(line: str) -> bool:
    # A cell line starts with TAB and holds one cell; trailing TABs are padding left by the export.
    # A TAB row whose first cell is blank also starts with TAB, but has more TABs inside.
    return line.startswith("\t") and "\t" not in line[1:].rstrip("\t")


def split_rows(lines: list[str]) -> list[Row]:
    """Tokenise lines (index 0 is line 1) into rows of either layout and text paragraphs."""
    rows: list[Row] = []
    # Each cell of the current block as a list of its lines, joined once at the end of the block
    # (joining as we go would copy a cell running on over many lines once per line).
    block_cells: list[list[str]] = []
    block_lines: list[int] = []
    block_end = 0

    def flush() -> None:
        if block_cells:
            end = block_end if block_end > block_lines[-1] else None
            cells = tuple("\n".join(parts) for parts in block_cells)
            rows.append(Row(cells, tuple(block_lines), "cells", end))
            block_cells.clear()
            block_lines.clear()

    for no, raw in enumerate(lines, start=1):
        line = raw.rstrip("\n")
        if _cell_line(line):
            block_cells.append([line[1:].rstrip("\t").strip()])
            block_lines.append(no)
            continue
        if block_cells and line.strip() and "\t" not in line and not _is_heading(line):
            # A line break inside a cell: in the one-cell-per-line layout the text runs on
            # without the leading TAB until the next cell line or the blank line ending the row.
            parts = block_cells[-1]
            if parts == [""]:
                parts[0] = line.strip()
            else:
                parts.append(line.strip())
            block_end = no
            continue
        flush()
        if "\t" in line:
            cells = [c.strip() for c in line.split("\t")]
            rows.append(Row(tuple(cells), tuple([no] * len(cells)), "tab"))
        elif line.strip():
            rows.append(Row((line.strip(),), (no,), "text"))
    flush()
    return rows


def _is_heading(line: str) -> bool:
    table = match_table_heading(line)
    return bool(BOOKMARK.match(line) or match_part_heading(line) or _SECTION_HEADING.match(line.strip())
                or (table and (table[1] is None or "绩效目标" in table[1])))


def match_table_heading(text: str) -> tuple[str | None, str | None] | None:
    """("11", "冀财社…绩效目标表") for a table heading, (seq, None) for a bare number; else None."""
    body = BOOKMARK.sub("", text).strip()
    m = _TABLE_HEADING.match(body)
    if m:
        title = m["title"].strip() or None
        if title is None or "绩效目标" in title or not _SECTION_HEADING.match(body):
            return m["seq"], title
        return None
    if body.endswith("绩效目标表"):
        return None, body
    return None


def match_section_heading(text: str, bookmarks_used: bool) -> str | None:
    """The section title of a heading such as "[bookmark: …]三、工作保障措施"; None otherwise."""
    has_bookmark = bool(BOOKMARK.match(text))
    body = BOOKMARK.sub("", text).strip()
    m = _SECTION_HEADING.match(body)
    if m is None:
        return None
    title = m["title"]
    if has_bookmark or (not bookmarks_used and title in SECTION_TITLES):
        return title
    return None


def match_part_heading(text: str) -> bool:
    """True for a part heading such as 第一部分."""
    return bool(_PART_HEADING.match(BOOKMARK.sub("", text)))
