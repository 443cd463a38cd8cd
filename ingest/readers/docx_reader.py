"""Word .docx → grid, with python-docx: real merged cells (gridSpan, vMerge), bookmarks, no TOC."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ingest.errors import SourceError
from ingest.readers.grid import Cell, Document, Paragraph, Skipped, Table

__all__ = ["read_docx"]


def read_docx(path: Path) -> Document:
    """Read a .docx file; raises SourceError when it is not one."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        word = docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as e:
        raise SourceError("not a readable Word .docx file (damaged, or not a zip package)", path) from e
    doc = Document("docx")
    # style id → name once: python-docx's own lookup scans every style for each paragraph
    names = {st.style_id: (st.name or "") for st in word.styles}
    _read_body(word.element.body, doc, word, names)
    return doc


def _read_body(body, doc: Document, word, names: dict[str, str]) -> None:
    from docx.oxml.ns import qn

    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            para = _paragraph(child, word, names)
            if para is not None:
                doc.blocks.append(para)
        elif child.tag == qn("w:tbl"):
            doc.blocks.append(_table(child, len(doc.tables) + 1, word))
        elif child.tag == qn("w:sdt"):
            gallery = child.find(".//" + qn("w:docPartGallery"))
            if gallery is not None and "Table of Contents" in (gallery.get(qn("w:val")) or ""):
                doc.skipped.append(Skipped("table of contents", "a table of contents, not content"))
                continue
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                _read_body(content, doc, word, names)


def _paragraph(p, word, names: dict[str, str]) -> Paragraph | None:
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph as WordParagraph

    para = WordParagraph(p, word)
    style = names.get(p.style or "", "")
    if style.lower().startswith("toc"):
        return None  # table-of-contents entries repeat the headings with page numbers
    text = para.text
    if not text.strip():
        return None
    marks = tuple(
        name for b in p.iter(qn("w:bookmarkStart"))
        if (name := b.get(qn("w:name"))) and name != "_GoBack"
    )
    return Paragraph(text, bookmarks=marks)


def _table(tbl, number: int, word) -> Table:
    """The grid of a w:tbl: gridSpan widens a cell, vMerge="continue" lengthens the one above."""
    from docx.oxml.ns import qn
    from docx.table import _Cell

    cells: list[Cell] = []
    open_by_col: dict[int, int] = {}  # grid column → index in `cells` of the cell a vMerge continues
    for r, tr in enumerate(tbl.iterchildren(qn("w:tr"))):
        col = 0
        before = tr.find(f"{qn('w:trPr')}/{qn('w:gridBefore')}")
        if before is not None:
            col = int(before.get(qn("w:val")) or 0)
        for tc in tr.iterchildren(qn("w:tc")):
            pr = tc.find(qn("w:tcPr"))
            span = 1
            merge = None
            if pr is not None:
                gs = pr.find(qn("w:gridSpan"))
                if gs is not None:
                    span = int(gs.get(qn("w:val")) or 1)
                vm = pr.find(qn("w:vMerge"))
                if vm is not None:
                    merge = vm.get(qn("w:val")) or "continue"
            if merge == "continue" and col in open_by_col:
                k = open_by_col[col]
                above = cells[k]
                cells[k] = Cell(above.text, above.row, above.col, r - above.row + 1, above.col_span)
            else:
                text = _Cell(tc, tbl).text
                cells.append(Cell(text, r, col, 1, span))
                for c in range(col, col + span):
                    open_by_col.pop(c, None)
                open_by_col[col] = len(cells) - 1
            col += span
    return Table(cells, number)
