"""Shared fixtures: the sample corpus and small explicit documents under tests/data/."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import ParseResult, Project, parse_file

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SAMPLE = ROOT / "data" / "000_61c5a3a787465ec8.txt"


@pytest.fixture(scope="session")
def sample() -> ParseResult:
    """The bundled sample document, parsed once."""
    return parse_file(SAMPLE)


@pytest.fixture(scope="session")
def sample_projects(sample: ParseResult) -> dict[str, Project]:
    """Sample projects by 项目编码."""
    return {p.project_code: p for p in sample.projects}
