"""The lines of a source file that a span names, numbered, to show as an excerpt of the original."""

from __future__ import annotations

from pathlib import Path

from ingest.errors import SourceError
from ingest.reader import read_source
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
    """Lines span.first_line..span.last_line (± context), each prefixed by its number.

    Raises:
        SourceError: the file is no longer there or is shorter than the span.
    """
    path = source_file(settings, corpus, span.file)
    if path is None:
        raise SourceError("源文件不存在", Path(span.file))
    lines = read_source(path)[0].split("\n")
    if span.first_line > len(lines):
        raise SourceError(f"文件只有 {len(lines)} 行", path, span.first_line)
    first, last = max(1, span.first_line - context), min(len(lines), span.last_line + context)
    width = len(str(last))
    return "\n".join(f"{n:>{width}}  {lines[n - 1].rstrip()}" for n in range(first, last + 1))
