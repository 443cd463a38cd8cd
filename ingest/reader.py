"""Read a source file as text, line by line damage included.

The file is checked before it is opened (a regular file, under the size cap), decoded as UTF-8,
UTF-16 (with BOM) or GB18030, and bytes that are not text are replaced with U+FFFD and reported
with their line, so one bad byte costs one line, never the file.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import SourceError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "REPLACEMENT",
    "SourceText",
    "clean_text",
    "damaged_lines",
    "decode_source",
    "display_name",
    "load_bytes",
    "load_source",
    "name_is_utf8",
    "read_source",
]

# Generous: the largest published 部门预算 text is a few MB; the cap only stops /dev/zero-like inputs.
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
REPLACEMENT = "\ufffd"

# GB18030 is a superset of GBK and GB2312, so one attempt covers all three.
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# C0/C1 control characters other than TAB, LF, VT, FF, CR: never text in a document, and a hazard in
# messages and literals. They are replaced like undecodable bytes (same length, so offsets hold).
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class SourceText:
    """A decoded source: text with \\n line ends, the encoding, and the lines where bytes were replaced."""

    text: str
    encoding: str

    @property
    def damaged(self) -> tuple[int, ...]:
        """The lines where bytes were replaced with U+FFFD."""
        return damaged_lines(self.text)


def display_name(path: Path | str | bytes) -> str:
    """The path as text; bytes that are not UTF-8 and control characters show as U+FFFD.

    Such a name would otherwise break every print of a message (or steer the terminal).
    """
    return _CONTROL.sub(REPLACEMENT, _name_text(path)[0])


def name_is_utf8(path: Path | str | bytes) -> bool:
    """False for a file name that load_source refuses (bytes that are not UTF-8)."""
    return _name_text(path)[1]


def _name_text(path: Path | str | bytes) -> tuple[str, bool]:
    """(the name decoded with U+FFFD for bad bytes, whether it was valid UTF-8)."""
    try:
        raw = os.fsencode(path)
    except UnicodeEncodeError:  # a lone surrogate that no file system produced
        return str(path).encode("utf-8", "replace").decode("utf-8"), False
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace"), False


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > max(8, len(sample) // 100)


def _non_ascii(text: str) -> int:
    return len(text) - len(text.encode("ascii", "ignore"))


def _decode_unmarked(data: bytes) -> tuple[str, str]:
    """UTF-8 when it fits, else GB18030; a few bad bytes in a UTF-8 file do not make it GB18030."""
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    utf8 = data.decode("utf-8", "replace")
    bad = utf8.count(REPLACEMENT)
    # Bytes of GBK text rarely form valid UTF-8 sequences (a few in a hundred), so a file with at
    # least as many valid multi-byte characters as bad bytes is UTF-8 with damage (a cut last
    # character, a flipped byte, a pasted GBK line), not GBK.
    if _non_ascii(utf8) - bad >= bad:
        return utf8, "utf-8"
    # GB18030 only on evidence: fewer bad bytes, and more than one two-byte character. A single
    # stray high byte in ASCII text would otherwise pair with the next character and vanish into it.
    gb = data.decode("gb18030", "replace")
    gb_bad = gb.count(REPLACEMENT)
    if gb_bad < bad and _non_ascii(gb) - gb_bad >= 2:
        return gb, "gb18030"
    return utf8, "utf-8"


def damaged_lines(text: str) -> tuple[int, ...]:
    """1-based numbers of the lines holding U+FFFD (bytes replaced on decoding)."""
    out: list[int] = []
    line, pos = 1, 0
    at = text.find(REPLACEMENT)
    while at >= 0:
        line += text.count("\n", pos, at)
        out.append(line)
        end = text.find("\n", at)
        if end < 0:
            break
        line += 1
        pos = end + 1
        at = text.find(REPLACEMENT, pos)
    return tuple(out)


def decode_source(data: bytes, path: Path | str) -> SourceText:
    """Decode file contents line by line. Raises SourceError for an empty or binary file."""
    if not data.strip():
        raise SourceError("file is empty", path)
    for bom, name in _BOMS:
        if data.startswith(bom):
            text, encoding = data.decode(name, "replace"), name.replace("-sig", "")
            break
    else:
        if _looks_binary(data):
            raise SourceError("binary file, not text (Word .docx, Excel .xlsx/.xls, PDF and web pages are read "
                              "under their own extension; an old .doc must be saved as .docx or text)", path)
        text, encoding = _decode_unmarked(data)
    return SourceText(clean_text(text), encoding)


def clean_text(text: str) -> str:
    """\n line ends, and control characters replaced with U+FFFD (same length, offsets hold)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A regex substitution, not str.translate with a table: that looks up every character in a dict
    # (about 1.5 s for 10 MB) where the regex scans in C.
    return _CONTROL.sub(REPLACEMENT, text) if _CONTROL.search(text) else text


def _open_regular(path: Path, shown: str, max_bytes: int) -> bytes:
    """The bytes of a regular file under the cap; anything else is refused before it is read."""
    try:
        st = os.stat(path)
    except OSError as e:
        raise SourceError(f"cannot read: {e.strerror or e}", shown) from e
    except ValueError as e:  # a NUL inside the name
        raise SourceError(f"cannot read: not a usable file name ({e})", shown) from e
    if stat.S_ISDIR(st.st_mode):
        raise SourceError("is a folder, not a file", shown)
    if not stat.S_ISREG(st.st_mode):
        raise SourceError("not a regular file (a FIFO, device or socket); not read", shown)
    if st.st_size > max_bytes:
        raise SourceError(f"file is {st.st_size:,} bytes, over the limit of {max_bytes:,} bytes; not read", shown)
    try:
        # O_NONBLOCK: should the file have been swapped for a FIFO since the stat, opening cannot hang.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise SourceError(f"cannot read: {e.strerror or e}", shown) from e
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise SourceError("not a regular file (a FIFO, device or socket); not read", shown)
        try:
            data = f.read(max_bytes + 1)
        except OSError as e:
            raise SourceError(f"cannot read: {e.strerror or e}", shown) from e
        except MemoryError as e:
            raise SourceError(f"not enough memory to read {st.st_size:,} bytes", shown) from e
    if len(data) > max_bytes:
        raise SourceError(f"file is over the limit of {max_bytes:,} bytes; not read", shown)
    return data


def load_source(path: Path | str, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceText:
    """Check, read and decode one file. Raises SourceError naming the file (and line when known)."""
    p = Path(os.fsdecode(path))
    shown = display_name(p)
    if not name_is_utf8(p):
        raise SourceError("file name is not valid UTF-8 (shown with U+FFFD); rename the file to load it", shown)
    return decode_source(_open_regular(p, shown, max_bytes), shown)


def load_bytes(path: Path | str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The checks of load_source, without decoding: the bytes of a Word, Excel, PDF or web file."""
    p = Path(os.fsdecode(path))
    shown = display_name(p)
    if not name_is_utf8(p):
        raise SourceError("file name is not valid UTF-8 (shown with U+FFFD); rename the file to load it", shown)
    return _open_regular(p, shown, max_bytes)


def read_source(path: Path | str, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, str]:
    """Read and decode a file; line endings become \\n. Returns (text, encoding)."""
    src = load_source(path, max_bytes)
    return src.text, src.encoding
