"""Files replaced whole: written beside their final name, then renamed over it.

A reader opening the path sees the old file or the new one, never a half-written one; a write that
fails (disk full, an exception in the caller's loop, a generator closed early) leaves the old file as
it was and no temporary file behind.

    with replaced(path) as f:            # bytes; replaced(path, "w") for text (UTF-8)
        f.write(b"...")
    write_text(path, json.dumps(data))
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["replaced", "write_text"]


def _temp_beside(path: Path) -> Path:
    """A hidden name beside `path`, unique to this process and thread."""
    return path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")


@contextmanager
def replaced(path: Path | str, mode: str = "wb") -> Iterator[IO[Any]]:
    """A file opened for writing ("wb" or "w", UTF-8) that replaces `path` once the block ends
    without an error; on an error it is removed and `path` is left as it was."""
    if mode not in ("wb", "w"):
        raise ValueError(f"replaced() writes whole files: mode 'wb' or 'w', not {mode!r}")
    path = Path(path)
    tmp = _temp_beside(path)
    try:
        with open(tmp, mode, encoding="utf-8" if mode == "w" else None) as f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: Path | str, text: str) -> None:
    """Replace the file at `path` by `text` (UTF-8), whole."""
    with replaced(path, "w") as f:
        f.write(text)
