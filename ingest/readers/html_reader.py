"""Web pages → grid, with lxml: `<table>` with rowspan/colspan, paragraphs between, page chrome
(navigation, scripts, footers) left out, the page's declared charset honoured."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ingest.errors import SourceError
from ingest.readers.grid import Cell, Document, Paragraph, Table

__all__ = ["read_html", "decode_html"]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_SKIP = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "button", "select",
         "iframe", "head", "title", "template", "svg"}
# class/id words of site chrome on government portals (导航, 页脚, 分享 …)
_CHROME = re.compile(r"(^|[\s_-])(nav|menu|navbar|breadcrumb|crumb|footer|foot|header|sidebar|share|"
                     r"toolbar|banner|copyright|topbar|bottom)([\s_-]|$)", re.I)
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article",
          "blockquote", "pre", "dd", "dt", "dl", "center", "main", "body", "tr", "caption"}
_SPACE = re.compile(r"[ \t\r\n]+")  # what a browser collapses; &nbsp; stays a space


def decode_html(data: bytes, path: Path) -> str:
    """The page's text: BOM, then <meta charset>, then UTF-8, then GB18030."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name, errors="replace")
    m = _META_CHARSET.search(data[:4096])
    if m:
        name = m[1].decode("ascii").lower()
        if name in ("gb2312", "gbk", "x-gbk"):
            name = "gb18030"  # the superset: pages labelled gb2312 often hold GBK characters
        try:
            return data.decode(name)
        except LookupError:
            pass
        except UnicodeDecodeError as e:
            raise SourceError(f"the page declares charset {m[1].decode()} but is not valid {name}", path) from e
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def read_html(path: Path, data: bytes) -> Document:
    """Read a web page's tables and paragraphs in document order."""
    import lxml.html
    from lxml import etree

    text = decode_html(data, path)
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)  # lxml refuses an encoding declaration in a str
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as e:
        raise SourceError(f"not a readable web page ({e})", path) from e
    doc = Document("html")
    body = root.find("body")
    _walk(body if body is not None else root, doc, [])
    return doc


def _is_chrome(el) -> bool:
    if not isinstance(el.tag, str):
        return True  # comments, processing instructions
    if el.tag in _SKIP:
        return True
    marks = f"{el.get('class', '')} {el.get('id', '')}"
    return bool(marks.strip()) and bool(_CHROME.search(marks)) or el.get("hidden") is not None or \
        "display:none" in (el.get("style") or "").replace(" ", "")


def _walk(el, doc: Document, line: list[str]) -> None:
    """Append `el`'s paragraphs and tables to `doc`; `line` gathers inline text until a block ends."""
    for child in el:
        if _is_chrome(child):
            if isinstance(child.tag, str) and child.tail:
                line.append(child.tail)
            continue
        tag = child.tag
        if tag == "table" and child.find(".//table") is None:
            _flush(line, doc)
            doc.blocks.append(_table(child, len(doc.tables) + 1))
        elif tag == "table":
            # a layout table around the content: read what is inside its cells
            _flush(line, doc)
            for cell in child.iter("td", "th"):
                if not any(a is not cell and a.tag in ("td", "th") for a in _between(cell, child)):
                    _walk(cell, doc, line)
                    _flush(line, doc)
        elif tag == "br":
            _flush(line, doc)
        elif tag in _BLOCK:
            _flush(line, doc)
            if child.text:
                line.append(child.text)
            _walk(child, doc, line)
            _flush(line, doc, _anchor(child))
        else:
            if tag == "a" and child.get("name") and not (child.text or "").strip() and not len(child):
                line.append(f"\x00{child.get('name')}\x00")
            elif child.text:
                line.append(child.text)
            _walk(child, doc, line)
        if child.tail:
            line.append(child.tail)


def _between(cell, top):
    a = cell.getparent()
    while a is not None and a is not top:
        yield a
        a = a.getparent()


def _anchor(el) -> tuple[str, ...]:
    names = [a.get("name") or a.get("id") for a in el.iter("a") if a.get("name") or a.get("id")]
    return tuple(n for n in names if n and n.startswith("_Toc"))


def _flush(line: list[str], doc: Document, bookmarks: tuple[str, ...] = ()) -> None:
    raw = "".join(line)
    line.clear()
    marks = tuple(m for m in re.findall(r"\x00([^\x00]*)\x00", raw))
    raw = re.sub(r"\x00[^\x00]*\x00", "", raw)
    tabbed = "\t".join(_SPACE.sub(" ", part).strip().replace("\u00a0", " ") for part in raw.split("\t"))
    if tabbed.strip():
        keep = tuple(dict.fromkeys(bookmarks + tuple(m for m in marks if m.startswith("_Toc"))))
        doc.blocks.append(Paragraph(tabbed.strip(), bookmarks=keep))


def _cell_text(cell) -> str:
    """A cell's text, `<br>` and `<p>` as line breaks, runs of white space as one space."""
    parts: list[str] = []

    def walk(el) -> None:
        if el.text:
            parts.append(el.text)
        for child in el:
            if not isinstance(child.tag, str) or child.tag in _SKIP:
                pass
            elif child.tag == "br":
                parts.append("\n")
            elif child.tag in ("p", "div", "li"):
                parts.append("\n")
                walk(child)
                parts.append("\n")
            else:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(cell)
    lines = [_SPACE.sub(" ", ln).strip().replace("\u00a0", " ") for ln in "".join(parts).split("\n")]
    return "\n".join(ln for ln in lines if ln)


def _table(tbl, number: int) -> Table:
    """Cells on the grid, rowspan/colspan honoured (a position taken from above is skipped)."""
    cells: list[Cell] = []
    taken: set[tuple[int, int]] = set()
    rows = [tr for tr in tbl.iter("tr") if _owner(tr) is tbl]
    for r, tr in enumerate(rows):
        col = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
                continue
            while (r, col) in taken:
                col += 1
            rs = _int(td.get("rowspan"), len(rows) - r)
            cs = _int(td.get("colspan"), 1000)
            cells.append(Cell(_cell_text(td), r, col, rs, cs))
            for i in range(r, r + rs):
                for k in range(col, col + cs):
                    taken.add((i, k))
            col += cs
    return Table(cells, number)


def _owner(tr):
    a = tr.getparent()
    while a is not None and a.tag != "table":
        a = a.getparent()
    return a


def _int(value: str | None, most: int) -> int:
    try:
        return max(1, min(int(str(value).strip()), most)) if value else 1
    except ValueError:
        return 1
