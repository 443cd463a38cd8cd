"""Built artefacts under indexes/: one directory per build, published by an atomic symlink swap.

Readers open `indexes/current`, which always points at a complete build: a build is written into
`indexes/builds/<id>.partial/`, renamed to `<id>/` and only then made current, so a reader sees the
old build or the new one, never half of one.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.errors import HrssError
from kg.corpus import Corpus

__all__ = ["Workspace", "NotBuiltError", "RECORDS_FILE", "RECORDS_DIR", "MANIFEST_FILE", "write_records",
           "read_records"]

RECORDS_FILE = "records.pickle"  # a whole corpus in one file (builds before records/ existed)
RECORDS_DIR = "records"  # records/<n>.pickle: one Corpus part per build or added batch; index.json
_RECORDS_INDEX = "index.json"
MANIFEST_FILE = "manifest.json"
_KEEP_OLD_BUILDS = 1  # a reader may still hold the previous build open


class NotBuiltError(HrssError):
    """No build has been published yet."""

    def __str__(self) -> str:
        return f"{self.args[0]}: nothing built yet; run `python -m kg build` first"


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
        return json.loads((self.current / MANIFEST_FILE).read_text(encoding="utf-8"))

    def load_corpus(self) -> Corpus:
        """The parsed records of the published build (no re-parsing)."""
        return read_records(self.current)


def _dump_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


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
    _dump_atomic(folder / name, pickle.dumps(corpus, protocol=pickle.HIGHEST_PROTOCOL))
    parts.append({"file": name, "sources": [r.file for r in corpus.results],
                  "projects": sum(len(r.projects) for r in corpus.results)})
    _dump_atomic(index_path, json.dumps({"parts": parts}, ensure_ascii=False, indent=1).encode("utf-8"))
    return n


def read_records(build_dir: Path) -> Corpus:
    """Every part of a build's records as one corpus, in the order they were added."""
    index_path = build_dir / RECORDS_DIR / _RECORDS_INDEX
    if not index_path.exists():
        with (build_dir / RECORDS_FILE).open("rb") as f:
            return pickle.load(f)
    corpus = Corpus()
    for part in json.loads(index_path.read_text(encoding="utf-8"))["parts"]:
        with (build_dir / RECORDS_DIR / part["file"]).open("rb") as f:
            piece: Corpus = pickle.load(f)
        corpus.results.extend(piece.results)
        corpus.diagnostics.extend(piece.diagnostics)
    return corpus
