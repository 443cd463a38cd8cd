"""Built artefacts under indexes/: one directory per build, published by an atomic symlink swap.

Readers open `indexes/current`, which always points at a complete build: a build is written into
`indexes/builds/<id>.partial/`, renamed to `<id>/` and only then made current, so a reader sees the
old build or the new one, never half of one.
"""

from __future__ import annotations

import fcntl
import json
import os
import pickle
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.errors import HrssError
from ingest.records import Diagnostic
from kg.atomic import replaced, write_text
from kg.corpus import Corpus

__all__ = ["Workspace", "NotBuiltError", "DamagedBuildError", "BuildLockedError", "RECORDS_FILE",
           "RECORDS_DIR", "MANIFEST_FILE", "LOCK_FILE", "DIAGNOSTICS_FILE", "write_records", "read_records",
           "read_diagnostics"]

RECORDS_FILE = "records.pickle"  # a whole corpus in one file (builds before records/ existed)
RECORDS_DIR = "records"  # records/<n>.pickle: one Corpus part per build or added batch; index.json
_RECORDS_INDEX = "index.json"
MANIFEST_FILE = "manifest.json"
DIAGNOSTICS_FILE = "diagnostics.json"  # every ingest diagnostic, so a page lists them without the records
LOCK_FILE = ".lock"  # held by `kg build` and `kg add` while they write
_LOCK_POLL_S = 0.2
_KEEP_OLD_BUILDS = 1  # a reader may still hold the previous build open


class NotBuiltError(HrssError):
    """No build has been published yet."""

    def __str__(self) -> str:
        return f"{self.args[0]}: nothing built yet; run `python -m kg build` first"


class DamagedBuildError(HrssError):
    """A file of the published build cannot be read."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: 已发布的构建已损坏（{problem}）；请运行 `python -m kg build` 重新构建")
        self.path = path


class BuildLockedError(HrssError):
    """Another `kg build` or `kg add` holds the workspace."""


@dataclass
class Workspace:
    """The indexes/ directory."""

    root: Path

    @property
    def builds(self) -> Path:
        return self.root / "builds"

    @property
    def current(self) -> Path:
        """The published build directory; raises NotBuiltError when there is none."""
        link = self.root / "current"
        if not link.exists():
            raise NotBuiltError(str(self.root))
        return link.resolve()

    @property
    def version(self) -> str | None:
        """The version of the published build, None when nothing is built.

        It changes on every rebuild (the build id) and on every `kg add` (the manifest's version,
        `<build id>+<n>`), so caches keyed by it refresh.
        """
        try:
            current = self.current
        except NotBuiltError:
            return None
        try:
            return str(json.loads((current / MANIFEST_FILE).read_text(encoding="utf-8"))["version"])
        except (OSError, ValueError, KeyError):
            return current.name

    @contextmanager
    def lock(self, timeout_s: float) -> Iterator[None]:
        """Hold the workspace for one build or addition; wait up to `timeout_s` for another to end.

        Raises BuildLockedError when the other one still runs after that.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / LOCK_FILE
        with path.open("a+") as f:
            deadline = time.monotonic() + timeout_s
            while True:
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise BuildLockedError(
                            f"{path}: 另一个 `kg build` 或 `kg add` 正在进行，已等待 {timeout_s:g} 秒；"
                            "请等它结束后再试（等待时间由 HRSS_LOCK_TIMEOUT 设置）") from None
                    time.sleep(_LOCK_POLL_S)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def clean_partials(self) -> list[Path]:
        """Remove build folders left by builds that did not finish (call with the lock held)."""
        if not self.builds.is_dir():
            return []
        stale = sorted(p for p in self.builds.iterdir() if p.name.endswith(".partial"))
        for p in stale:
            shutil.rmtree(p, ignore_errors=True)
        return stale

    def new_build(self) -> Path:
        """A fresh, empty directory to build into."""
        self.builds.mkdir(parents=True, exist_ok=True)
        build_id = time.strftime("%Y%m%dT%H%M%S") + f"-{time.time_ns() % 1_000_000_000:09d}"
        path = self.builds / f"{build_id}.partial"
        path.mkdir()
        return path

    def publish(self, partial: Path) -> Path:
        """Make a finished build current, atomically; old builds beyond the previous one are removed."""
        final = partial.with_name(partial.name.removesuffix(".partial"))
        partial.rename(final)
        tmp = self.root / f".current-{os.getpid()}-{time.time_ns()}"
        tmp.symlink_to(final.relative_to(self.root), target_is_directory=True)
        os.replace(tmp, self.root / "current")
        self._prune(keep={final.name})
        return final

    def discard(self, partial: Path) -> None:
        """Remove a build that failed, leaving the published one untouched."""
        shutil.rmtree(partial, ignore_errors=True)

    def _prune(self, keep: set[str]) -> None:
        done = sorted((p for p in self.builds.iterdir() if not p.name.endswith(".partial")),
                      key=lambda p: p.name)
        old = [p for p in done if p.name not in keep]
        for p in old[: max(0, len(old) - _KEEP_OLD_BUILDS)]:
            shutil.rmtree(p, ignore_errors=True)

    def manifest(self) -> dict[str, Any]:
        """The published build's manifest; DamagedBuildError when it cannot be read."""
        path = self.current / MANIFEST_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise DamagedBuildError(path, type(e).__name__) from e
        if not isinstance(data, dict):
            raise DamagedBuildError(path, "not a manifest")
        return data

    def load_corpus(self) -> Corpus:
        """The parsed records of the published build (no re-parsing)."""
        return read_records(self.current)


def write_records(build_dir: Path, corpus: Corpus) -> int:
    """Add a corpus as the next part of a build's records (records/<n>.pickle); returns n.

    A build writes its corpus as part 0; each `kg add` appends one part, so adding a file never
    rewrites the records already stored. The index is replaced last, atomically.
    """
    folder = build_dir / RECORDS_DIR
    folder.mkdir(exist_ok=True)
    index_path = folder / _RECORDS_INDEX
    parts = json.loads(index_path.read_text(encoding="utf-8"))["parts"] if index_path.exists() else []
    n = len(parts)
    name = f"{n:04d}.pickle"
    with replaced(folder / name) as f:  # streamed: the pickle of a province is never held whole in memory
        pickle.dump(corpus, f, protocol=pickle.HIGHEST_PROTOCOL)
    parts.append({"file": name, "sources": [r.file for r in corpus.results],
                  "projects": sum(len(r.projects) for r in corpus.results)})
    write_text(index_path, json.dumps({"parts": parts}, ensure_ascii=False, indent=1))
    return n


def _load_part(path: Path) -> Corpus:
    try:
        with path.open("rb") as f:
            piece = pickle.load(f)
    except Exception as e:  # a truncated or foreign pickle raises many unrelated types
        raise DamagedBuildError(path, type(e).__name__) from e
    if not isinstance(piece, Corpus):
        raise DamagedBuildError(path, "not a records file")
    return piece


def read_records(build_dir: Path) -> Corpus:
    """Every part of a build's records as one corpus, in the order they were added.

    Raises DamagedBuildError (naming the file) when a part cannot be read.
    """
    index_path = build_dir / RECORDS_DIR / _RECORDS_INDEX
    if not index_path.exists():
        return _load_part(build_dir / RECORDS_FILE)
    try:
        parts = json.loads(index_path.read_text(encoding="utf-8"))["parts"]
        files = [str(part["file"]) for part in parts]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise DamagedBuildError(index_path, type(e).__name__) from e
    corpus = Corpus()
    for name in files:
        piece = _load_part(build_dir / RECORDS_DIR / name)
        corpus.results.extend(piece.results)
        corpus.diagnostics.extend(piece.diagnostics)
    return corpus


def read_diagnostics(build_dir: Path) -> list[Diagnostic]:
    """The ingest diagnostics a build wrote (DIAGNOSTICS_FILE), in the records' order.

    Raises DamagedBuildError (naming the file) when it cannot be read.
    """
    path = build_dir / DIAGNOSTICS_FILE
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return [Diagnostic(d["file"], d["line"], d["message"], d["severity"], d.get("locator"))
                for d in rows]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise DamagedBuildError(path, type(e).__name__) from e
