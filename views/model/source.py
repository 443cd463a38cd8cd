"""The lines of a source file that a span names, numbered, to show as an excerpt of the original.

A span of a Word, Excel, PDF or web file is shown from the grid the parser read: the file is read
again through the same reader, and the span's rows are given as text, each after its place.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from ingest.errors import SourceError
from ingest.reader import load_bytes, read_source
from ingest.readers import read_document
from ingest.readers.adapter import excerpt_region, excerpt_rows
from ingest.readers.grid import Document
from ingest.records import SourceSpan
from kg.settings import Settings

__all__ = ["source_file", "source_excerpt", "source_image"]


def source_file(settings: Settings, name: str, files: Iterable[str] = ()) -> Path | None:
    """The file a span names: one of `files` (paths the build parsed, e.g. a project page's file)
    when it is that file, else under data_dir."""
    for f in files:
        p = Path(f)
        if (f == name or p.name == name) and p.is_file():
            return p
    direct = settings.data_dir / name
    if direct.is_file():
        return direct
    found = sorted(settings.data_dir.rglob(Path(name).name)) if settings.data_dir.is_dir() else []
    return found[0] if found else None


def source_excerpt(settings: Settings, span: SourceSpan, files: Iterable[str] = (), context: int = 0) -> str:
    """Lines span.first_line..span.last_line (± context), each prefixed by its number; for a
    Word, Excel, PDF or web file the span's rows, cells joined by ` | `, each prefixed by its place
    (`第2页 表1 行5`, `绩效目标!A12`).

    Raises:
        SourceError: the file is no longer there or is shorter than the span.
    """
    path = source_file(settings, span.file, files)
    if path is None:
        raise SourceError("源文件不存在", Path(span.file))
    if not span.is_text:
        return _grid_excerpt(path, span, context)
    lines = read_source(path)[0].split("\n")
    if span.first_line > len(lines):
        raise SourceError(f"文件只有 {len(lines)} 行", path, span.first_line)
    first, last = max(1, span.first_line - context), min(len(lines), span.last_line + context)
    width = len(str(last))
    return "\n".join(f"{n:>{width}}  {lines[n - 1].rstrip()}" for n in range(first, last + 1))


def source_image(settings: Settings, span: SourceSpan, files: Iterable[str] = (),
                 resolution: int = 96) -> bytes | None:
    """The PDF page region of a span's table rows as PNG; None for other files and spans outside
    tables. Raises SourceError like source_excerpt."""
    path = source_file(settings, span.file, files)
    if path is None:
        raise SourceError("源文件不存在", Path(span.file))
    if span.is_text:
        return None
    doc = _document(path)
    if doc.kind != "pdf":
        return None
    region = excerpt_region(doc, span)
    if region is None:
        return None
    page_number, (x0, top, x1, bottom) = region
    import pdfplumber

    try:
        with pdfplumber.open(str(path)) as pdf:
            page = pdf.pages[page_number - 1]
            pad = 4.0
            box = (max(x0 - pad, 0), max(top - pad, 0), min(x1 + pad, page.width), min(bottom + pad, page.height))
            out = io.BytesIO()
            page.crop(box).to_image(resolution=resolution).original.save(out, format="PNG")
    except Exception as e:  # noqa: BLE001 - no picture is no reason to lose the page
        raise SourceError(f"无法生成 PDF 页面图像（{type(e).__name__}）", path) from e
    return out.getvalue()


def _document(path: Path) -> Document:
    """The file as the readers read it (kept for the few files a page shows, until it changes)."""
    try:
        stat = path.stat()
        return _read_cached(str(path), stat.st_mtime_ns, stat.st_size)
    except SourceError:
        raise
    except Exception as e:  # noqa: BLE001 - a file changed since the build must not break the page
        raise SourceError(f"无法读取源文件（{type(e).__name__}）", path) from e


@lru_cache(maxsize=4)
def _read_cached(path: str, mtime_ns: int, size: int) -> Document:
    doc, _ = read_document(Path(path), load_bytes(path))
    if doc is None:
        raise SourceError("源文件已不是表格文件（Word、Excel、PDF 或网页），无法按表格位置显示", path)
    return doc


def _grid_excerpt(path: Path, span: SourceSpan, context: int) -> str:
    doc = _document(path)
    rows = excerpt_rows(doc, span, context)
    if not rows:
        raise SourceError("源文件中已没有这段内容（文件在构建后可能被修改）", path)
    width = max(len(place) for place, _ in rows)
    # a cell's own line breaks stay, indented under the row's text so places keep their column
    return "\n".join(f"{place:<{width}}  {' | '.join(c.strip() for c in cells)}".rstrip()
                     .replace("\n", "\n" + " " * (width + 2)) for place, cells in rows)
