"""The errors a graph store raises; messages a user may see are Chinese."""

from __future__ import annotations

from ingest.errors import HrssError

__all__ = ["StoreError", "ReadOnlyError", "QueryTimeoutError", "QueryRefusedError", "QueryMemoryError"]


class StoreError(HrssError):
    """The graph store cannot be opened, written or queried."""


class ReadOnlyError(StoreError):
    """A SPARQL update was sent where only queries are allowed."""


class QueryTimeoutError(StoreError):
    """A query ran past its time limit."""


class QueryRefusedError(StoreError):
    """A query was refused before any parser saw it (size, nesting, SERVICE, FROM)."""


class QueryMemoryError(StoreError):
    """A query ran past its memory limit."""
