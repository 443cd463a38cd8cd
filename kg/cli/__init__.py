"""`python -m kg …`: thin commands over the core. Each module below registers its commands."""

from kg.cli import ingest_cmds  # noqa: F401  (registers ingest)
from kg.cli import build_cmds  # noqa: F401  (registers build, add)
from kg.cli import audit_cmds  # noqa: F401  (registers audit)
from kg.cli import graph_cmds  # noqa: F401  (registers validate, doc)
from kg.cli import sparql_cmds  # noqa: F401  (registers sparql, export, serve)
from kg.cli import search_cmds  # noqa: F401  (registers search)
from kg.cli import lineage_cmds  # noqa: F401  (registers trace, history)
from kg.cli import docnum_cmds  # noqa: F401  (registers docnum)
from kg.cli.base import cli, main

__all__ = ["cli", "main"]
