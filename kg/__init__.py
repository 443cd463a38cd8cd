"""hrss-kg core: records → RDF graph, search index, lineage and audit; one core for CLI and UI."""

from ingest.errors import HrssError, SourceError

__all__ = ["HrssError", "SourceError"]
