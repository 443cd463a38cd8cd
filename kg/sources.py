"""data/sources.csv: the one list of sources added with `kg add` (paths relative to data/).

Header `path,region_code,sha256,added,original_name`. `kg add` copies a file under data/added/ and
appends its row; `kg build` reads every file under data/ plus these rows. A row whose file is missing
is reported, never dropped silently. `region_code` may be blank (the document decides).
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import HrssError
from ingest.records import Diagnostic
from ingest.regions import RegionIndex
from kg.atomic import replaced

__all__ = ["SOURCES_FILE", "ADDED_DIR", "HEADER", "SourceRow", "SourcesError", "read_sources",
           "append_sources", "sha256_of", "stored_name", "copy_into_data", "source_region"]

SOURCES_FILE = "sources.csv"
ADDED_DIR = "added"
HEADER = ("path", "region_code", "sha256", "added", "original_name")
_CHUNK = 1 << 20
_STEM_CHARS = 60  # 60 CJK characters are 180 bytes: with the hash and suffix well under NAME_MAX (255)
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|\s]+')


class SourcesError(HrssError):
    """data/sources.csv cannot be read or written."""


@dataclass(frozen=True)
class SourceRow:
    """One row of data/sources.csv."""

    path: str  # relative to data/
    region_code: str = ""
    sha256: str = ""
    added: str = ""
    original_name: str = ""

    def resolve(self, data_dir: Path) -> Path:
        return data_dir / self.path


def sha256_of(path: Path) -> str:
    """The file's content hash (hex), read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def read_sources(data_dir: Path) -> tuple[list[SourceRow], list[Diagnostic]]:
    """The rows of data/sources.csv (none when it does not exist) and a diagnostic per bad row or
    missing file."""
    path = data_dir / SOURCES_FILE
    if not path.exists():
        return [], []
    rows: list[SourceRow] = []
    problems: list[Diagnostic] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            if reader.fieldnames is None or "path" not in reader.fieldnames:
                raise SourcesError(f"{path}:1: expected the header {','.join(HEADER)}")
            for n, raw in enumerate(reader, start=2):
                rel = (raw.get("path") or "").strip()
                if not rel:
                    problems.append(Diagnostic(str(path), n, "sources.csv 行缺少 path，已跳过", "error"))
                    continue
                row = SourceRow(rel, *((raw.get(k) or "").strip() for k in HEADER[1:]))
                if not row.resolve(data_dir).is_file():
                    problems.append(Diagnostic(str(path), n, f"sources.csv 列出的文件不存在: {rel}", "error"))
                    continue
                rows.append(row)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise SourcesError(f"{path}: cannot read the sources list: {e}") from e
    return rows, problems


def append_sources(data_dir: Path, rows: Iterable[SourceRow]) -> None:
    """Append rows to data/sources.csv (written with its header when new), then fsync."""
    path = data_dir / SOURCES_FILE
    new = not path.exists()
    with path.open("a", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        if new:
            w.writerow(HEADER)
        for r in rows:
            w.writerow((r.path, r.region_code, r.sha256, r.added, r.original_name))
        f.flush()
        os.fsync(f.fileno())


def stored_name(original: str, sha256: str) -> str:
    """A safe, short file name for a source: the original's cleaned stem (at most 60 characters),
    12 hex digits of its SHA-256 and its suffix. ("预算 表?.TXT" → "预算_表_-1a2b3c4d5e6f.txt")"""
    name = unicodedata.normalize("NFC", original.replace("\\", "/")).rsplit("/", 1)[-1].strip()
    suffix = Path(name).suffix.lower()[:16]
    stem = _UNSAFE.sub("_", name[: len(name) - len(suffix)] if suffix else name).strip("._ ")
    return f"{stem[:_STEM_CHARS] or 'source'}-{sha256[:12]}{suffix}"


def copy_into_data(source: Path, data_dir: Path, sha256: str, original_name: str | None = None) -> SourceRow:
    """Copy a file under data/added/ under its stored name; the row keeps the name it came with."""
    name = original_name if original_name is not None else source.name
    folder = data_dir / ADDED_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / stored_name(name, sha256)
    with source.open("rb") as src, replaced(target) as dst:
        shutil.copyfileobj(src, dst)
    return SourceRow(str(target.relative_to(data_dir)), "", sha256, time.strftime("%Y-%m-%dT%H:%M:%S"), name)


def source_region(text: str, index: RegionIndex) -> str:
    """The division code a `kg add --region` value names: a code (a withdrawn one gives its successor)
    or a full name (涿鹿县, 张家口市涿鹿县); SourcesError when it names none or several."""
    text = text.strip()
    if text in index:
        return index.current(text)
    codes = sorted({index.current(c) for c in index.by_name(text)})
    if len(codes) == 1:
        return codes[0]
    if codes:
        raise SourcesError(f"地区 {text} 不唯一: " + "、".join(f"{c} {index.name(c)}" for c in codes)
                           + "；请用地区编码")
    raise SourcesError(f"没有这个地区: {text}（用 GB/T 2260 编码或全称，如 130731 或 涿鹿县）")
