"""Packaging: `pip install .` gives the `hrss-kg` command with every runtime requirement."""

from __future__ import annotations

import tomllib
from pathlib import Path

from click.testing import CliRunner

from kg.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_pyproject_pins_exactly_the_runtime_requirements_sorted():
    pinned = [ln.strip() for ln in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
              if ln.strip() and not ln.startswith("#")]
    declared = _pyproject()["project"]["dependencies"]
    assert declared == sorted(declared) and sorted(pinned) == declared


def test_the_console_script_is_the_cli_and_the_ontology_ships_with_it():
    project = _pyproject()
    assert project["project"]["scripts"] == {"hrss-kg": "kg.cli:main"}
    assert "ontology*" in project["tool"]["setuptools"]["packages"]["find"]["include"]
    assert CliRunner().invoke(cli, ["--help"], prog_name="hrss-kg").output.startswith("Usage: hrss-kg")
