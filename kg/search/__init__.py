"""Full-text search over projects of every year: jieba analysis, 文号 routing, facets, highlights.

    open_index(settings).search("就业补助", year=2022)   → SearchResult
    build_index(projects, out_dir, settings)             → counts (also the `search` step of kg build)

Segmentation lives in analysis.py, the engine behind the SearchBackend interface in backend.py
(whoosh_backend.py today), routing, filters and pages in service.py.
"""

from kg.search.backend import Filters, SearchBackend, SearchError
from kg.search.indexing import build_index, search_step
from kg.search.results import Fragment, Hit, SearchResult
from kg.search.service import SearchIndex, open_index

__all__ = [
    "open_index",
    "build_index",
    "search_step",
    "SearchIndex",
    "SearchResult",
    "Hit",
    "Fragment",
    "Filters",
    "SearchBackend",
    "SearchError",
]
