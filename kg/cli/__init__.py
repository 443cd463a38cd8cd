"""`python -m kg …`: thin commands over the core. Each module below registers its commands."""

from kg.cli import ingest_cmds  # noqa: F401  (registers ingest, build)
from kg.cli.base import cli, main

__all__ = ["cli", "main"]
