"""Full-text search over projects of every year: jieba analysis, 文号 routing, facets, highlights.

    open_index(settings).search("就业补助", year=2022)   → SearchResult
    build_index(projects, out_dir, settings)             → counts (the `search` step of kg build)
    add_to_index(projects, build_dir) / delete_from_index(keys, build_dir)   → in-place updates

Segmentation (rjieba when installed, else jieba: the same tokens) lives in analysis.py; the engine
behind the SearchBackend interface in backend.py is chosen by Settings.profile: whoosh_backend.py
("small") or tantivy_backend.py ("large"); routing, filters and pages in service.py.
"""

from kg.search.backend import Filters, SearchBackend, SearchError
from kg.search.indexing import (
    add_to_index,
    build_index,
    delete_from_index,
    index_texts,
)
from kg.search.results import Fragment, Hit, SearchResult, UnitCount
from kg.search.service import SearchIndex, open_index

__all__ = [
    "open_index",
    "build_index",
    "add_to_index",
    "delete_from_index",
    "index_texts",
    "SearchIndex",
    "SearchResult",
    "Hit",
    "Fragment",
    "UnitCount",
    "Filters",
    "SearchBackend",
    "SearchError",
]
