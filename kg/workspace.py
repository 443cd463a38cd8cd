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

__all__ = ["Workspace", "NotBuiltError", "RECORDS_FILE", "MANIFEST_FILE"]

RECORDS_FILE = "records.pickle"
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
        """The id of the published build (changes on every rebuild), None when nothing is built."""
        try:
            return self.current.name
        except NotBuiltError:
            return None

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
        with (self.current / RECORDS_FILE).open("rb") as f:
            return pickle.load(f)
