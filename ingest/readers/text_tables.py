"""Text layouts beyond Word's two exports: pipe tables (`| a | b |`, as converters write them) and
rows of cells separated by runs of spaces (as `pdftotext -layout` or a copied web page gives them).

Each is detected per table: a run of pipe lines, or a run of lines that split into two or more cells
and hold a goal-table label. Their rows join the rows of the two Word layouts, each on its own line.
"""

from __future__ import annotations

import re

from ingest.rows import Row, split_rows

__all__ = ["has_text_tables", "text_rows"]

_PIPE = re.compile(r"^\s*\|.*\|\s*$")
_RULE_CHARS = frozenset("|-: \t")
_SPACE_SPLIT = re.compile(r"(?:[ \u00a0]{2,}|\u3000+)")
# labels that make a run of space-separated lines a goal table, not indented prose
_LABELS = ("项目编码", "项目名称", "一级指标", "预算数", "资金总额", "绩效目标", "年度目标", "资金支出计划",
           "预算单位", "实施单位", "单位名称")
_BR = re.compile(r"<br\s*/?>", re.I)


def has_text_tables(text: str) -> bool:
    """Cheap check: does the text hold a pipe table or a space-separated goal table?"""
    return "|" in text and any(_PIPE.match(ln) for ln in text.split("\n")) or \
        any(_space_cells(ln) for ln in text.split("\n") if "  " in ln or "\u3000" in ln)


def _space_cells(line: str) -> list[str] | None:
    if "\t" in line or not line.strip():
        return None
    cells = [c for c in _SPACE_SPLIT.split(line.strip()) if c]
    return cells if len(cells) >= 2 else None


def _is_rule(line: str) -> bool:
    """The `|---|:---:|` line under a pipe table's header."""
    return "---" in line and set(line) <= _RULE_CHARS


def _pipe_cells(line: str) -> list[str]:
    body = line.strip()[1:-1]
    # a converter escapes a literal pipe as \| and writes a line break inside a cell as <br>
    cells = re.split(r"(?<!\\)\|", body)
    return [_BR.sub("\n", c).replace("\\|", "|").strip() for c in cells]


def text_rows(lines: list[str]) -> list[Row]:
    """Rows of every layout in `lines` (index 0 is line 1), in line order."""
    extra: list[Row] = []
    rest = list(lines)
    i = 0
    while i < len(lines):
        if _PIPE.match(lines[i]):
            j = i
            while j < len(lines) and _PIPE.match(lines[j]):
                if not _is_rule(lines[j]):
                    cells = _pipe_cells(lines[j])
                    # merged cells come out empty or repeated; an empty first cell is a merge
                    extra.append(Row(tuple(cells), (j + 1,) * len(cells), "tab"))
                rest[j] = ""
                j += 1
            i = j
            continue
        if _space_cells(lines[i]) is not None:
            j = i
            run: list[tuple[int, list[str]]] = []
            while j < len(lines) and (found := _space_cells(lines[j])) is not None:
                run.append((j, found))
                j += 1
            if any(c.replace(" ", "").startswith(_LABELS) for _, cs in run for c in cs):
                for k, cs in run:
                    extra.append(Row(tuple(cs), (k + 1,) * len(cs), "tab"))
                    rest[k] = ""
            i = max(j, i + 1)
            continue
        i += 1
    if not extra:
        return split_rows(lines)
    rows = split_rows(rest) + extra
    rows.sort(key=lambda r: r.first)
    return rows
