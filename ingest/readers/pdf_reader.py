"""Text PDFs → grid, with pdfplumber.

Ruled tables are found by their lines; a cell's spans come from its rectangle against the table's
column and row boundaries. Lines a cell or paragraph wrapped onto are joined back (a line that
stops short of the right edge ended a paragraph; one that reaches it wrapped). A table continued at
the top of the next page is joined to its start (a repeated header row dropped). Page numbers such
as `— 2 —` are dropped. Owner-password PDFs open; user-password and scanned PDFs get a message.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.errors import SourceError
from ingest.readers.grid import Cell, Document, Paragraph, Skipped, Table

__all__ = ["read_pdf"]

_PAGE_NUMBER = re.compile(
    r"^[\s—–\-－~·]*(?:第\s*\d+\s*页(?:\s*[,，]?\s*共\s*\d+\s*页)?|\d+(?:\s*/\s*\d+)?|[-—–]\s*\d+\s*[-—–])"
    r"[\s—–\-－~·]*$"
)
_EDGE = 0.1  # share of the page height at the top and bottom where headers and footers stand
# Closing punctuation may not start a line (Chinese line breaking), so the char before it wraps too.
_NO_LINE_START = set("，。、；：？！）》」』】〕”’,.;:?!)%")


def read_pdf(path: Path) -> Document:
    """Read a text PDF; raises SourceError when it needs a password or has no text at all."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(str(path))
        pages = pdf.pages
    except Exception as e:  # noqa: BLE001 - pdfplumber wraps pdfminer's many error types
        causes = [e, *e.args, e.__cause__, e.__context__]
        if any(isinstance(c, PDFPasswordIncorrect) for c in causes):
            raise SourceError("the PDF is encrypted with a password needed to open it; ask the sender "
                              "for a copy without one (or open it and print it to a new PDF)", path) from e
        inner = next((c for c in causes[1:] if isinstance(c, Exception)), e)
        raise SourceError(f"not a readable PDF file ({type(inner).__name__}: {inner})", path) from e
    doc = Document("pdf", pages=len(pages))
    with pdf:
        scanned = []
        page_blocks: list[list[Paragraph | Table | _Line]] = []
        for page in pages:
            try:
                blocks = _read_page(page, doc)
            except Exception as e:  # noqa: BLE001 - one damaged page must not lose the others
                doc.skipped.append(Skipped(f"p.{page.page_number}", f"page cannot be read ({e})"))
                page_blocks.append([])
                continue
            if blocks is None:
                scanned.append(page.page_number)
                page_blocks.append([])
                continue
            page_blocks.append(blocks)
        if scanned and len(scanned) == len(pages):
            raise SourceError(
                f"a scanned PDF: none of its {len(pages)} page(s) has a text layer, only images; "
                "run OCR on it first (for example `ocrmypdf -l chi_sim FILE out.pdf`) and add the result",
                path)
        for n in scanned:
            doc.skipped.append(Skipped(f"p.{n}", "no text layer (a scanned image); run OCR on it"))
    _assemble(page_blocks, doc)
    return doc


class _Line:
    """A text line outside tables, with what paragraph joining needs."""

    __slots__ = ("text", "x0", "x1", "top", "bottom", "size", "page", "first_width")

    def __init__(self, text, x0, x1, top, bottom, size, page, first_width):
        self.text, self.x0, self.x1, self.top, self.bottom = text, x0, x1, top, bottom
        self.size, self.page, self.first_width = size, page, first_width


def _read_page(page, doc: Document) -> list | None:
    """Tables and text lines of one page in reading order; None for a page with only images."""
    chars = [c for c in page.chars if c.get("upright", True)]
    if not any(c["text"].strip() for c in chars):
        return None if page.images or not chars else []
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    items: list[tuple[float, object]] = []
    for t in tables:
        items.append((t.bbox[1], _part(t, chars, page.page_number)))
    outside = [c for c in chars if not any(_inside(c, b) for b in boxes)]
    height = page.height
    for line in _lines(outside):
        text = "".join(ch for ch in line["text"]).strip()
        in_margin = line["top"] < height * _EDGE or line["bottom"] > height * (1 - _EDGE)
        if in_margin and len(text) <= 40 and _PAGE_NUMBER.match(text):
            continue  # page number in a header or footer
        items.append((line["top"], _Line(line["text"].rstrip(), line["x0"], line["x1"], line["top"],
                                          line["bottom"], line["size"], page.page_number,
                                          line["first_width"])))
    items.sort(key=lambda it: it[0])
    return [it[1] for it in items]


def _inside(c, box) -> bool:
    x = (c["x0"] + c["x1"]) / 2
    y = (c["top"] + c["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _lines(chars) -> list[dict]:
    """Chars grouped into visual lines, each sorted left to right; gaps without a space char become
    a space (a wide one, as a TAB stop leaves, a TAB)."""
    rows: list[list[dict]] = []
    for c in sorted(chars, key=lambda c: (round(c["top"], 0), c["x0"])):
        if rows and abs(rows[-1][0]["top"] - c["top"]) <= max(c["size"], 1) * 0.5:
            rows[-1].append(c)
        else:
            rows.append([c])
    out = []
    for row in rows:
        row.sort(key=lambda c: c["x0"])
        parts = []
        prev = None
        for c in row:
            if prev is not None and c["text"] != " " and prev["text"] != " ":
                gap = c["x0"] - prev["x1"]
                if gap > c["size"] * 2:
                    parts.append("\t")
                elif gap > c["size"] * 0.45:
                    parts.append(" ")
            parts.append(c["text"])
            prev = c
        text = "".join(parts)
        visible = [c for c in row if c["text"].strip()]
        if not visible:
            continue
        out.append({"text": text, "x0": visible[0]["x0"], "x1": visible[-1]["x1"], "top": row[0]["top"],
                    "bottom": max(c["bottom"] for c in row), "size": max(c["size"] for c in visible),
                    "first_width": _first_width(visible)})
    return out


_NO_LINE_END = set("（《「『【〔“‘([")
_WORD = re.compile(r"[A-Za-z0-9.\-/+%_@#&]")


def _first_width(visible: list[dict]) -> float:
    """The width the line's first unbreakable piece needed on the line above: opening brackets
    with what follows, a whole Latin word or number, a CJK char, and closing punctuation after."""
    width = 0.0
    i = 0
    while i < len(visible) - 1 and visible[i]["text"] in _NO_LINE_END:
        width += visible[i]["x1"] - visible[i]["x0"]
        i += 1
    if _WORD.match(visible[i]["text"]):
        while i < len(visible) and _WORD.match(visible[i]["text"]):
            width += visible[i]["x1"] - visible[i]["x0"]
            i += 1
    else:
        width += visible[i]["x1"] - visible[i]["x0"]
        i += 1
    while i < len(visible) and visible[i]["text"] in _NO_LINE_START:
        width += visible[i]["x1"] - visible[i]["x0"]
        i += 1
    return width


def _wraps(prev_x1: float, next_width: float, right: float) -> bool:
    return prev_x1 + next_width * 1.1 + 1 >= right


def _join_wrapped(lines: list[dict], right: float, left: float) -> str:
    """Lines of one cell or paragraph: a line that reached the right edge wrapped (joined back),
    one that stopped short ended a paragraph (a line break)."""
    out = ""
    for i, line in enumerate(lines):
        if i:
            prev = lines[i - 1]
            wrapped = _wraps(prev["x1"], line["first_width"], right)
            out = out + line["text"] if wrapped else out.rstrip() + "\n" + line["text"]
        else:
            out = line["text"]
    return out.strip()


class _Part:
    """One page's piece of a ruled table: cell rectangles with their text, before the grid."""

    __slots__ = ("boxes", "page", "left", "right")

    def __init__(self, boxes: list[tuple[tuple[float, float, float, float], str, bool]], page: int):
        self.boxes, self.page = boxes, page
        self.left = min(b[0][0] for b in boxes)
        self.right = max(b[0][2] for b in boxes)


def _part(table, chars, page_number: int) -> _Part:
    """A pdfplumber table → its cells' rectangles, text, and whether the text ran to the edge."""
    boxes = []
    for b in table.cells:
        lines = _lines([c for c in chars if _inside(c, b)])
        text, wrapped = "", False
        if lines:
            pad = max(lines[0]["x0"] - b[0], 0)
            text = _join_wrapped(lines, b[2] - pad, b[0] + pad)
            wrapped = _wraps(lines[-1]["x1"], lines[-1]["size"], b[2] - pad)
        boxes.append((b, text, wrapped))
    return _Part(boxes, page_number)


def _grid(parts: list[_Part], number: int) -> Table:
    """Parts of one table (its pages, in order) → cells with spans from the column boundaries
    of all parts and each part's row boundaries; a row split by a page break joined back."""
    xs = _dedup(sorted({round(b[0][k], 1) for p in parts for b in p.boxes for k in (0, 2)}))
    cells: list[Cell] = []
    pages: list[int] = []
    open_end: set[tuple[int, int]] = set()
    header: list[str] | None = None
    for n, part in enumerate(parts):
        ys = _dedup(sorted({round(b[0][k], 1) for b in part.boxes for k in (1, 3)}))
        mine = []
        for box, text, wrapped in part.boxes:
            c0, c1 = _index(xs, box[0]), _index(xs, box[2])
            r0, r1 = _index(ys, box[1]), _index(ys, box[3])
            mine.append((Cell(text, r0, c0, max(r1 - r0, 1), max(c1 - c0, 1)), wrapped))
        mine.sort(key=lambda cw: (cw[0].row, cw[0].col))
        skip = 0
        first_row = [c.text for c, _ in mine if c.row == 0]
        if n == 0:
            header = first_row
        elif first_row == header:
            skip = 1  # the header row repeated on the new page
        if n and pages:
            last = len(pages) - 1
            tail = {c.col: i for i, c in enumerate(cells) if c.row + c.row_span - 1 == last}
            head = [c for c, _ in mine if c.row == skip]
            if head and any(c.text for c in head) and all(
                    not c.text or (c.col in tail and (cells[tail[c.col]].row, c.col) in open_end)
                    for c in head):
                for c in head:
                    if c.text:
                        k = tail[c.col]
                        above = cells[k]
                        cells[k] = Cell(above.text + c.text, above.row, above.col, above.row_span,
                                        above.col_span)
                skip += 1
        offset = len(pages) - skip
        n_rows = max((c.row + c.row_span for c, _ in mine), default=0)
        for c, wrapped in mine:
            if c.row >= skip:
                cells.append(Cell(c.text, c.row + offset, c.col, c.row_span, c.col_span))
                if wrapped:
                    open_end.add((c.row + offset, c.col))
        pages += [part.page] * (n_rows - skip)
    return Table(cells, number, pages=pages)


def _dedup(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in values:
        if not out or v - out[-1] > 1.5:
            out.append(v)
    return out


def _index(bounds: list[float], v: float) -> int:
    return min(range(len(bounds)), key=lambda i: abs(bounds[i] - v))


def _assemble(page_blocks: list[list], doc: Document) -> None:
    """Join tables continued over pages and wrapped paragraph lines; number the tables."""
    lines = [b for blocks in page_blocks for b in blocks if isinstance(b, _Line)]
    right = max((ln.x1 for ln in lines), default=0.0)  # the text block's right edge
    left = min((ln.x0 for ln in lines), default=0.0)
    pending: list[_Line] = []
    chain: list[_Part] = []

    def flush() -> None:
        if pending:
            parts = [{"text": ln.text, "x1": ln.x1, "first_width": ln.first_width} for ln in pending]
            for para in _join_wrapped(parts, right, left).split("\n"):
                doc.blocks.append(Paragraph(para, page=pending[0].page))
            pending.clear()

    def close() -> None:
        if chain:
            doc.blocks.append(_grid(list(chain), len(doc.tables) + 1))
            chain.clear()

    for blocks in page_blocks:
        for k, b in enumerate(blocks):
            if isinstance(b, _Line):
                close()
                if pending and (b.top - pending[-1].bottom > pending[-1].size * 1.2 and
                                b.page == pending[-1].page):
                    flush()  # a blank line between: a new paragraph
                if pending and not _wraps(pending[-1].x1, b.first_width, right):
                    flush()
                pending.append(b)
                continue
            flush()
            # a table goes on only from the last block of a page to the first block of the next
            if not (k == 0 and chain and chain[-1].page == b.page - 1 and _continues(chain[-1], b)):
                close()
            chain.append(b)
        if blocks and not isinstance(blocks[-1], _Part):
            close()
    close()
    flush()


def _continues(first: _Part, nxt: _Part) -> bool:
    """The same table's outer edges: the piece on the next page continues it."""
    return abs(first.left - nxt.left) < 2 and abs(first.right - nxt.right) < 2
