"""Read a source file as text: detect empty and binary files, decode UTF-8, UTF-16 or GB18030."""

from __future__ import annotations

import codecs
from pathlib import Path

from ingest.errors import SourceError

__all__ = ["decode_bytes", "read_source"]

# GB18030 is a superset of GBK and GB2312, so one attempt covers all three.
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > max(8, len(sample) // 100)


def decode_bytes(data: bytes, path: Path | str) -> tuple[str, str]:
    """Decode file contents; returns (text, encoding name). Raises SourceError naming the file."""
    if not data.strip():
        raise SourceError("file is empty", path)
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name.replace("-sig", "")
            except UnicodeDecodeError as e:
                raise SourceError(f"not valid {name} text: {e.reason}", path) from e
    if _looks_binary(data):
        raise SourceError("binary file, not text (a Word or PDF file must be saved as text first)", path)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        utf8_error = e
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as e:
        # Name the first line that is not UTF-8: most files are UTF-8 with one damaged stretch.
        line = data[: utf8_error.start].count(b"\n") + 1
        raise SourceError("text is neither UTF-8 nor GB18030/GBK", path, line) from e


def read_source(path: Path | str) -> tuple[str, str]:
    """Read and decode a file; line endings become \\n. Returns (text, encoding)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise SourceError(f"cannot read: {e.strerror or e}", p) from e
    text, encoding = decode_bytes(data, p)
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding
