"""Files in and out of the UI: an upload is staged, parsed, then added (or discarded); the graph is
exported by kg.export as bytes to download."""

from __future__ import annotations

import csv
import hashlib
import re
import shutil
import tempfile
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from ingest import SUPPORTED_SUFFIXES, ParseResult, parse_file
from ingest.errors import HrssError
from kg.export import export_store
from kg.settings import Settings
from kg.store import Store

__all__ = [
    "UPLOAD_DIR", "UPLOAD_SUFFIXES", "ORIGINALS", "EXPORT_FORMATS", "UploadError", "StagedUpload",
    "stored_name", "stage_upload", "parse_upload", "upload_loaded", "accept_upload", "discard_upload",
    "original_names", "export_bytes",
]

UPLOAD_DIR = "uploads"
UPLOAD_SUFFIXES = SUPPORTED_SUFFIXES  # the types ingest reads (and kg build finds under data/)
_STAGING = ".staging"  # a dot folder: kg.corpus.find_sources skips it, so a staged file is never built
# stored name → name as uploaded, in data_dir/uploads (a dot file: never read as a document)
ORIGINALS = ".originals.csv"
_ORIGINALS_HEADER = ["stored_name", "original_name", "sha256", "added"]
_STEM_CHARS = 60  # 60 CJK characters are 180 bytes: with the hash and suffix well under NAME_MAX (255)
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|\s]+')

# format → (label, MIME type)
EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "ttl": ("Turtle（.ttl）", "text/turtle"),
    "jsonld": ("JSON-LD（.jsonld）", "application/ld+json"),
    "nt": ("N-Triples（.nt）", "application/n-triples"),
    "csv": ("CSV（项目与指标，zip）", "application/zip"),
    "xlsx": ("Excel（.xlsx）", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


class UploadError(HrssError):
    """An uploaded file that cannot be taken (wrong type, empty name), or an unknown export format."""


@dataclass(frozen=True)
class StagedUpload:
    """An upload written to the staging folder under its stored name, with the name it was uploaded as."""

    path: Path
    original_name: str
    sha256: str


def stored_name(filename: str, data: bytes) -> str:
    """A safe, short file name unique to the upload's content: its cleaned stem (at most 60
    characters), 12 hex digits of its SHA-256 and its suffix. ("预算 表?.TXT" → "预算_表_-1a2b3c4d5e6f.txt")

    Raises:
        UploadError: the name is empty or the type is not one kg build reads.
    """
    name = unicodedata.normalize("NFC", filename.replace("\\", "/")).rsplit("/", 1)[-1].strip()
    suffix = Path(name).suffix.lower()
    if not name.strip(". "):
        raise UploadError(f"文件名无效: {filename!r}")
    if suffix not in UPLOAD_SUFFIXES:
        raise UploadError(f"暂只支持 {'、'.join(UPLOAD_SUFFIXES)} 文件: {name}")
    stem = _UNSAFE.sub("_", name[: -len(suffix)]).strip("._ ")[:_STEM_CHARS] or "upload"
    return f"{stem}-{hashlib.sha256(data).hexdigest()[:12]}{suffix}"


def stage_upload(settings: Settings, filename: str, data: bytes) -> StagedUpload:
    """Write an uploaded file, under its stored name, into a staging folder under data_dir/uploads
    (never built from there).

    Raises:
        UploadError: the name is empty or the type is not one kg build reads.
    """
    name = stored_name(filename, data)
    staging = settings.data_dir / UPLOAD_DIR / _STAGING / f"{time.time_ns()}"
    staging.mkdir(parents=True, exist_ok=True)
    path = staging / name
    path.write_bytes(data)
    return StagedUpload(path, filename, hashlib.sha256(data).hexdigest())


def parse_upload(staged: StagedUpload) -> ParseResult:
    """Parse a staged upload; messages name the file by the name it was uploaded as."""
    return parse_file(staged.path, name=staged.original_name)


def upload_loaded(result: ParseResult) -> bool:
    """True when a parsed upload holds something worth adding: a project with code and year, or narrative."""
    return any(p.project_code and p.year for p in result.projects) or bool(result.narrative)


def accept_upload(settings: Settings, staged: StagedUpload) -> tuple[Path, bool]:
    """Move a staged upload into data_dir/uploads and record its original name in ORIGINALS.

    Returns the stored path and whether it is new: the same content uploaded again (under any name)
    is not added twice; a different file of the same name is stored beside it, never over it.
    """
    target_dir = settings.data_dir / UPLOAD_DIR
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / staged.path.name
    same = [target_dir / r["stored_name"] for r in _original_rows(settings) if r["sha256"] == staged.sha256]
    target = next((p for p in [target, *same] if p.is_file()), target)
    new = not target.is_file()
    if new:
        shutil.move(str(staged.path), target)
        originals = target_dir / ORIGINALS
        with originals.open("a", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            if f.tell() == 0:
                w.writerow(_ORIGINALS_HEADER)
            w.writerow([target.name, staged.original_name, staged.sha256,
                        datetime.now(UTC).isoformat(timespec="seconds")])
    discard_upload(staged)
    return target, new


def original_names(settings: Settings) -> dict[str, str]:
    """Stored upload name → the name it was uploaded as (the latest row for a stored name)."""
    return {r["stored_name"]: r["original_name"] for r in _original_rows(settings)}


def _original_rows(settings: Settings) -> list[dict[str, str]]:
    path = settings.data_dir / UPLOAD_DIR / ORIGINALS
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def discard_upload(staged: StagedUpload) -> None:
    """Remove a staged upload's staging folder (after it was added, or when it is not)."""
    shutil.rmtree(staged.path.parent, ignore_errors=True)


def export_bytes(store: Store, fmt: str, stem: str = "hrss-kg") -> tuple[bytes, str, str]:
    """The graph exported by kg.export in `fmt` as (bytes, file name, MIME type); several files are zipped."""
    if fmt not in EXPORT_FORMATS:
        raise UploadError(f"无法导出为 {fmt}")
    mime = EXPORT_FORMATS[fmt][1]
    with tempfile.TemporaryDirectory() as tmp:
        files = export_store(store, fmt, Path(tmp) / f"{stem}.{fmt}")
        if len(files) == 1 and fmt != "csv":
            return files[0].read_bytes(), files[0].name, mime
        buf = BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for f in files:
                z.write(f, f.name)
        return buf.getvalue(), f"{stem}-{fmt}.zip", "application/zip"
