"""Graph stores: rdflib in memory, Oxigraph on disk, or any SPARQL 1.1 endpoint, behind one `Store`.

- `base`: errors, results, the `Store` base; `check`: the lexical check of user SPARQL;
- `memory`, `oxigraph`, `endpoint`: the three backends; `files`: writing, appending and opening a
  build's store (`graph.json` records which backend a build holds);
- `runner`: `QueryRunner`, the one path for user SPARQL (CLI `sparql`, the SPARQL page, `kg serve`),
  run in limited worker processes (`worker`).

Queries are read-only (updates are refused) and capped at `settings.sparql_row_cap` rows. Values
come back as Python values: Decimal for xsd:decimal, int for integers, bool, float, str for
everything else (IRIs too).
"""

from kg.store.base import QueryResult, Store, Term, TermRows, to_python
from kg.store.check import check_query, check_read_only
from kg.store.endpoint import Endpoint, EndpointStore
from kg.store.errors import (QueryMemoryError, QueryRefusedError, QueryTimeoutError, ReadOnlyError,
                             StoreError)
from kg.store.files import (GRAPH_INFO_FILE, MEMORY_FILE, OXIGRAPH_DIR, StoreLoad, append_to_store,
                            class_counts, open_store, read_graph_info, start_store, write_store)
from kg.store.memory import MemoryStore
from kg.store.oxigraph import OxigraphStore
from kg.store.runner import QueryRunner

__all__ = [
    "Store", "QueryResult", "TermRows", "Term", "StoreError", "ReadOnlyError", "QueryTimeoutError",
    "QueryRefusedError", "QueryMemoryError", "open_store", "write_store", "append_to_store",
    "check_read_only", "check_query", "read_graph_info", "GRAPH_INFO_FILE", "MEMORY_FILE",
    "OXIGRAPH_DIR", "class_counts", "to_python", "MemoryStore", "OxigraphStore", "EndpointStore",
    "Endpoint", "QueryRunner", "StoreLoad", "start_store",
]
