"""The lines of a source file that a span names, numbered, to show as an excerpt of the original.

A span of a Word, Excel, PDF or web file is shown from the grid the parser read: the file is read
again through the same reader, and the span's rows are given as text, each after its place.
"""

from __future__ import annotations

from pathlib import Path

from ingest.errors import SourceError
from ingest.reader import load_bytes, read_source
from ingest.readers import read_document
from ingest.readers.adapter import excerpt_rows
from ingest.records import SourceSpan
from kg.corpus import Corpus
from kg.settings import Settings

__all__ = ["source_file", "source_excerpt"]


def source_file(settings: Settings, corpus: Corpus, name: str) -> Path | None:
    """The file a span names: the parsed path when the corpus has it, else under data_dir."""
    for r in corpus.results:
        p = Path(r.file)
        if (r.file == name or p.name == name) and p.is_file():
            return p
    direct = settings.data_dir / name
    if direct.is_file():
        return direct
    found = sorted(settings.data_dir.rglob(Path(name).name)) if settings.data_dir.is_dir() else []
    return found[0] if found else None


def source_excerpt(settings: Settings, corpus: Corpus, span: SourceSpan, context: int = 0) -> str:
    """Lines span.first_line..span.last_line (± context), each prefixed by its number; for a
    Word, Excel, PDF or web file the span's rows, cells joined by ` | `, each prefixed by its place
    (`第2页 表1 行5`, `绩效目标!A12`).

    Raises:
        SourceError: the file is no longer there or is shorter than the span.
    """
    path = source_file(settings, corpus, span.file)
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


def _grid_excerpt(path: Path, span: SourceSpan, context: int) -> str:
    try:
        doc, _ = read_document(path, load_bytes(path))
    except SourceError:
        raise
    except Exception as e:  # noqa: BLE001 - a file changed since the build must not break the page
        raise SourceError(f"无法读取源文件（{type(e).__name__}）", path) from e
    if doc is None:
        raise SourceError("源文件已不是表格文件（Word、Excel、PDF 或网页），无法按表格位置显示", path)
    rows = excerpt_rows(doc, span, context)
    if not rows:
        raise SourceError("源文件中已没有这段内容（文件在构建后可能被修改）", path)
    width = max(len(place) for place, _ in rows)
    # a cell's own line breaks stay, indented under the row's text so places keep their column
    return "\n".join(f"{place:<{width}}  {' | '.join(c.strip() for c in cells)}".rstrip()
                     .replace("\n", "\n" + " " * (width + 2)) for place, cells in rows)
