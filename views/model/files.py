"""Files in and out of the UI: an upload is staged, parsed, then added (or discarded); the graph is
exported by kg.export as bytes to download."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass, replace
from io import BytesIO
from pathlib import Path

from ingest import SUPPORTED_SUFFIXES, ParseResult, parse_file
from ingest.errors import HrssError
from ingest.regions import RegionIndex
from kg import sources
from kg.build import add_sources, build
from kg.export import export_store
from kg.settings import Settings
from kg.store import Store
from kg.workspace import Workspace

__all__ = [
    "UPLOAD_DIR", "UPLOAD_SUFFIXES", "EXPORT_FORMATS", "UploadError", "StagedUpload", "Accepted",
    "stored_name", "stage_upload", "parse_upload", "upload_loaded", "upload_region", "accept_upload",
    "discard_upload",
    "original_names", "export_bytes",
]

UPLOAD_DIR = "uploads"  # only its dot folder is used: uploads wait there until added or discarded
UPLOAD_SUFFIXES = SUPPORTED_SUFFIXES  # the types ingest reads (and kg build finds under data/)
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


@dataclass(frozen=True)
class StagedUpload:
    """An upload written to the staging folder under its stored name, with the name it was uploaded as."""

    path: Path
    original_name: str
    sha256: str


def stored_name(filename: str, data: bytes) -> str:
    """The name an upload is stored under in data/added/ (`kg.sources.stored_name`).

    Raises:
        UploadError: the name is empty or the type is not one kg build reads.
    """
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    suffix = Path(name).suffix.lower()
    if not name.strip(". "):
        raise UploadError(f"文件名无效: {filename!r}")
    if suffix not in UPLOAD_SUFFIXES:
        raise UploadError(f"暂只支持 {'、'.join(UPLOAD_SUFFIXES)} 文件: {name}")
    return sources.stored_name(name, hashlib.sha256(data).hexdigest())


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


def upload_region(text: str, index: RegionIndex) -> tuple[str, str] | None:
    """The region an upload is given (`kg add --region`'s value: a GB/T 2260 code or a full name) as
    (code, 河北省 › 张家口市 › 涿鹿县); None for blank text.

    Raises:
        SourcesError: the text names no region, or several (listed with their codes).
    """
    if not text.strip():
        return None
    code = sources.source_region(text, index)
    names = [index.name(c) or c for c in (*reversed(index.parents(code)), code)]
    return code, " › ".join(names)


@dataclass(frozen=True)
class Accepted:
    """What adding an upload did: where it is stored, whether it was new, the build it is in."""

    path: Path
    new: bool
    version: str | None


def accept_upload(settings: Settings, staged: StagedUpload, region: str | None = None) -> Accepted:
    """Add a staged upload the way `kg add` does: copied under data/added/, listed in data/sources.csv
    with the name it was uploaded as (and `region`, a division code from `upload_region`, as its
    region_code, as `kg add --region` writes it), and published in a new build (built from data/ when
    none is published yet). The same content uploaded again (under any name) is not added twice.
    """
    try:
        rows, _ = sources.read_sources(settings.data_dir)
        same = next((r for r in rows if r.sha256 == staged.sha256), None)
        if same is not None:
            return Accepted(same.resolve(settings.data_dir), False, Workspace(settings.index_dir).version)
        if Workspace(settings.index_dir).current is None:
            row = sources.copy_into_data(staged.path, settings.data_dir, staged.sha256, staged.original_name)
            row = replace(row, region_code=region) if region else row
            sources.append_sources(settings.data_dir, [row])
            report = build(settings)
        else:
            report = add_sources(settings, [staged.path], names={staged.path: staged.original_name},
                                 region=region)
            row = next((r for r in sources.read_sources(settings.data_dir)[0] if r.sha256 == staged.sha256),
                       None)
            if row is None:  # the build already held this content (it came in some other way)
                return Accepted(staged.path, False, Workspace(settings.index_dir).version)
        return Accepted(row.resolve(settings.data_dir), True, report.path.name)
    finally:
        discard_upload(staged)


def original_names(settings: Settings) -> dict[str, str]:
    """Stored file name → the name it was uploaded or added as, from data/sources.csv."""
    rows, _ = sources.read_sources(settings.data_dir)
    return {Path(r.path).name: r.original_name for r in rows}


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
