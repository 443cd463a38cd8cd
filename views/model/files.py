"""Files in and out of the UI: an upload is staged, parsed, then added (or discarded); the graph is
exported by kg.export as bytes to download."""

from __future__ import annotations

import shutil
import tempfile
import time
import zipfile
from io import BytesIO
from pathlib import Path

from ingest import ParseResult, parse_file
from ingest.errors import HrssError
from kg.corpus import SOURCE_SUFFIXES
from kg.export import export_store
from kg.settings import Settings
from kg.store import Store

__all__ = [
    "UPLOAD_DIR", "EXPORT_FORMATS", "UploadError", "stage_upload", "parse_upload", "upload_loaded",
    "accept_upload", "discard_upload", "export_bytes",
]

UPLOAD_DIR = "uploads"
_STAGING = ".staging"  # a dot folder: kg.corpus.find_sources skips it, so a staged file is never built

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


def stage_upload(settings: Settings, filename: str, data: bytes) -> Path:
    """Write an uploaded file into a staging folder under data_dir/uploads (never built from there).

    Raises:
        UploadError: the name is empty or the type is not one the parser reads.
    """
    name = Path(filename.replace("\\", "/")).name.strip()
    if not name or name.startswith("."):
        raise UploadError(f"文件名无效: {filename!r}")
    if Path(name).suffix.lower() not in SOURCE_SUFFIXES:
        raise UploadError(f"暂只支持 {'、'.join(SOURCE_SUFFIXES)} 文件: {name}")
    staging = settings.data_dir / UPLOAD_DIR / _STAGING / f"{time.time_ns()}"
    staging.mkdir(parents=True, exist_ok=True)
    path = staging / name
    path.write_bytes(data)
    return path


def parse_upload(staged: Path) -> ParseResult:
    """Parse a staged upload; messages name the file by its uploaded name."""
    return parse_file(staged, name=staged.name)


def upload_loaded(result: ParseResult) -> bool:
    """True when a parsed upload holds something worth adding: a project with code and year, or narrative."""
    return any(p.project_code and p.year for p in result.projects) or bool(result.narrative)


def accept_upload(settings: Settings, staged: Path) -> Path:
    """Move a staged upload into data_dir/uploads (a same-named older upload is replaced)."""
    target_dir = settings.data_dir / UPLOAD_DIR
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / staged.name
    shutil.move(str(staged), target)
    shutil.rmtree(staged.parent, ignore_errors=True)
    return target


def discard_upload(staged: Path) -> None:
    """Remove a staged upload that is not added."""
    shutil.rmtree(staged.parent, ignore_errors=True)


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
